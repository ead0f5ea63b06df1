"""The visit and accompaniment forms save once (caseworks.web.submissions): Back and "save"
again shows "already saved" with a link to what was saved; a double tap goes there."""

import datetime
import re

from django.utils import timezone

from visits.models import Accompaniment, Visit


def token(page) -> str:
    return re.search(r'name="submission" value="([^"]+)"', page.content.decode()).group(1)


def visit_data(case, submission):
    return {
        "date": str(timezone.localdate()),
        "duration_minutes": "45",
        "place": "office",
        "present": [c.pk for c in case.clients.all()],
        "topics": ["housing"],
        "submission": submission,
    }


def test_a_visit_sent_again_after_back_is_saved_once(client, alice, opened_case, first_visit):
    client.force_login(alice)
    url = f"/cases/{opened_case.code}/visits/new/"
    first = client.post(url, visit_data(opened_case, token(client.get(url))))
    assert first.status_code == 302
    # Back loads the form anew (a new token) with what was typed: recognised by its content.
    again = client.post(url, visit_data(opened_case, token(client.get(url))))
    assert again.status_code == 200
    assert "already saved" in again.content.decode().lower()
    saved = Visit.objects.get(kind="follow_up")
    assert f'href="/cases/{opened_case.code}/visits/{saved.code}/"' in again.content.decode()
    assert Visit.objects.filter(kind="follow_up").count() == 1


def test_a_double_tap_on_the_first_visit_saves_one(client, alice, opened_case):
    client.force_login(alice)
    url = f"/cases/{opened_case.code}/visits/new/"
    sent = token(client.get(url))
    first = client.post(url, visit_data(opened_case, sent))
    assert first.status_code == 302
    changed = {**visit_data(opened_case, sent), "duration_minutes": "50"}
    repeat = client.post(url, changed)
    # The same form's token: the second tap goes where the first went (issue 36).
    assert repeat.status_code == 302 and repeat.url == first.url
    assert Visit.objects.count() == 1 and opened_case.arrival_checks.count() == 6


def test_an_accompaniment_sent_twice_is_planned_once(client, alice, opened_case, authority):
    client.force_login(alice)
    url = f"/cases/{opened_case.code}/accompaniments/new/"
    data = {
        "client": opened_case.clients.first().pk,
        "appointment_at": (timezone.localtime() + datetime.timedelta(days=3)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "service": authority.pk,
        "purpose": "Verlängerung",
        "accompanied_by": alice.pk,
    }
    sent = token(client.get(url))
    assert client.post(url, {**data, "submission": sent}).status_code == 302
    again = client.post(url, {**data, "submission": token(client.get(url))})
    saved = Accompaniment.objects.get()
    assert "already saved" in again.content.decode().lower()
    assert f"/cases/{opened_case.code}/accompaniments/{saved.code}/" in again.content.decode()
    assert Accompaniment.objects.count() == 1


def test_a_different_visit_is_saved(client, alice, opened_case, first_visit):
    client.force_login(alice)
    url = f"/cases/{opened_case.code}/visits/new/"
    assert client.post(url, visit_data(opened_case, token(client.get(url)))).status_code == 302
    other = {**visit_data(opened_case, token(client.get(url))), "topics": ["health"]}
    assert client.post(url, other).status_code == 302
    assert Visit.objects.filter(kind="follow_up").count() == 2
