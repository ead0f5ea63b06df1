import datetime

import pytest

from cases import services
from caseworks.models import AccessLog
from tests.helpers import TODAY, open_case


def test_it_shows_the_household_and_current_statuses(client, alice, alice_case):
    services.client_create(
        actor=alice,
        case=alice_case,
        data={"first_name": "Zahra", "last_name": "Karimi", "relationship": "child"},
    )
    client.force_login(alice)
    html = client.get(f"/cases/{alice_case.code}/").content.decode()
    assert "Ahmad Karimi" in html and "Zahra Karimi" in html
    assert "Permission to reside" in html
    assert "Am Bahnhof 3" in html


def test_it_shows_expiring_and_expired_documents_plainly(client, alice, team_a):
    case = open_case(alice, team_a, valid_until=TODAY + datetime.timedelta(days=5))
    member = services.client_create(
        actor=alice,
        case=case,
        data={"first_name": "Omar", "last_name": "Karimi", "relationship": "spouse"},
    )
    services.residence_status_add(
        actor=alice,
        client=member,
        data={
            "kind": "toleration",
            "valid_from": TODAY - datetime.timedelta(days=90),
            "valid_until": TODAY - datetime.timedelta(days=2),
        },
    )
    client.force_login(alice)
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert "badge-warning" in html and "expires on" in html
    assert "badge-danger" in html and "expired on" in html


def test_it_logs_every_opening(client, alice, alice_case):
    client.force_login(alice)
    client.get(f"/cases/{alice_case.code}/")
    client.get(f"/cases/{alice_case.code}/history/")
    entries = AccessLog.objects.order_by("at")
    assert [e.action for e in entries] == ["case.viewed", "case.history_viewed"]
    assert entries[0].user == alice and entries[0].object_code == alice_case.code
    assert entries[0].object_label == alice_case.reference


def test_it_is_not_stored_by_browsers(client, alice, alice_case):
    client.force_login(alice)
    response = client.get(f"/cases/{alice_case.code}/")
    assert "no-store" in response["Cache-Control"]


CASE_URLS = [
    "/cases/{code}/",
    "/cases/{code}/history/",
    "/cases/{code}/edit/",
    "/cases/{code}/clients/new/",
    "/cases/{code}/share/",
    "/cases/{code}/assign/",
]


@pytest.mark.parametrize("url", CASE_URLS)
@pytest.mark.parametrize("who", ["charlie", "sue", "bob", "olga", "vera", "adam"])
def test_it_checks_ownership(client, request, alice_case, url, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get(url.format(code=alice_case.code))
    if who == "bob" and url == "/cases/{code}/":
        # A team colleague is offered cover access (with a reason), nothing more.
        assert response.status_code == 302
        assert response["Location"] == f"/cases/{alice_case.code}/cover/"
    else:
        assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_it_checks_ownership_of_clients(client, alice, charlie_case, alice_case):
    other = charlie_case.clients.get()
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/clients/{other.code}/edit/"
    assert client.get(url).status_code == 404
    assert (
        client.get(f"/cases/{alice_case.code}/clients/{other.code}/status/new/").status_code == 404
    )


def test_a_supervisor_opens_the_team_case(client, sam, alice_case):
    client.force_login(sam)
    response = client.get(f"/cases/{alice_case.code}/")
    assert response.status_code == 200
    assert f"/cases/{alice_case.code}/assign/" in response.content.decode()


def test_an_unknown_case_is_404(client, alice):
    client.force_login(alice)
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_it_flags_an_overdue_next_visit(client, alice, team_a):
    case = open_case(alice, team_a, next_visit_due=TODAY - datetime.timedelta(days=1))
    client.force_login(alice)
    assert "(overdue)" in client.get(f"/cases/{case.code}/").content.decode()
    assert "(overdue)" in client.get("/cases/").content.decode()
