"""The case file on a phone: the family's name in every heading, the action bar, one save
per filled-in form, intake and household prefill, no "---------" choices."""

import re

import pytest

from cases import services
from cases.models import Appointment, Client, ClientReference, Contact, Deadline, Task
from tests.helpers import TODAY


def test_the_family_name_heads_the_case_file_and_the_pages_under_it(client, alice, alice_case):
    client.force_login(alice)
    code = alice_case.code
    for url in (
        f"/cases/{code}/",
        f"/cases/{code}/history/",
        f"/cases/{code}/deadlines/",
        f"/cases/{code}/contacts/new/",
        f"/cases/{code}/tasks/new/",
        f"/cases/{code}/edit/",
        f"/cases/{code}/visits/new/",
    ):
        page = client.get(url).content.decode()
        heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
        assert "Ahmad Karimi" in heading, url


def test_the_action_bar_offers_the_frequent_actions_first(client, alice, alice_case):
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/").content.decode()
    bar = re.search(r'<nav class="action-bar".*?</nav>', page, re.S).group(0)
    assert f"/cases/{alice_case.code}/visits/new/" in bar
    assert f"/cases/{alice_case.code}/contacts/new/" in bar
    assert f"/cases/{alice_case.code}/accompaniments/new/" in bar
    assert f"/cases/{alice_case.code}/deadlines/" in bar
    # Before the household and the panels: reachable without scrolling.
    assert page.index('class="action-bar"') < page.index('id="household-heading"')


def _post_twice(client, url, data):
    page = client.get(url).content.decode()
    token = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    first = client.post(url, {**data, "submission": token})
    second = client.post(url, {**data, "submission": token})
    return first, second


@pytest.mark.parametrize(
    "path, data, model",
    [
        ("contacts/new/", {"kind": "phone", "date": str(TODAY), "duration_minutes": "10"}, Contact),
        ("tasks/new/", {"title": "Anrufen", "due_on": str(TODAY)}, Task),
        (
            "appointments/new/",
            {"kind": "school", "starts_at": f"{TODAY}T09:00"},
            Appointment,
        ),
        (
            "deadlines/",
            {"action": "manual", "deadline-title": "Widerspruch", "deadline-due_on": str(TODAY)},
            Deadline,
        ),
    ],
)
def test_the_same_form_posted_twice_saves_once(client, alice, alice_case, path, data, model):
    client.force_login(alice)
    first, second = _post_twice(client, f"/cases/{alice_case.code}/{path}", data)
    assert first.status_code == 302
    assert model.objects.filter(case=alice_case).count() == 1
    # The same form's token: the second tap goes where the first went (issue 36).
    assert second.status_code == 302 and second.url == first.url
    assert f"/cases/{alice_case.code}/" in second.url


def test_a_household_member_posted_twice_is_added_once(client, alice, alice_case):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/clients/new/"
    data = {
        "client-relationship": "child",
        "client-first_name": "Lina",
        "client-last_name": "Karimi",
        "client-gender": "female",
    }
    first, second = _post_twice(client, url, data)
    assert first.status_code == 302
    assert alice_case.clients.count() == 2
    assert second.status_code == 302 and second.url == first.url


def test_a_status_and_a_number_posted_twice_are_saved_once(client, alice, alice_case):
    client.force_login(alice)
    person = alice_case.clients.get()
    base = f"/cases/{alice_case.code}/clients/{person.code}"
    _post_twice(
        client,
        f"{base}/status/new/",
        {"kind": "settlement_permit", "valid_from": str(TODAY)},
    )
    assert person.statuses.count() == 2
    _post_twice(client, f"{base}/numbers/", {"kind": "azr", "number": "123"})
    assert person.references.filter(kind="azr").count() == 1


def test_a_new_member_starts_from_the_main_contact(client, alice, alice_case):
    main = alice_case.clients.get()
    services.client_update(
        actor=alice,
        client=main,
        expected_version=main.version,
        data={"nationality": "SY", "languages": "Arabisch"},
    )
    client.force_login(alice)
    response = client.get(f"/cases/{alice_case.code}/clients/new/")
    initial = response.context["client_form"].initial
    assert initial["last_name"] == "Karimi" and initial["nationality"] == "SY"
    assert initial["languages"] == ["ara"]
    assert response.context["status_form"].initial["kind"] == "permission_to_reside"
    assert "document_number" not in response.context["status_form"].initial


def test_the_bamf_file_number_is_entered_at_intake(client, alice, team_a):
    client.force_login(alice)
    response = client.post(
        "/cases/new/",
        {
            "step": "create",
            "intake-team": team_a.pk,
            "client-first_name": "Samira",
            "client-last_name": "Nouri",
            "client-gender": "female",
            "status-kind": "permission_to_reside",
            "status-valid_from": str(TODAY),
            "status-valid_until": str(TODAY.replace(year=TODAY.year + 1)),
            "case-opened_on": str(TODAY),
            "bamf-bamf_number": "8765432-423",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Client.objects.get(case__team=team_a)
    assert ClientReference.objects.get(client=person, kind="bamf").number == "8765432-423"


def test_no_select_in_the_cases_forms_starts_with_dashes(client, alice, sam, alice_case):
    client.force_login(alice)
    person = alice_case.clients.get()
    code = alice_case.code
    urls = [
        f"/cases/{code}/clients/new/",
        f"/cases/{code}/clients/{person.code}/edit/",
        f"/cases/{code}/clients/{person.code}/status/new/",
        f"/cases/{code}/clients/{person.code}/numbers/",
        f"/cases/{code}/deadlines/",
        f"/cases/{code}/tasks/new/",
        f"/cases/{code}/appointments/new/",
        f"/cases/{code}/contacts/new/",
    ]
    for url in urls:
        page = client.get(url).content.decode()
        assert "-----" not in page and "──" not in page, url
    page = client.get(f"/cases/{code}/clients/{person.code}/edit/").content.decode()
    assert 'type="tel"' in page


def test_the_history_wraps_long_values(client, alice, alice_case):
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/history/").content.decode()
    assert 'data-label="before"' in page and "css/casefile.css" in page
