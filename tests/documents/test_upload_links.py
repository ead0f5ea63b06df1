"""Uploads start where the paper belongs: the person and their current status, a reference
number, a deadline, a consent — each link preselects it on the upload form."""

import re

from cases import services
from referrals.models import Consent
from tests.helpers import TODAY
from tests.referrals.conftest import consent


def _selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)
    assert select, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen.group(1) if chosen else None


def _links(page: str, case) -> list[str]:
    return [
        link.replace("&amp;", "&")
        for link in re.findall(rf'href="(/cases/{case.code}/documents/new/\?[^"]+)"', page)
    ]


def test_the_case_file_links_the_person_and_current_status(client, alice, alice_case):
    client.force_login(alice)
    person = alice_case.clients.get()
    status = person.current_status()
    links = _links(client.get(f"/cases/{alice_case.code}/").content.decode(), alice_case)
    link = next(u for u in links if f"client={person.code}" in u)
    assert f"status={status.code}" in link and "kind=residence" in link
    form = client.get(link).content.decode()
    assert _selected(form, "client") == str(person.pk)
    assert _selected(form, "status") == str(status.pk)


def test_a_deadline_and_a_reference_number_link_their_upload(client, alice, alice_case):
    client.force_login(alice)
    person = alice_case.clients.get()
    deadline = services.deadline_add(
        actor=alice, case=alice_case, title="Widerspruch", due_on=TODAY
    )
    page = client.get(f"/cases/{alice_case.code}/deadlines/").content.decode()
    link = next(u for u in _links(page, alice_case) if f"deadline={deadline.code}" in u)
    assert _selected(client.get(link).content.decode(), "deadline") == str(deadline.pk)
    reference = services.client_reference_save(
        actor=alice, client=person, data={"kind": "passport", "number": "P1234567"}
    )
    page = client.get(f"/cases/{alice_case.code}/clients/{person.code}/numbers/").content.decode()
    link = next(u for u in _links(page, alice_case) if f"reference={reference.code}" in u)
    assert _selected(client.get(link).content.decode(), "reference") == str(reference.pk)


def test_a_consent_links_the_upload_of_its_signed_form(client, alice, alice_case, mbe):
    given = consent(alice, alice_case, mbe)
    assert Consent.objects.filter(pk=given.pk).exists()
    client.force_login(alice)
    links = _links(client.get(f"/cases/{alice_case.code}/").content.decode(), alice_case)
    assert any(f"client={given.client.code}" in u and "kind=consent" in u for u in links)
