"""The start page: sends each role where its work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from caseworks.dpo import is_data_protection_officer
from caseworks.roles import Role, has_any_role, roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if has_any_role(request.user, Role.CASEWORKER, Role.SUPERVISOR):
        return redirect("cases:list")
    if Role.VOLUNTEER in roles:
        return redirect("volunteer:list")
    if Role.OFFICE in roles:
        return redirect("referrals:print_queue")
    if is_data_protection_officer(request.user):
        return redirect("access_log")
    return render(request, "caseworks/home.html", {"roles": roles})
