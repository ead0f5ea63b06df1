"""Reading the case plan. The case itself is reached through cases.selectors; this module
decides who may see a person's special protection needs (Art. 9 DSGVO data), the one place
for that rule."""

import uuid
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from cases.models import Case, Client
from cases.plan.models import Activity, Need, NeedCategory, SpecialNeed
from cases.selectors import case_list_for_user


def special_needs_visible(*, case: Case, user: User) -> bool:
    """The caseworkers the case is assigned to or shared with, and the supervisors of its
    team: exactly those cases.selectors.case_list_for_user gives the case. Not a colleague
    covering with a reason (cover access), not office, volunteers, the coordinator, the admin
    or the data protection officer (who sees them only in the person's Art. 15 disclosure)."""
    return case_list_for_user(user=user, include_closed=True).filter(pk=case.pk).exists()


def special_needs_for_case(*, case: Case, user: User) -> list[SpecialNeed]:
    """The special protection needs of the case's persons, or [] for a user who may not
    see them."""
    if not special_needs_visible(case=case, user=user):
        return []
    return list(
        SpecialNeed.objects.filter(client__case=case)
        .select_related("client", "recorded_by")
        .order_by("client_id", "noted_on", "id")
    )


def special_need_get_for_case(*, case: Case, user: User, code: uuid.UUID | str) -> SpecialNeed:
    if not special_needs_visible(case=case, user=user):
        raise Http404("No such record")
    found = SpecialNeed.objects.filter(client__case=case, code=code).select_related("client")
    special = found.first()
    if special is None:
        raise Http404("No such record")
    return special


def volunteer_hints_for(*, clients: Iterable[Client | int]) -> list[str]:
    """The hints caseworkers wrote for the volunteers going along with these persons (never
    the kind or the note): for the volunteer's accompaniment page, whose selector already
    decided she may see it."""
    return [
        s.volunteer_hint
        for s in SpecialNeed.objects.filter(client__in=clients, ended_on__isnull=True)
        .only("volunteer_hint", "client_id")
        .order_by("id")
        if s.volunteer_hint
    ]


def needs_for_case(case: Case) -> QuerySet[Need]:
    return (
        Need.objects.filter(case=case)
        .select_related("category", "client")
        .defer("notes")
        .order_by("due_on", "opened_on", "id")
    )


def need_get_for_case(*, case: Case, code: uuid.UUID | str) -> Need:
    found: QuerySet[Need] = Need.objects.filter(case=case, code=code)
    need = found.select_related("category", "client").first()
    if need is None:
        raise Http404("No such need")
    return need


def activity_get_for_case(*, case: Case, code: uuid.UUID | str) -> Activity:
    activity = (
        Activity.objects.filter(client__case=case, code=code).select_related("client").first()
    )
    if activity is None:
        raise Http404("No such record")
    return activity


def active_categories() -> QuerySet[NeedCategory]:
    return NeedCategory.objects.filter(is_active=True).order_by("order", "name")


def category_get(*, code: uuid.UUID | str) -> NeedCategory:
    category = NeedCategory.objects.filter(code=code).first()
    if category is None:
        raise Http404("No such category")
    return category
