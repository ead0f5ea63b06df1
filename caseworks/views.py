"""The start page: sends each role where its work is (caseworks.permissions.START_PAGES)."""

from django.shortcuts import redirect, render

from caseworks.permissions import roles_and_capabilities, signed_in, start_page_for


@signed_in
def home(request):
    start = start_page_for(request.user)
    if start is not None:
        return redirect(start)
    return render(request, "caseworks/home.html", {"roles": roles_and_capabilities(request.user)})
