import pytest

from tests.visits.conftest import in_hours, plan, record
from visits.models import Accompaniment


@pytest.fixture
def assigned(alice, opened_case, authority, vera):
    person = opened_case.clients.first()
    from cases.services import client_update

    client_update(
        actor=alice, client=person, expected_version=person.version, data={"phone": "0151 2222333"}
    )
    return plan(
        alice,
        opened_case,
        when=in_hours(-2),
        service=authority,
        accompanied_by=vera,
        interpreter_language="Dari",
    )


def test_the_volunteer_sees_only_what_the_accompaniment_needs(client, vera, assigned, opened_case):
    client.force_login(vera)
    listing = client.get("/volunteer/")
    assert [a.pk for a in listing.context["planned"]] == [assigned.pk]
    html = client.get(f"/volunteer/{assigned.code}/").content.decode()
    assert "Ahmad" in html and "0151 2222333" in html and "Dari" in html
    assert "Verlängerung der Gestattung" not in html  # the purpose is the case file's
    # An accompaniment planned before the note existed: an empty state, not the purpose.
    assert "No note for this accompaniment" in html
    assert "Karimi" not in html  # no last name
    assert "Am Bahnhof" not in html  # nor the accommodation address
    assert opened_case.reference not in html


def test_the_volunteer_marks_it_done_with_a_short_note(client, vera, assigned):
    client.force_login(vera)
    response = client.post(
        f"/volunteer/{assigned.code}/",
        {"version": assigned.version, "outcome": "Termin hat stattgefunden"},
    )
    assert response.status_code == 302
    done = Accompaniment.objects.get(pk=assigned.pk)
    assert done.status == "done" and done.outcome == "Termin hat stattgefunden"
    assert done.history.first().history_user == vera


def test_not_before_the_appointment(client, alice, vera, opened_case, authority):
    future = plan(alice, opened_case, when=in_hours(5), service=authority, accompanied_by=vera)
    client.force_login(vera)
    response = client.post(
        f"/volunteer/{future.code}/", {"version": future.version, "outcome": "x"}
    )
    assert response.status_code == 200
    assert "before its appointment time" in response.content.decode()
    assert Accompaniment.objects.get(pk=future.pk).status == "planned"


def test_the_volunteer_gets_404_everywhere_else(
    client, alice, vera, opened_case, authority, first_visit
):
    other = plan(alice, opened_case, when=in_hours(-3), service=authority, accompanied_by=alice)
    visit = record(alice, opened_case)
    client.force_login(vera)
    for url in [
        "/cases/",
        "/cases/new/",
        f"/cases/{opened_case.code}/",
        f"/cases/{opened_case.code}/history/",
        f"/cases/{opened_case.code}/visits/{visit.code}/",
        f"/cases/{opened_case.code}/accompaniments/{other.code}/edit/",
        f"/volunteer/{other.code}/",
        "/visits/week/",
    ]:
        assert client.get(url).status_code == 404, url


def test_others_cannot_use_the_volunteer_pages(client, alice, assigned):
    client.force_login(alice)
    assert client.get("/volunteer/").status_code == 404
    assert client.get(f"/volunteer/{assigned.code}/").status_code == 404


def test_the_volunteers_view_is_in_the_access_log(client, vera, assigned):
    from caseworks.models import AccessLog

    client.force_login(vera)
    client.get(f"/volunteer/{assigned.code}/")
    entry = AccessLog.objects.get(action="accompaniment.viewed")
    assert entry.user == vera and entry.object_code == assigned.code
