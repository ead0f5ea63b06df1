import datetime

from cases import services
from cases.models import ClientReference
from tests.helpers import TODAY, open_case
from tests.security.test_plaintext_at_rest import all_rows_as_text

DAY = datetime.timedelta(days=1)


def test_a_reference_number_is_recorded_encrypted_and_searchable(client, alice, alice_case):
    person = alice_case.clients.get()
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/clients/{person.code}/numbers/"
    response = client.post(url, {"kind": "bamf", "number": "8123456-439"})
    assert response.status_code == 302
    assert ClientReference.objects.get().number == "8123456-439"
    assert "8123456" not in all_rows_as_text()
    found = client.get("/cases/", {"q": "8123456 439"}).context["page"]
    assert [c.pk for c in found] == [alice_case.pk]


def test_a_passport_expiry_feeds_the_expiry_alerts(client, alice, team_a):
    case = open_case(alice, team_a)  # residence document valid for 150 days
    services.client_reference_save(
        actor=alice,
        client=case.clients.get(),
        data={"kind": "passport", "number": "P123", "valid_until": TODAY + 10 * DAY},
    )
    open_case(alice, team_a)
    client.force_login(alice)
    found = client.get("/cases/", {"expiring": "on"}).context["page"]
    assert [c.pk for c in found] == [case.pk]
    assert "expires on" in client.get(f"/cases/{case.code}/").content.decode()


def test_the_end_of_a_residence_obligation_is_tracked_without_a_number(client, alice, alice_case):
    person = alice_case.clients.get()
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/clients/{person.code}/numbers/"
    assert (
        client.post(
            url, {"kind": "residence_obligation", "valid_until": str(TODAY - DAY)}
        ).status_code
        == 302
    )
    found = client.get("/cases/", {"expiring": "on"}).context["page"]
    assert [c.pk for c in found] == [alice_case.pk]
    response = client.post(url, {"kind": "azr"})
    assert "Enter the number, an end date, or both" in response.content.decode()


def test_another_team_cannot_see_or_add_numbers(client, charlie, alice_case):
    person = alice_case.clients.get()
    client.force_login(charlie)
    url = f"/cases/{alice_case.code}/clients/{person.code}/numbers/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "bamf", "number": "1"}).status_code == 404
    assert not ClientReference.objects.exists()


def test_two_editors_of_one_number_do_not_overwrite_each_other(client, alice, bob, alice_case):
    person = alice_case.clients.get()
    reference = services.client_reference_save(
        actor=alice, client=person, data={"kind": "passport", "number": "P111"}
    )
    url = f"/cases/{alice_case.code}/clients/{person.code}/numbers/{reference.code}/"
    client.force_login(alice)
    loaded = {"kind": "passport", "version": reference.version}
    first = client.post(url, {**loaded, "number": "P222"})  # another tab saves first
    assert first.status_code == 302
    response = client.post(url, {**loaded, "number": "P333"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in html and 'value="P333"' in html
    assert ClientReference.objects.get(pk=reference.pk).number == "P222"
    again = client.post(url, {**loaded, "number": "P333", "version": reference.version + 1})
    assert again.status_code == 302
    assert ClientReference.objects.get(pk=reference.pk).number == "P333"
