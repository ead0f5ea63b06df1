"""Each error page (400, 403, 404, 500) answers in German with the navigation of the signed-in
user, whatever their role; and the 500 page answers even when the database is gone (the
navigation, the session and request.user all need it)."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.urls import path

from caseworks import urls as project_urls
from caseworks.access.permissions import public


@public
def boom(request):
    raise RuntimeError("a bug")


@public
def refused(request):
    raise PermissionDenied


@public
def suspicious(request):
    raise SuspiciousOperation("a tampered request")


urlpatterns = [
    path("test-errors/500/", boom),
    path("test-errors/403/", refused),
    path("test-errors/400/", suspicious),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

PAGES = {
    400: ("/test-errors/400/", "Ungültige Anfrage"),
    403: ("/test-errors/403/", "Zugriff verweigert"),
    404: ("/gibt-es-nicht/", "Seite nicht gefunden"),
    500: ("/test-errors/500/", "Ein Fehler ist aufgetreten"),
}
# The first entry of each role's navigation.
START = {"alice": "/cases/", "sam": "/supervision/", "adam": "/manage/"}


@pytest.fixture
def browser():
    """A client that answers like a server: an exception becomes the 500 page."""
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="de")


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("status", sorted(PAGES))
@pytest.mark.parametrize("who", sorted(START))
def test_every_error_page_in_german_with_the_navigation(browser, request, who, status):
    browser.force_login(request.getfixturevalue(who))
    url, heading = PAGES[status]
    response = browser.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="de">' in html and heading in html
    assert 'class="nav"' in html and f'href="{START[who]}"' in html
    assert 'action="/accounts/logout/"' in html  # the user menu too
    assert "/admin/" not in html  # the Django admin is never in the navigation
    for english in ("Not Found", "Server Error", "Bad Request", "Forbidden"):
        assert english not in html


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize("url", ["/test-errors/500/", "/cases/", "/"])
def test_the_500_page_answers_while_the_database_is_unavailable(browser, alice, url):
    """Every query fails from the first one on (the session, request.user, the navigation):
    the page still answers 500, in German, without the navigation and without a trace."""
    browser.force_login(alice)

    def unavailable(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(unavailable):
        response = browser.get(url)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ein Fehler ist aufgetreten" in html
    assert 'class="nav"' not in html
    assert "could not connect" not in html and "Traceback" not in html
