"""A shortcut to a new referral (the case plan suggests a service) preselects the person and
the service; a value from outside the case preselects nothing and saves nothing."""

import re

import pytest

from tests.helpers import make_mbe

pytestmark = pytest.mark.django_db


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"[^>]*selected', select)


def test_the_shortcut_preselects_person_and_service(client, alice, alice_case, charlie_case):
    service = make_mbe()
    person = alice_case.clients.get()
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/referrals/new/"
    html = client.get(f"{url}?client={person.pk}&service={service.pk}").content.decode()
    assert _selected(html, "client") == [str(person.pk)]
    assert _selected(html, "service") == [str(service.pk)]
    stranger = charlie_case.clients.get()
    html = client.get(f"{url}?client={stranger.pk}&service=999999").content.decode()
    assert str(stranger.pk) not in _selected(html, "client")
    assert _selected(html, "service") == []
