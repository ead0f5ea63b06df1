"""The case plan on the case file (caseworks.extensions.casefile): a short panel (open needs
first, one line each, with a status chip; special protection needs for those who may see
them; the residence perspectives), the needs in the history tab, and open needs listed
before closing."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.plan.models import Activity, Need, NeedCategory
from cases.plan.overview import plan_context
from caseworks.extensions.casefile import (
    OpenItem,
    Panel,
    register_history,
    register_open_items,
    register_panel,
)

PANEL_NEEDS = 5  # on a phone the panel stays short; the plan page lists them all


@register_panel
def plan_panel(case, *, user):
    context = plan_context(case, user=user, today=timezone.localdate())
    open_needs = context["open_needs"]
    return Panel(
        20,
        "cases/plan/panel.html",
        {
            **context,
            "case": case,
            "panel_needs": open_needs[:PANEL_NEEDS],
            "more_needs": max(0, len(open_needs) - PANEL_NEEDS),
            "finished_count": len(context["needs"]) - len(open_needs),
        },
    )


@register_history
def plan_history(case):
    """Needs and schooling/work in the history tab. Special protection needs are left out:
    the history tab is open to a colleague covering with a reason, who may not see them."""

    def need_subject(row):
        return _("Need: %(category)s") % {"category": categories.get(row.category_id, "?")}

    def activity_subject(row):
        return _("School, training or work")

    categories = dict(NeedCategory.objects.values_list("pk", "name"))
    needs = list(Need.history.filter(case_id=case.pk).select_related("history_user"))
    client_ids = list(case.clients.values_list("pk", flat=True))
    activities = list(
        Activity.history.filter(client_id__in=client_ids).select_related("history_user")
    )
    return [(Need, needs, need_subject), (Activity, activities, activity_subject)]


@register_open_items
def open_needs(case) -> list[OpenItem]:
    return [
        OpenItem(
            _("Need"),
            f"{n.category.name}{' · ' + n.goal if n.goal else ''}",
            reverse("plan:need_edit", args=[case.code, n.code]),
            key=f"need-{n.code}",
        )
        for n in Need.objects.filter(case=case).unfinished().select_related("category")
    ]
