"""A locked database or a full disk, and a body too large to read, each answered with a page
that says what happened, in German, keeping what was typed (never a password) — before, the
user got "Bad Request" (the session "was deleted … may have logged out"), a plain 500 on
sign-in, or a 400 and a connection reset for a large form."""

from urllib.parse import urlencode

from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError
from django.db.backends.utils import CursorWrapper

from tests.helpers import make_user

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


def refuse_session_saves(monkeypatch, message="database is locked"):
    """The database refuses the session's write, as SQLite does while another process holds
    its write lock (or when the disk is full): Django's session store turns that into
    UpdateError, its middleware into SessionInterrupted."""

    def refuse(self, *args, **kwargs):
        raise OperationalError(message)

    monkeypatch.setattr(Session, "save", refuse)


def _fail_queries_on(monkeypatch, table, error):
    """The database fails every query on `table`, as a locked or broken one would."""
    execute = CursorWrapper.execute

    def failing(self, sql, params=None):
        if table in sql:
            raise error
        return execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", failing)


def test_a_locked_database_when_the_session_is_saved_says_busy_and_keeps_the_input(
    client, db, monkeypatch, caplog
):
    user = make_user("busy_caseworker", "caseworker")
    client.force_login(user)
    refuse_session_saves(monkeypatch)
    response = client.post("/cases/", {"q": "Rahimi"}, **GERMAN)
    assert response.status_code == 503
    page = response.content.decode()
    assert "ausgelastet" in page
    assert 'name="q" value="Rahimi"' in page  # sent again with one tap
    assert 'action="/cases/"' in page
    assert response["Retry-After"] == "30"
    logged = [r.getMessage() for r in caplog.records if r.name == "caseworks.storage"]
    assert logged == ["Storage unavailable on POST /cases/: OperationalError"]
    assert "Rahimi" not in " ".join(logged)


def test_a_full_disk_on_sign_in_says_so_without_the_password(client, db, monkeypatch):
    refuse_session_saves(monkeypatch, "database or disk is full")
    user = make_user("new_colleague", "caseworker")
    user.set_password("Very-secret-1")
    user.save()
    response = client.post(
        "/accounts/login/",
        {"username": "new_colleague", "password": "Very-secret-1"},
        **GERMAN,
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert "Speicher" in page and "voll" in page
    assert 'name="username" value="new_colleague"' in page
    assert "Very-secret-1" not in page


def test_a_view_that_meets_a_locked_database_answers_busy_not_500(client, db, monkeypatch):
    user = make_user("busy_caseworker", "caseworker")
    client.force_login(user)

    _fail_queries_on(monkeypatch, "cases_case", OperationalError("database is locked"))
    client.raise_request_exception = False
    response = client.get("/cases/", **GERMAN)
    assert response.status_code == 503
    assert "ausgelastet" in response.content.decode()


def test_other_database_errors_stay_errors(client, db, monkeypatch):
    """Only a busy or full storage is the user's to wait for; anything else is a fault."""
    user = make_user("busy_caseworker", "caseworker")
    client.force_login(user)

    _fail_queries_on(monkeypatch, "cases_case", IntegrityError("a bug"))
    client.raise_request_exception = False
    assert client.get("/cases/").status_code == 500


def test_a_form_too_large_answers_413_naming_the_limit(client, db):
    user = make_user("typing_caseworker", "caseworker")
    client.force_login(user)
    body = urlencode({"q": "x" * (3 * 1024 * 1024)})
    response = client.post(
        "/cases/", body, content_type="application/x-www-form-urlencoded", **GERMAN
    )
    assert response.status_code == 413
    page = response.content.decode()
    assert "höchstens 2.5 MB" in page
    assert "(3.0 MB)" in page
    assert "Nichts wurde gespeichert" in page


def test_a_multipart_form_with_too_much_text_answers_413_too(client, db):
    """Within the upload limit, but its text fields over Django's limit: found while reading."""
    user = make_user("typing_caseworker", "caseworker")
    client.force_login(user)
    response = client.post("/cases/", {"q": "x" * (3 * 1024 * 1024)}, **GERMAN)
    assert response.status_code == 413
    assert "höchstens 2.5 MB" in response.content.decode()


def test_an_upload_is_refused_by_size_only_far_past_its_limit(client, db, settings):
    """Uploads have their own limit, which the documents' upload handler enforces while the
    file arrives (the form comes back with what was typed); a body four times past it is
    refused before it is read."""
    settings.CASEWORKS_DOCUMENT_MAX_MB = 2
    user = make_user("uploading_caseworker", "caseworker")
    client.force_login(user)
    photo = SimpleUploadedFile("a.jpg", b"\xff" * (5 * 1024 * 1024))
    response = client.post("/cases/", {"file": photo, "q": "x"})
    assert response.status_code == 302  # reached the view (the search redirect)
    big = SimpleUploadedFile("b.jpg", b"\xff" * (10 * 1024 * 1024))
    response = client.post("/cases/", {"file": big}, **GERMAN)
    assert response.status_code == 413
    assert "höchstens 9 MB" in response.content.decode()
