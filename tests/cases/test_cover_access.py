from cases.models import CoverAccess
from caseworks.models import AccessLog
from tests.helpers import open_case
from tests.security.test_plaintext_at_rest import all_rows_as_text


def test_a_team_case_asks_for_a_reason_first(client, alice, bob, team_a):
    case = open_case(bob, team_a, first_name="Nour", last_name="Haddad")
    client.force_login(alice)
    response = client.get(f"/cases/{case.code}/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.code}/cover/"
    html = client.get(f"/cases/{case.code}/cover/").content.decode()
    assert case.reference in html and "Nour" not in html and "Haddad" not in html
    assert client.get(f"/cases/{case.code}/history/").status_code == 404


def test_cover_is_refused_without_a_reason(client, alice, bob, team_a):
    case = open_case(bob, team_a)
    client.force_login(alice)
    response = client.post(f"/cases/{case.code}/cover/", {"reason": " "})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(f"/cases/{case.code}/cover/", {"reason": "krank"})
    assert "Say in a few words" in response.content.decode()
    assert not CoverAccess.objects.exists()
    assert not AccessLog.objects.filter(action="case.cover_access").exists()
    assert client.get(f"/cases/{case.code}/history/").status_code == 404


def test_cover_with_a_reason_is_logged_and_shown_to_supervisors(client, alice, bob, sam, team_a):
    case = open_case(bob, team_a)
    client.force_login(alice)
    reason = "Kollege krank, Termin Ausländerbehörde Zitronenfalter"
    assert client.post(f"/cases/{case.code}/cover/", {"reason": reason}).status_code == 302
    assert client.get(f"/cases/{case.code}/").status_code == 200
    entry = AccessLog.objects.get(action="case.cover_access")
    assert entry.user == alice and entry.object_code == case.code and entry.reason == reason
    assert "Zitronenfalter" not in all_rows_as_text()  # encrypted in the log
    client.force_login(sam)
    html = client.get("/supervision/").content.decode()
    assert "Cover access" in html and reason in html and case.reference in html


def test_no_cover_for_another_teams_case(client, alice, charlie_case):
    client.force_login(alice)
    assert client.get(f"/cases/{charlie_case.code}/").status_code == 404
    assert client.get(f"/cases/{charlie_case.code}/cover/").status_code == 404
    assert (
        client.post(
            f"/cases/{charlie_case.code}/cover/", {"reason": "ich brauche das dringend"}
        ).status_code
        == 404
    )


def test_search_shows_team_cases_by_reference_only(client, alice, bob, team_a):
    case = open_case(bob, team_a, first_name="Nour", last_name="Haddad")
    client.force_login(alice)
    response = client.get("/cases/", {"q": "Haddad"})
    html = response.content.decode()
    assert [c.pk for c in response.context["team_matches"]] == [case.pk]
    assert f"/cases/{case.code}/cover/" in html
    assert "Nour" not in html


def test_office_and_volunteers_get_no_cover(client, olga, vera, bob, team_a):
    case = open_case(bob, team_a)
    team_a.members.add(olga, vera)
    for user in (olga, vera):
        client.force_login(user)
        assert client.get(f"/cases/{case.code}/cover/").status_code == 404
