"""The start page: sends each role where its work is (caseworks.access.permissions.START_PAGES).
And the error pages (caseworks.urls handler400 … handler500): German, with the navigation."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from caseworks.access.permissions import roles_and_capabilities, signed_in, start_page_for
from caseworks.middleware import request_too_large

logger = logging.getLogger("caseworks.errors")  # the error pages


@signed_in
def home(request):
    start = start_page_for(request.user)
    if start is not None:
        return redirect(start)
    return render(request, "caseworks/home.html", {"roles": roles_and_capabilities(request.user)})


def _error_page(request: HttpRequest, status: int) -> HttpResponse:
    """templates/<status>.html, with the request (the navigation, the user's name) when that
    works. An error page must not fail: when the request's context cannot be built (the
    database is what broke, or the session), the page is rendered without it, as Django's
    own server_error does, and as plain text if even that fails."""
    template_name = f"{status}.html"
    try:
        return render(request, template_name, status=status)
    except Exception:
        logger.exception("The %s page could not be rendered with the request", status)
    try:
        return HttpResponse(loader.get_template(template_name).render(), status=status)
    except Exception:
        logger.exception("The %s page could not be rendered", status)
    title = escape(_("An error has occurred"))
    return HttpResponse(
        f"<!doctype html><title>{title}</title><h1>{title}</h1>",
        status=status,
        content_type="text/html; charset=utf-8",
    )


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Form fields (not files) over DATA_UPLOAD_MAX_MEMORY_SIZE, found while reading them.
        limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)
        return request_too_large(request, limit=limit, sent=None)
    return _error_page(request, 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _error_page(request, 404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(request, 500)
