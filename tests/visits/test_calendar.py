import datetime

from icalendar import Calendar

from cases import services as case_services
from tests.visits.conftest import TODAY, in_hours, plan


def new_feed_url(client):
    response = client.post("/visits/calendar/")
    assert response.status_code == 200
    url = response.context["feed_url"]
    assert url.startswith("http://testserver/visits/calendar/") and url.endswith(".ics")
    return url.removeprefix("http://testserver")


def test_the_feed_is_valid_icalendar_without_client_names(
    client, alice, opened_case, first_visit, authority
):
    plan(alice, opened_case, when=in_hours(48), service=authority)
    case_services.case_set_next_visit_due(
        actor=alice, case=opened_case, next_visit_due=TODAY + datetime.timedelta(days=5)
    )
    client.force_login(alice)
    url = new_feed_url(client)
    client.logout()
    response = client.get(url)  # calendar apps do not log in
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    calendar = Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2
    summaries = " ".join(str(e["SUMMARY"]) for e in events)
    assert opened_case.reference in summaries
    # Neither the directory entry nor its address: "Ausländerbehörde" hints at the status.
    assert "Ausländerbehörde" not in body and "Rathausplatz" not in body
    assert "LOCATION" not in body
    for person in opened_case.clients.all():
        assert person.first_name not in body and person.last_name not in body
    assert "Verlängerung" not in body  # the purpose stays out


def test_free_text_destinations_stay_out_of_the_feed(client, alice, opened_case, first_visit):
    plan(alice, opened_case, when=in_hours(48), destination_text="Praxis Dr. Weiß mit Ahmad")
    client.force_login(alice)
    body = client.get(new_feed_url(client)).content.decode()
    assert "Weiß" not in body and "Ahmad" not in body
    assert opened_case.reference in body


def test_renewing_stops_the_old_address(client, alice):
    client.force_login(alice)
    old = new_feed_url(client)
    assert client.get(old).status_code == 200
    new = new_feed_url(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_an_unknown_token_is_404(client, db):
    assert client.get("/visits/calendar/not-a-token.ics").status_code == 404


def test_the_token_is_stored_only_as_a_hash(client, alice):
    from visits.models import CalendarToken

    client.force_login(alice)
    token = new_feed_url(client).split("/")[-1].removesuffix(".ics")
    stored = CalendarToken.objects.get(user=alice).token_hash
    assert token not in stored and len(stored) == 64


def test_a_deactivated_user_has_no_feed(client, alice):
    client.force_login(alice)
    url = new_feed_url(client)
    alice.is_active = False
    alice.save()
    assert client.get(url).status_code == 404
