"""What office and volunteer users can fetch never carries notes, reasons or health details;
a POST with fields a form does not offer changes none of them."""

import hashlib
import io

from django.db import connection
from pypdf import PdfReader

from tests.security.world import ACCOMPANIMENT_NOTE, MARKERS, fill, walk_urls

SKIPPED_TABLES = {
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "caseworks_accesslog",
}


def snapshot() -> dict[str, str]:
    """A digest of every row of every table (sign-in bookkeeping and the access log aside)."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in SKIPPED_TABLES:
                continue
            columns = "*"
            if table == "auth_user":  # last_login moves with every sign-in
                columns = "id, username, password, is_superuser, is_staff, is_active"
            cursor.execute(f"SELECT {columns} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8", errors="replace")


def test_office_and_volunteers_never_see_notes_reasons_or_health_details(client, world):
    users, a, b = world
    fetched = []
    for username in ("olga", "vera"):
        client.force_login(users[username])
        pages = []
        for pattern, name in walk_urls():
            if name == "logout":
                continue
            for objects in (a, b):
                response = client.get(fill(name, pattern, objects.params), follow=True)
                if response.status_code == 200:
                    pages.append((name, _text(response)))
        if username == "olga":
            # The batch print: the letters as one PDF, then marked sent.
            queue = client.get("/referrals/print-queue/")
            assert queue.status_code == 200 and a.params["_case"].reference in _text(queue)
            batch = client.post(
                "/referrals/print-queue/",
                {"referral": [a.params["referral_code"]], "action": "print"},
            )
            pages.append(("batch print", _text(batch)))
            letter = client.get(f"/referrals/{a.params['referral_code']}/letter.pdf")
            assert letter.status_code == 200
            pages.append(("letter", _text(letter)))
        if username == "vera":
            detail = client.get(f"/volunteer/{a.params['accompaniment_code']}/")
            # The note written for her, not the case file's purpose (a marker, checked below).
            assert ACCOMPANIMENT_NOTE in _text(detail)
            pages.append(("accompaniment", _text(detail)))
        for name, text in pages:
            for marker in MARKERS.values():
                assert marker not in text, f"{marker} shown to {username} on {name}"
        fetched.append(len(pages))
    assert min(fetched) >= 5  # the walk really reached their pages


def test_the_markers_are_visible_to_the_caseworker(client, world):
    """The same walk as alice finds the markers: the test above can fail."""
    users, a, _b = world
    client.force_login(users["alice"])
    seen = ""
    for pattern, name in walk_urls():
        if name in ("logout",):
            continue
        response = client.get(fill(name, pattern, a.params), follow=True)
        if response.status_code == 200:
            seen += _text(response)
    for key in (
        "visit_notes",
        "referral_reason",
        "accompaniment_outcome",
        "deadline_title",
        "contact_note",
        "task_title",
        "document_title",
        "need_notes",
        "special_need_note",
        "accompaniment_purpose",
    ):
        assert MARKERS[key] in seen, key
