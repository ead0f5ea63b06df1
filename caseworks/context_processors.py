"""The navigation: each role sees the entries it may use, nothing else."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caseworks.dpo import is_data_protection_officer
from caseworks.roles import Role, has_any_role, roles_of


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": frozenset()}
    roles = roles_of(user)
    items = []
    if has_any_role(user, Role.CASEWORKER, Role.SUPERVISOR):
        items.append((reverse("cases:list"), _("Cases"), "cases"))
        items.append((reverse("visits:week"), _("My week"), "week"))
        items.append((reverse("referrals:list"), _("Referrals"), "referrals"))
        items.append((reverse("cases:create"), _("New case"), "cases-new"))
    if Role.SUPERVISOR in roles:
        items.append((reverse("supervision:dashboard"), _("Supervision"), "supervision"))
        items.append((reverse("supervision:statistics"), _("Statistics"), "statistics"))
    if Role.OFFICE in roles:
        items.append((reverse("referrals:print_queue"), _("Print queue"), "print-queue"))
    if Role.VOLUNTEER in roles:
        items.append((reverse("volunteer:list"), _("My accompaniments"), "volunteer"))
    if is_data_protection_officer(user):
        items.append((reverse("access_log"), _("Access log"), "access-log"))
    if Role.ADMIN in roles and user.is_staff:
        items.append((reverse("admin:index"), _("Administration"), "admin"))
    return {"nav_items": items, "user_roles": roles}
