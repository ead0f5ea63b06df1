"""The start page: sends each role where its work is."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from caseworks.roles import Role, roles_of


@login_required
def home(request):
    roles = roles_of(request.user)
    if Role.CASEWORKER in roles or Role.SUPERVISOR in roles:
        return redirect("cases:list")
    if Role.VOLUNTEER in roles:
        return redirect("volunteer:list")
    return render(request, "caseworks/home.html", {"roles": roles})
