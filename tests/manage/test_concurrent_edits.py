"""Two administrators editing the same team, organisation, service or account: the second
save is refused with a clear "changed meanwhile" message, the form comes back with what was
typed, nothing of the first save is lost, and saving again then works."""

import re

import pytest
from django.test import Client

from caseworks.house.services import account_state
from caseworks.models import Organisation, Service, Team
from tests.helpers import make_user

CHANGED = "while you were editing"


@pytest.fixture
def ben(db):
    """A second administrator (the cast's adam holds the role as well; a name reads better)."""
    return make_user("ben", "admin", first_name="Ben", last_name="Berger")


@pytest.fixture
def ben_client(ben):
    client = Client()
    client.force_login(ben)
    return client


def loaded(client, url) -> dict:
    """The form on `url` as the browser would send it back unchanged."""
    form = client.get(url).context["form"]
    data: dict = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = value
    return data


def refused(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert CHANGED in html and "Nothing was saved" in html
    return html


def test_a_team_changed_meanwhile(admin_client, ben_client, ben, team_a, alice, bob, sam):
    url = f"/manage/teams/{team_a.code}/"
    mine = loaded(admin_client, url)
    theirs = loaded(ben_client, url)
    assert ben_client.post(url, {**theirs, "members": [alice.pk, bob.pk]}).status_code == 302
    response = admin_client.post(url, {**mine, "name": "Team Nord", "supervisors": [sam.pk]})
    html = refused(response)
    assert "Ben Berger" in html and "members" in html  # who changed what
    form = response.context["form"]
    assert form["name"].value() == "Team Nord"  # what ada typed is kept
    team_a.refresh_from_db()
    assert team_a.name == "Team A" and set(team_a.members.all()) == {alice, bob}
    # The form now carries the current version: saving again (after checking) works.
    again = {**loaded_from(form), "members": [alice.pk, bob.pk]}
    assert admin_client.post(url, again).status_code == 302
    team_a.refresh_from_db()
    assert team_a.name == "Team Nord" and set(team_a.supervisors.all()) == {sam}
    assert set(team_a.members.all()) == {alice, bob}


def loaded_from(form) -> dict:
    """A re-rendered (bound) form's data as the browser sends it again."""
    return {key: form.data.getlist(key) for key in form.data}


def test_an_organisation_changed_meanwhile(admin_client, ben_client, org_a):
    url = f"/manage/organisations/{org_a.code}/"
    mine = loaded(admin_client, url)
    theirs = loaded(ben_client, url)
    assert ben_client.post(url, {**theirs, "retention_years": "5"}).status_code == 302
    response = admin_client.post(url, {**mine, "phone": "0123 456"})
    refused(response)
    assert response.context["form"]["phone"].value() == "0123 456"
    org_a.refresh_from_db()
    assert (org_a.retention_years, org_a.phone) == (5, "")
    assert admin_client.post(url, loaded_from(response.context["form"])).status_code == 302
    org_a.refresh_from_db()
    assert org_a.phone == "0123 456" and org_a.retention_years == 3  # ada's page said 3


def test_a_service_changed_meanwhile_or_deactivated(admin_client, ben_client, mbe):
    url = f"/manage/services/{mbe.code}/"
    mine = loaded(admin_client, url)
    theirs = loaded(ben_client, url)
    assert ben_client.post(url, {**theirs, "phone": "0800 1"}).status_code == 302
    response = admin_client.post(url, {**mine, "languages": ["deu", "pes"]})
    refused(response)
    mbe.refresh_from_db()
    assert (mbe.phone, mbe.languages) == ("0800 1", [])
    # Deactivating is a change too: a form loaded before it is refused as well.
    mine = loaded(admin_client, url)
    ben_client.post(f"/manage/services/{mbe.code}/deactivate/")
    refused(admin_client.post(url, {**mine, "notes": "Termine nur dienstags"}))
    mbe.refresh_from_db()
    assert not mbe.is_active and mbe.notes == ""


def test_an_account_changed_meanwhile(admin_client, ben_client, ben, alice, team_a, team_b):
    url = f"/manage/users/{alice.manage_code.code}/"
    mine = loaded(admin_client, url)
    theirs = loaded(ben_client, url)
    assert mine["version"] == theirs["version"]
    saved = ben_client.post(url, {**theirs, "roles": ["caseworker", "supervisor"]})
    assert saved.status_code == 302
    response = admin_client.post(url, {**mine, "first_name": "Alicia", "teams": [team_b.pk]})
    refused(response)
    [message] = response.context["form"].non_field_errors()
    assert "Ben Berger" in message and "(roles)" in message  # the teams were not changed
    assert response.context["form"]["first_name"].value() == "Alicia"
    alice.refresh_from_db()
    assert alice.first_name == "Alice" and list(alice.teams.all()) == [team_a]
    assert set(alice.groups.values_list("name", flat=True)) == {"caseworker", "supervisor"}
    again = loaded_from(response.context["form"])
    again["roles"] = ["caseworker", "supervisor"]
    assert admin_client.post(url, again).status_code == 302
    alice.refresh_from_db()
    assert alice.first_name == "Alicia" and list(alice.teams.all()) == [team_b]


def test_a_membership_changed_from_the_accounts_side_changes_the_team(
    admin_client, ben_client, team_a, alice, bob
):
    """Bob joins team A through his account page while ada has team A's form open without
    him: her save would take him out again unnoticed. It is refused instead."""
    team_a.members.remove(bob)
    team_url = f"/manage/teams/{team_a.code}/"
    mine = loaded(admin_client, team_url)
    assert mine["members"] == [alice.pk]
    bob_url = f"/manage/users/{bob.manage_code.code}/"
    theirs = loaded(ben_client, bob_url)
    assert Team.objects.get(pk=team_a.pk).version == 1
    assert ben_client.post(bob_url, {**theirs, "teams": [team_a.pk]}).status_code == 302
    assert Team.objects.get(pk=team_a.pk).version == 2
    refused(admin_client.post(team_url, {**mine, "name": "Team A Nord"}))
    assert set(team_a.members.all()) == {alice, bob}


def test_a_team_saved_meanwhile_changes_the_account(admin_client, ben_client, team_b, alice):
    """The other way round: alice added to team B from the team's side while her account
    form is open elsewhere."""
    mine = loaded(admin_client, f"/manage/users/{alice.manage_code.code}/")
    team_url = f"/manage/teams/{team_b.code}/"
    theirs = loaded(ben_client, team_url)
    assert ben_client.post(team_url, {**theirs, "members": [alice.pk]}).status_code == 302
    response = admin_client.post(
        f"/manage/users/{alice.manage_code.code}/", {**mine, "email": "a@b.de"}
    )
    refused(response)
    [message] = response.context["form"].non_field_errors()
    assert "(teams)" in message.lower()
    assert set(alice.teams.all()) >= {team_b}


@pytest.mark.parametrize("model", [Organisation, Team, Service])
def test_every_save_raises_the_version(admin_client, team_a, mbe, model):
    obj = model.objects.first()
    url = {
        Organisation: f"/manage/organisations/{obj.code}/",
        Team: f"/manage/teams/{obj.code}/",
        Service: f"/manage/services/{getattr(obj, 'code', '')}/",
    }[model]
    data = loaded(admin_client, url)
    assert admin_client.post(url, data).status_code == 302
    obj.refresh_from_db()
    assert obj.version == 2
    assert obj.history.first().version == 2  # the history knows each version (the message)


def test_every_edit_page_carries_the_version(admin_client, alice, team_a, mbe):
    """The hidden field is on the page itself (a template listing its fields one by one
    must not leave it out), with the value the form was loaded at."""
    for url, value in (
        (f"/manage/users/{alice.manage_code.code}/", account_state(alice)),
        (f"/manage/teams/{team_a.code}/", "1"),
        (f"/manage/organisations/{team_a.organisation.code}/", "1"),
        (f"/manage/services/{mbe.code}/", "1"),
    ):
        html = admin_client.get(url).content.decode()
        assert re.search(
            rf'<input type="hidden" name="version" value="{re.escape(value)}"', html
        ), url
