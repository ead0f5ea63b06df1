"""The volunteer reads a note written for them ("Hinweis für die Begleitung": meeting point,
what to bring), never the purpose from the case file; the caseworker's form warns, in German,
what not to write there. Accompaniments from before the note show an empty state."""

import datetime
import zoneinfo

import time_machine
from django.utils import timezone

from tests.visits.conftest import in_hours, plan
from visits.models import VOLUNTEER_NOTE_MAX, Accompaniment

PURPOSE = "Verlängerung der Grenzübertrittsbescheinigung"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NOTE = "Treffpunkt 9:45 am Haupteingang, Ausweis mitbringen"


def form_data(case, vera, **extra):
    data = {
        "client": case.clients.first().pk,
        "appointment_at": (timezone.localtime() + datetime.timedelta(hours=5)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "destination_text": "Zimmer 12",
        "destination_kind": "authority",
        "purpose": PURPOSE,
        "volunteer": vera.pk,
        "volunteer_note": NOTE,
    }
    data.update(extra)
    return data


def test_the_form_warns_in_german_what_not_to_write(client, alice, opened_case):
    client.force_login(alice)
    url = f"/cases/{opened_case.code}/accompaniments/new/"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'name="volunteer_note"' in html and "Hinweis für die Begleitung" in html
    assert 'id="volunteer-note-warning"' in html
    warning = html.split('id="volunteer-note-warning">')[1].split("</p>")[0]
    assert "Gesundheit" in warning and "Aufenthaltsstatus" in warning
    # The purpose says whose eyes it is for.
    assert "Nur für die Fallakte" in html


@time_machine.travel(datetime.datetime(2026, 12, 9, 8, 0, tzinfo=BERLIN), tick=True)
def test_the_volunteer_reads_the_note_and_never_the_purpose(client, alice, vera, opened_case):
    """At 8 in the morning: the appointment (in five hours) is today, so the volunteer may
    already say it did not take place (from the day on, issue 36)."""
    client.force_login(alice)
    response = client.post(
        f"/cases/{opened_case.code}/accompaniments/new/", form_data(opened_case, vera)
    )
    assert response.status_code == 302, response.context["form"].errors
    a = Accompaniment.objects.get()
    assert (a.volunteer_note, a.purpose) == (NOTE, PURPOSE)
    caseworker = client.get(f"/cases/{opened_case.code}/accompaniments/{a.code}/")
    assert NOTE in caseworker.content.decode() and PURPOSE in caseworker.content.decode()

    client.force_login(vera)
    responses = [
        client.get(url, HTTP_ACCEPT_LANGUAGE="de")
        for url in (
            f"/volunteer/{a.code}/",
            "/volunteer/",
            f"/volunteer/{a.code}/did-not-take-place/",
        )
    ]
    assert [r.status_code for r in responses] == [200] * 3
    pages = "".join(r.content.decode() for r in responses)
    assert NOTE in pages and "Hinweis für die Begleitung" in pages
    assert "Grenzübertritt" not in pages


def test_the_note_is_changed_through_the_versioned_edit(client, alice, vera, opened_case):
    a = plan(alice, opened_case, when=in_hours(30), volunteer=vera, volunteer_note="alt")
    client.force_login(alice)
    url = f"/cases/{opened_case.code}/accompaniments/{a.code}/edit/"
    data = form_data(opened_case, vera, version=a.version, volunteer_note=NOTE)
    assert client.post(url, data).status_code == 302
    a.refresh_from_db()
    assert a.volunteer_note == NOTE and a.version == 2
    # Posting the old version again is refused: the note is not silently overwritten.
    stale = client.post(url, {**data, "version": 1, "volunteer_note": "überschrieben"})
    assert stale.status_code == 200
    a.refresh_from_db()
    assert a.volunteer_note == NOTE


def test_the_note_is_short(client, alice, vera, opened_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{opened_case.code}/accompaniments/new/",
        form_data(opened_case, vera, volunteer_note="x" * (VOLUNTEER_NOTE_MAX + 1)),
    )
    assert response.status_code == 200
    assert "volunteer_note" in response.context["form"].errors
    assert not Accompaniment.objects.exists()


def test_an_older_accompaniment_shows_an_empty_state_not_the_purpose(
    client, alice, vera, opened_case
):
    a = plan(alice, opened_case, when=in_hours(3), volunteer=vera, purpose=PURPOSE)
    assert a.volunteer_note == ""  # as the migration leaves every existing one
    client.force_login(vera)
    html = client.get(f"/volunteer/{a.code}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Für diese Begleitung gibt es keinen Hinweis" in html
    assert "Grenzübertritt" not in html
