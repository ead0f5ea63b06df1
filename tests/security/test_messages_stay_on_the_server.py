"""Flash messages can name a case or repeat a refusal's reason: they live in the server-side
session, never in a cookie (a signed cookie is readable by whoever holds it)."""

from tests.helpers import open_case


def test_a_flash_message_travels_in_the_session_not_in_a_cookie(client, alice, team_a):
    client.force_login(alice)
    case = open_case(alice, team_a)
    response = client.post(
        f"/cases/{case.code}/edit/",
        {"opened_on": case.opened_on.isoformat(), "version": case.version},
    )
    assert response.status_code == 302
    assert "messages" not in response.cookies
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Case saved."]
    assert "messages" not in page.cookies
