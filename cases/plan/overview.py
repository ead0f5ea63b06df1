"""What the plan panel (cases.plan.casefile) and the plan page (cases.plan.views) show: the
needs, open first; each person's special protection needs for those who may see them, with a
referral shortcut; and the residence perspectives the data suggests."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from cases.law.perspectives import case_prompts
from cases.models import Case
from cases.plan.models import FINISHED, SpecialNeedKind
from cases.plan.selectors import needs_for_case, special_needs_for_case, special_needs_visible
from caseworks.models import Service

# Each special protection need suggests where to refer (caseworks.Service.Category).
SPECIAL_REFERRALS = {
    SpecialNeedKind.UNACCOMPANIED_MINOR: Service.Category.YOUTH_MIGRATION,
    SpecialNeedKind.PREGNANCY: Service.Category.PREGNANCY,
    SpecialNeedKind.DISABILITY: Service.Category.MIGRATION_ADULTS,
    SpecialNeedKind.SERIOUS_ILLNESS: Service.Category.MIGRATION_ADULTS,
    SpecialNeedKind.MENTAL_ILLNESS: Service.Category.PSYCHOSOCIAL,
    SpecialNeedKind.TORTURE_TRAUMA: Service.Category.PSYCHOSOCIAL,
    SpecialNeedKind.TRAFFICKING: Service.Category.WOMEN,
    SpecialNeedKind.GENDER_VIOLENCE: Service.Category.WOMEN,
    SpecialNeedKind.LGBTIQ: Service.Category.ANTIDISCRIMINATION,
    SpecialNeedKind.ELDERLY: Service.Category.MIGRATION_ADULTS,
    SpecialNeedKind.SINGLE_PARENT: Service.Category.MIGRATION_ADULTS,
}


def referral_suggestions(categories: Iterable[str]) -> dict[str, dict[str, Any]]:
    """For each directory category: its label and up to three active services, for the
    referral shortcuts (one query for all of them)."""
    wanted = set(categories)
    found: dict[str, dict[str, Any]] = {
        c: {
            "category": c,
            "label": Service.Category(c).label if c in Service.Category.values else "",
            "services": [],
        }
        for c in wanted
    }
    directory = (
        Service.objects.filter(category__in=wanted, is_active=True)
        .order_by("name")
        .only("name", "code", "category")
    )
    for service in directory:
        if len(found[service.category]["services"]) < 3:
            found[service.category]["services"].append(service)
    return found


def referral_suggestion(category: str) -> dict[str, Any]:
    return referral_suggestions([category])[category]


def plan_context(case: Case, *, user: Any, today: datetime.date | None = None) -> dict[str, Any]:
    """What the plan panel and the plan page show: needs (open first), each person's special
    protection needs (for those who may see them), their schooling and work, and the
    residence perspectives the data suggests."""
    today = today or timezone.localdate()
    needs = list(needs_for_case(case))
    needs.sort(key=lambda n: (n.status in FINISHED, n.due_on is None, n.due_on or today))
    specials = special_needs_for_case(case=case, user=user)
    wanted = {SPECIAL_REFERRALS.get(s.kind, "other") for s in specials}
    suggestions = referral_suggestions(wanted | {Service.Category.ASYLUM_COUNSELLING})
    for special in specials:
        special.referral = suggestions[SPECIAL_REFERRALS.get(special.kind, "other")]
    prompts = case_prompts(case, today)
    referral_for_prompts = suggestions[Service.Category.ASYLUM_COUNSELLING]
    return {
        "needs": needs,
        "open_needs": [n for n in needs if not n.is_finished],
        "special_needs": specials,
        "may_see_special": special_needs_visible(case=case, user=user),
        "prompts": prompts,
        "prompt_referral": referral_for_prompts,
        "today": today,
    }
