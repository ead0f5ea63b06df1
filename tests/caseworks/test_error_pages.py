"""The error pages speak German and keep the navigation, like the rest of the UI (the suite
runs with DEBUG off, so these are the pages users see)."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
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


# A test-only URLconf: the project's URLs and handlers, and views that fail.
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

errors = override_settings(ROOT_URLCONF=__name__)


@pytest.fixture
def browser():
    """A client that answers like a server: an exception becomes the 500 page."""
    return Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="de")


def nav(html: str) -> bool:
    return 'class="nav"' in html and 'href="/cases/"' in html


def test_a_missing_page_answers_in_german_with_the_navigation(browser, alice):
    browser.force_login(alice)
    response = browser.get("/gibt-es-nicht/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Seite nicht gefunden" in html and "Not Found" not in html
    assert '<html lang="de">' in html
    assert nav(html)


def test_a_page_the_user_may_not_open_answers_the_same_404(browser, olga):
    browser.force_login(olga)
    response = browser.get("/cases/")  # office users have no case list: the gate says 404
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


def test_a_missing_page_for_an_anonymous_user_has_no_navigation(browser, db):
    html = browser.get("/gibt-es-nicht/").content.decode()
    assert "Seite nicht gefunden" in html
    assert not nav(html)


def test_english_users_get_it_in_english(browser, alice):
    browser.force_login(alice)
    browser.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = browser.get("/gibt-es-nicht/").content.decode()
    assert "Page not found" in html


@errors
def test_a_crash_answers_500_in_german_with_the_navigation(browser, alice):
    browser.force_login(alice)
    response = browser.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ein Fehler ist aufgetreten" in html and "Server Error" not in html
    assert nav(html)
    assert "a bug" not in html  # nothing of the exception reaches the page


@errors
def test_the_500_page_renders_without_the_request_when_that_fails(browser, alice, monkeypatch):
    """The navigation needs the database; when rendering with the request fails too, the
    page still answers, without it."""

    def broken(user):
        raise RuntimeError("the database is gone")

    monkeypatch.setattr("caseworks.context_processors.navigation_for", broken)
    browser.force_login(alice)
    response = browser.get("/test-errors/500/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ein Fehler ist aufgetreten" in html
    assert not nav(html)


@errors
def test_400_and_403_answer_in_german(browser, alice):
    browser.force_login(alice)
    response = browser.get("/test-errors/403/")
    assert response.status_code == 403
    assert "Zugriff verweigert" in response.content.decode()
    assert nav(response.content.decode())
    response = browser.get("/test-errors/400/")
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()
