"""Separation of duties in /manage/ (issue 31, DESIGN.md "Roles and access"): nobody grants
themselves a client's file or signs in as someone else through the house setup.

ada is the administrator under test; ben and cleo are two more administrators (the second
person); dora is the DPO of team A's carrier, dirk a second DPO there. Every /manage/ URL
pattern must be named in SELF_GRANT_TESTS with the test that pins it (the last test fails for
a new pattern nobody thought about)."""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cases.intake import importing
from cases.models import NeedCategory
from cases.models.imports import ImportRun
from cases.services import case_close, case_open_items
from caseworks.directory.models import DirectoryMapping, DirectoryProvider
from caseworks.house.services import account_state
from caseworks.models import AccessLog, AccountRequest, AuthenticatorDevice
from referrals.models import LetterText, PrintText
from tests.cases.test_import_runs import BATCH, Killed, caseload, kill_after
from tests.helpers import make_user, open_case
from tests.manage.conftest import actions
from tests.security.test_second_factor import code_for, recovery_codes_from, secret_from

# The batch writer as the import has it (kill_after replaces it for one run).
importing_write_batch = importing._write_batch
CODE = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b")
PASSWORD = "ein langes eigenes Passwort 2026"


@pytest.fixture
def ben(db):
    return make_user("ben", "admin")


@pytest.fixture
def cleo(db):
    return make_user("cleo", "admin")


@pytest.fixture
def dirk(team_a):
    user = make_user("dirk")
    team_a.organisation.data_protection_officers.add(user)
    return user


@pytest.fixture
def case_a(alice, team_a):
    return open_case(alice, team_a, assigned_to=alice)


def mailed_codes() -> list[tuple[list[str], str]]:
    """(recipients, code) of each mail that carries a sign-in code."""
    found = []
    for message in mail.outbox:
        match = CODE.search(str(message.body))
        if match:
            found.append((list(message.to), match.group(0)))
    return found


def as_user(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def case_urls(case) -> list[str]:
    """Case, person, document and printout URLs of one case (and the case list)."""
    person = case.clients.first()
    return [
        "/cases/",
        f"/cases/{case.code}/",
        f"/cases/{case.code}/history/",
        f"/cases/{case.code}/clients/{person.code}/edit/",
        f"/cases/{case.code}/documents/",
        f"/cases/{case.code}/summary.pdf",
    ]


def assert_no_case_access(user, case) -> None:
    """404 (or the sign-in page) for `user` on every URL that answers 200 to the case's
    caseworker: the URLs are real."""
    owner = as_user(case.assigned_to)
    client = as_user(get_user_model().objects.get(pk=user.pk))
    for url in case_urls(case):
        assert owner.get(url).status_code == 200, url
        assert client.get(url).status_code in (302, 404), url


def edit(client, user, **fields):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": [g.name for g in user.groups.all()],
        "teams": [t.pk for t in user.teams.all()],
        "led_teams": [t.pk for t in user.led_teams.all()],
        "version": account_state(user),
        **fields,
    }
    return client.post(f"/manage/users/{user.manage_code.code}/", data)


def roles(user) -> set[str]:
    return set(get_user_model().objects.get(pk=user.pk).groups.values_list("name", flat=True))


# --- the reproduction (issue 31) ----------------------------------------------------------------


def test_an_administrator_cannot_give_itself_case_roles_and_a_team(
    admin_client, ada, team_a, case_a
):
    response = edit(
        admin_client,
        ada,
        roles=["admin", "supervisor", "caseworker"],
        teams=[team_a.pk],
        led_teams=[team_a.pk],
    )
    assert response.status_code == 200
    assert "Nobody can change their own" in response.content.decode()
    assert roles(ada) == {"admin"} and not team_a.members.filter(pk=ada.pk).exists()
    refused = AccessLog.objects.get(action="manage.user.self_change_refused")
    assert refused.username == "ada" and refused.object_label == "ada"
    assert refused.detail["parts"] == ["led_teams", "roles", "teams"]
    assert_no_case_access(ada, case_a)


def test_the_name_of_ones_own_account_may_change(admin_client, ada):
    response = edit(admin_client, ada, first_name="Ada Maria")
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.first_name == "Ada Maria"


def test_the_password_page_resets_access_unseen(
    admin_client, ada, alice, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.org"
    alice.set_password("das alte Passwort von Alice 2025")
    alice.save()
    AuthenticatorDevice.objects.create(user=alice, name="authenticator", confirmed=True)
    page = admin_client.get(f"/manage/users/{alice.manage_code.code}/password/")
    assert page.status_code == 200 and b"password1" not in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/manage/users/{alice.manage_code.code}/password/", {}, follow=True
        )
    assert not CODE.search(response.content.decode())
    alice.refresh_from_db()
    assert not alice.has_usable_password()
    assert not AuthenticatorDevice.objects.filter(user=alice).exists()
    assert "manage.user.access_reset" in actions(object_label="alice")
    # The code went to alice only; the administrator never had it.
    assert [to for to, _code in mailed_codes()] == [["alice@example.org"]]
    # ada can try the old password and any code she could guess: nothing lets her in.
    stranger = Client()
    assert (
        stranger.post(
            "/accounts/login/",
            {"username": "alice", "password": "das alte Passwort von Alice 2025"},
        ).status_code
        == 200
    )
    wrong = stranger.post(
        "/accounts/reset/",
        {
            "username": "alice",
            "enrolment_code": "AAAA-BBBB-CCCC-DDDD",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert wrong.status_code == 200 and "_auth_user_id" not in stranger.session


def test_the_person_sets_their_own_password_and_second_factor_with_the_mailed_code(
    admin_client, ada, alice, settings, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.org"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/manage/users/{alice.manage_code.code}/password/", {})
    code = mailed_codes()[0][1]
    settings.CASEWORKS_REQUIRE_2FA = True
    person = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = person.post(
        "/accounts/reset/",
        {"username": "alice", "enrolment_code": code, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/code/setup/"
    page = person.get("/accounts/code/setup/")
    done = person.post("/accounts/code/setup/", {"otp_token": code_for(secret_from(page))})
    recovery_codes_from(done)
    assert person.get("/cases/").status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_one_cannot_reset_ones_own_access_or_second_factor(admin_client, ada):
    ada.email = "ada@example.org"
    ada.save()
    for url, data in (
        (f"/manage/users/{ada.manage_code.code}/password/", {}),
        (f"/manage/users/{ada.manage_code.code}/enrolment-code/", {"remove_second_factor": "on"}),
        (f"/manage/users/{ada.manage_code.code}/deactivate/", {}),
    ):
        response = admin_client.post(url, data, follow=True)
        assert "Nobody can change their own" in response.content.decode(), url
    assert (
        actions(action="manage.user.self_change_refused") == ["manage.user.self_change_refused"] * 3
    )
    ada.refresh_from_db()
    assert ada.is_active and not hasattr(ada, "enrolment_code")


def test_the_enrolment_code_is_mailed_not_shown(
    admin_client, ada, alice, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.org"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/manage/users/{alice.manage_code.code}/enrolment-code/", {}, follow=True
        )
    assert not CODE.search(response.content.decode())
    assert [to for to, _code in mailed_codes()] == [["alice@example.org"]]
    assert "manage.user.enrolment_code_issued" in actions(object_label="alice")


def test_no_code_is_sent_while_a_change_to_the_account_waits(
    admin_client, ada, team_a, django_capture_on_commit_callbacks
):
    """A code for a new account before its roles (and address) are approved would serve
    whatever the request asks for: the page offers none, and a POST sends none."""
    admin_client.post(
        "/manage/users/new/",
        {
            "username": "kai",
            "email": "kai@example.org",
            "roles": ["caseworker"],
            "teams": [team_a.pk],
        },
    )
    kai = get_user_model().objects.get(username="kai")
    url = f"/manage/users/{kai.manage_code.code}/enrolment-code/"
    assert url not in admin_client.get(f"/manage/users/{kai.manage_code.code}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, {}, follow=True)
    assert "waits for approval" in response.content.decode()
    assert not mailed_codes()
    assert "manage.user.enrolment_code_issued" not in actions(object_label="kai")


# --- a second person ------------------------------------------------------------------------


def test_a_new_account_waits_for_another_admin(
    admin_client, ada, ben, team_a, case_a, django_capture_on_commit_callbacks
):
    """ada cannot make herself a puppet caseworker with her own address: ben checks."""
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/manage/users/new/",
            {
                "username": "kai",
                "email": "ada.privat@example.org",
                "roles": ["caseworker"],
                "teams": [team_a.pk],
            },
        )
    assert response.status_code == 302
    kai = get_user_model().objects.get(username="kai")
    assert roles(kai) == set() and not kai.has_usable_password()
    assert not mailed_codes()
    pending = AccountRequest.objects.get(user=kai)
    # Not ada: she asked.
    assert admin_client.get(f"/manage/requests/{pending.code}/").status_code == 404
    assert (
        admin_client.post(f"/manage/requests/{pending.code}/", {"decision": "approve"}).status_code
        == 404
    )
    assert roles(kai) == set()
    ben_client = as_user(ben)
    assert str(pending.code) in ben_client.get("/manage/requests/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ben_client.post(f"/manage/requests/{pending.code}/", {"decision": "decline"})
    pending.refresh_from_db()
    assert pending.state == "declined" and pending.decided_by == ben
    assert roles(kai) == set() and not mailed_codes()
    assert "manage.user.change_declined" in actions(object_label="kai")


def test_an_approved_new_account_gets_its_roles_and_the_code_by_mail(
    admin_client, ada, ben, team_a, django_capture_on_commit_callbacks
):
    admin_client.post(
        "/manage/users/new/",
        {
            "username": "kai",
            "email": "kai@example.org",
            "roles": ["caseworker"],
            "teams": [team_a.pk],
        },
    )
    kai = get_user_model().objects.get(username="kai")
    pending = AccountRequest.objects.get(user=kai)
    with django_capture_on_commit_callbacks(execute=True):
        as_user(ben).post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
    pending.refresh_from_db()
    assert (pending.state, pending.requested_by, pending.decided_by) == ("approved", ada, ben)
    assert roles(kai) == {"caseworker"} and list(kai.teams.all()) == [team_a]
    assert [to for to, _code in mailed_codes()] == [["kai@example.org"]]
    approved = AccessLog.objects.get(action="manage.user.change_approved")
    assert approved.detail["requested_by"] == "ada" and approved.username == "ben"
    role_row = AccessLog.objects.get(action="manage.user.roles_changed", object_label="kai")
    assert role_row.detail["added"] == ["caseworker"] and role_row.detail["approved_by"] == "ben"


def test_admin_and_a_file_role_together_need_a_third_person(
    ada, ben, cleo, team_a, case_a, django_capture_on_commit_callbacks
):
    """ben asks to give ada the caseworker role: ada cannot approve it (the account is hers),
    ben cannot (he asked); cleo can, and the record names all three."""
    ada.email = "ada@example.org"
    ada.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = edit(as_user(ben), ada, roles=["admin", "caseworker"], teams=[team_a.pk])
    assert response.status_code == 302
    assert roles(ada) == {"admin"}
    pending = AccountRequest.objects.get(user=ada)
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]  # told, nothing secret
    for who in (ada, ben):
        assert (
            as_user(who)
            .post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
            .status_code
            == 404
        )
    assert roles(ada) == {"admin"}
    assert_no_case_access(ada, case_a)
    as_user(cleo).post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
    assert roles(ada) == {"admin", "caseworker"}
    assert "manage.user.change_requested" in actions(object_label="ada")


def test_a_new_email_address_needs_another_admin(admin_client, ada, alice, ben):
    """Codes go to the address on file: changing it would route alice's next code to ada."""
    edit(admin_client, alice, email="ada.privat@example.org")
    alice.refresh_from_db()
    assert alice.email == ""
    assert AccountRequest.objects.get(user=alice).parts == ["email"]


# --- teams and organisations ------------------------------------------------------------------


@pytest.mark.parametrize("relation", ["supervisors", "members", "office"])
def test_a_team_edit_cannot_add_oneself(admin_client, ada, team_a, case_a, relation):
    response = admin_client.post(
        f"/manage/teams/{team_a.code}/",
        {
            "organisation": team_a.organisation.pk,
            "name": team_a.name,
            "version": team_a.version,
            relation: [ada.pk],
        },
    )
    assert response.status_code == 200
    assert "Nobody can change their own" in response.content.decode()
    assert not team_a.members.filter(pk=ada.pk).exists()
    assert not team_a.supervisors.filter(pk=ada.pk).exists()
    assert actions(action="manage.user.self_change_refused") == ["manage.user.self_change_refused"]
    assert_no_case_access(ada, case_a)


def test_a_new_team_cannot_include_oneself(admin_client, ada, org_a):
    response = admin_client.post(
        "/manage/teams/new/", {"organisation": org_a.pk, "name": "Team X", "supervisors": [ada.pk]}
    )
    assert response.status_code == 200
    assert "manage.user.self_change_refused" in actions()


def test_nobody_makes_themselves_a_dpo(admin_client, ada, org_a):
    response = admin_client.post(
        f"/manage/organisations/{org_a.code}/",
        {
            "name": org_a.name,
            "short_name": org_a.short_name,
            "protection_law": org_a.protection_law,
            "retention_years": org_a.retention_years,
            "version": org_a.version,
            "dpos": [ada.pk],
        },
    )
    assert response.status_code == 200
    assert not org_a.data_protection_officers.filter(pk=ada.pk).exists()
    assert "manage.user.self_change_refused" in actions()


def test_a_dpo_assignment_is_approved_by_the_carriers_dpo(admin_client, ada, org_a, dora, bob):
    response = admin_client.post(
        f"/manage/organisations/{org_a.code}/",
        {
            "name": org_a.name,
            "short_name": org_a.short_name,
            "protection_law": org_a.protection_law,
            "retention_years": org_a.retention_years,
            "version": org_a.version,
            "dpos": [dora.pk, bob.pk],
        },
    )
    assert response.status_code == 302
    assert not org_a.data_protection_officers.filter(pk=bob.pk).exists()
    pending = AccountRequest.objects.get(user=bob)
    assert (pending.approver, pending.organisation) == ("dpo", org_a)
    dpo = as_user(dora)
    assert dpo.get("/manage/requests/").status_code == 200
    dpo.post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
    assert org_a.data_protection_officers.filter(pk=bob.pk).exists()
    row = AccessLog.objects.get(action="manage.user.roles_changed", object_label="bob")
    assert row.detail["added"] == ["dpo"] and row.username == "dora"


def test_a_change_to_a_dpo_account_waits_for_the_other_dpo(admin_client, ada, ben, dora, dirk):
    dora.email = "dora@example.org"
    dora.save()
    for url in ("password", "deactivate"):
        admin_client.post(f"/manage/users/{dora.manage_code.code}/{url}/", {})
    edit(admin_client, dora, roles=["caseworker"])
    dora.refresh_from_db()
    assert roles(dora) == set() and dora.is_active
    requests = AccountRequest.objects.filter(user=dora)
    assert sorted(r.kind for r in requests) == ["deactivate", "reset", "update"]
    assert {r.approver for r in requests} == {"dpo"}
    # Another administrator cannot decide them; the carrier's other DPO can.
    assert as_user(ben).get(f"/manage/requests/{requests[0].code}/").status_code == 404
    assert as_user(dirk).get(f"/manage/requests/{requests[0].code}/").status_code == 200
    # Someone who is neither admin nor DPO has no requests page.
    assert as_user(make_user("nobody", "caseworker")).get("/manage/requests/").status_code == 404


def team_post(client, team, *, organisation=None, **relations):
    """The team form as sent: the team's supervisors and members as they are, unless given."""
    data = {
        "organisation": (organisation or team.organisation).pk,
        "name": team.name,
        "version": type(team).objects.get(pk=team.pk).version,
        "supervisors": [u.pk for u in team.supervisors.all()],
        "members": [u.pk for u in team.members.all()],
        **{key: [u.pk for u in users] for key, users in relations.items()},
    }
    return client.post(f"/manage/teams/{team.code}/", data)


@pytest.mark.parametrize("closed", [False, True])
def test_a_team_with_cases_keeps_its_carrier(admin_client, ada, sam, team_a, org_b, case_a, closed):
    """Moving the team would hand every case, history included, to another controller
    without consent and without a record of the transfer (issue 31)."""
    if closed:
        open_items = [item.key for item in case_open_items(case_a)]
        case_close(actor=sam, case=case_a, reason="moved_away", acknowledged=open_items)
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    response = team_post(admin_client, team_a, organisation=org_b)
    assert response.status_code == 200
    assert "Dieses Team hat Fälle" in response.content.decode()
    team_a.refresh_from_db()
    assert team_a.organisation != org_b and team_a.version == 1
    refused = AccessLog.objects.get(action="manage.team.carrier_change_refused")
    assert refused.username == "ada" and refused.object_label == team_a.name
    assert refused.detail == {"organisation": team_a.organisation.name, "wanted": org_b.name}
    assert "manage.team.changed" not in actions()


def test_a_team_without_cases_may_change_its_carrier(admin_client, ada, team_a, org_b):
    assert team_post(admin_client, team_a, organisation=org_b).status_code == 302
    team_a.refresh_from_db()
    assert team_a.organisation == org_b
    assert "manage.team.carrier_change_refused" not in actions()


def test_a_team_edit_adding_a_dpo_waits_for_the_carriers_other_dpo(
    admin_client, ada, ben, bob, team_b, dora, dirk, django_capture_on_commit_callbacks
):
    """Any change to a DPO account's teams needs the carrier's other DPO, from the team form
    as from the account form; bob joins at once in the same save."""
    dora.groups.add(Group.objects.get(name="caseworker"))
    with django_capture_on_commit_callbacks(execute=True):
        response = team_post(admin_client, team_b, members=[dora, bob])
    assert response.status_code == 302
    assert team_b.members.filter(pk=bob.pk).exists()
    assert not team_b.members.filter(pk=dora.pk).exists()
    pending = AccountRequest.objects.get(user=dora)
    assert (pending.kind, pending.approver, pending.organisation) == (
        "update",
        "dpo",
        dora.dpo_of.get(),
    )
    assert pending.parts == ["teams"] and pending.requested_by == ada
    changed = AccessLog.objects.get(action="manage.team.changed")
    assert changed.detail["requested"] == ["dora"]
    assert changed.detail["members"] == {"added": ["bob"], "removed": []}
    # Another administrator cannot decide it; the carrier's other DPO does.
    assert as_user(ben).get(f"/manage/requests/{pending.code}/").status_code == 404
    as_user(dirk).post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
    assert team_b.members.filter(pk=dora.pk).exists()


def test_a_team_edit_removing_a_dpo_waits_too(admin_client, ada, team_b, dora, dirk):
    dora.groups.add(Group.objects.get(name="caseworker"))
    team_b.members.add(dora)
    assert team_post(admin_client, team_b, members=[]).status_code == 302
    assert team_b.members.filter(pk=dora.pk).exists()
    assert AccountRequest.objects.get(user=dora).approver == "dpo"


def test_a_team_edit_giving_an_admin_with_a_file_role_a_team_needs_another_admin(
    admin_client, ada, ben, cleo, team_a, case_a
):
    """ben (admin) also holds the supervisor role: ada leading him into team A would let the
    administrator ben read its files without a third person's approval."""
    ben.groups.add(Group.objects.get(name="supervisor"))
    response = team_post(admin_client, team_a, supervisors=[ben])
    assert response.status_code == 302
    assert not team_a.supervisors.filter(pk=ben.pk).exists()
    pending = AccountRequest.objects.get(user=ben)
    assert (pending.approver, pending.parts) == ("admin", ["led_teams"])
    assert pending.change["led_teams"] == [team_a.pk]
    assert as_user(ben).get(f"/cases/{case_a.code}/").status_code == 404
    # ben cannot approve his own; ada asked; cleo can.
    for who in (ada, ben):
        page = as_user(who).post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
        assert page.status_code == 404
    as_user(cleo).post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
    assert team_a.supervisors.filter(pk=ben.pk).exists()
    assert as_user(ben).get(f"/cases/{case_a.code}/").status_code == 200


def test_a_team_edit_of_plain_accounts_applies_at_once(admin_client, ada, bob, team_b):
    response = team_post(admin_client, team_b, members=[bob])
    assert response.status_code == 302
    assert team_b.members.filter(pk=bob.pk).exists()
    assert not AccountRequest.objects.exists()


# --- every /manage/ form ---------------------------------------------------------------------


def submission_token(client, url: str) -> str:
    """The save-once token of a create form (caseworks.web.submissions)."""
    page = client.get(url).content.decode()
    return page.split('name="submission" value="')[1].split('"')[0]


def test_the_other_setup_forms_grant_no_file(
    monkeypatch, admin_client, ada, alice, team_a, case_a, mbe
):
    """Services, needs, texts and import change no one's access: after using them all the
    administrator still gets 404 on the case; an import naming ada as caseworker is refused."""
    admin_client.post("/manage/services/new/", {"name": "PSZ", "kind": "counselling"})
    admin_client.post(f"/manage/services/{mbe.code}/deactivate/")
    admin_client.post(f"/manage/services/{mbe.code}/activate/")
    # A language text of the case's client assigned (manage:language_*): the record changes,
    # its reader does not.
    case_a.clients.update(languages_other="Kikongo")
    assert admin_client.get("/manage/languages/").status_code == 200
    token = submission_token(admin_client, "/manage/languages/resolve/?text=kikongo")
    response = admin_client.post(
        "/manage/languages/resolve/?text=kikongo",
        {"choice": "lin", "version": 0, "submission": token},
    )
    assert response.status_code == 302 and case_a.clients.get().languages[-1] == "lin"
    # The needs catalogue (plan:category_*).
    assert admin_client.get("/manage/needs/").status_code == 200
    need = {"name": "Schulden", "referral_category": "debt", "order": 120, "is_active": "on"}
    token = submission_token(admin_client, "/manage/needs/new/")
    assert admin_client.post("/manage/needs/new/", {**need, "submission": token}).status_code == 302
    category = NeedCategory.objects.get(name="Schulden")
    response = admin_client.post(
        f"/manage/needs/{category.code}/", {**need, "name": "Schulden und Finanzen", "version": 1}
    )
    assert response.status_code == 302
    # The texts (referrals_manage:*): a letter text, new and changed, and a printout's texts.
    assert admin_client.get("/manage/texts/").status_code == 200
    letter = {"organisation": team_a.organisation.pk, "category": "", "subject": "x", "body": "y"}
    token = submission_token(admin_client, "/manage/texts/letters/new/")
    response = admin_client.post("/manage/texts/letters/new/", {**letter, "submission": token})
    assert response.status_code == 302
    text = LetterText.objects.get()
    response = admin_client.post(
        f"/manage/texts/letters/{text.code}/", {**letter, "subject": "x2", "version": 1}
    )
    assert response.status_code == 302
    printout = "/manage/texts/printouts/consent_form/fr/"
    texts = {
        f"text_{row.key}": row.text
        for row in PrintText.objects.filter(printout="consent_form", language="fr")
    }
    assert admin_client.post(printout, texts).status_code == 302
    # The caseload import, an upload naming ada; then a run continued and undone
    # (manage_import:run_continue, run_undo) by the administrator who started it.
    header = "Haushalt;Vorname;Nachname;Team;Fallverantwortliche\n"
    upload = io.BytesIO(f"{header}1;Test;Person;{team_a.name};ada\n".encode())
    upload.name = "liste.csv"
    response = admin_client.post("/manage/import/", {"file": upload})
    assert "is not a caseworker" in response.content.decode()
    monkeypatch.setattr(importing, "BATCH_ROWS", BATCH)
    monkeypatch.setattr("cases.intake.views.WEB_BUDGET", 0.0)  # one batch a request
    kill_after(monkeypatch, 1)
    with pytest.raises(Killed):
        importing.run(caseload(), filename="x.xlsx", user=ada, batch_rows=BATCH)
    monkeypatch.setattr(importing, "_write_batch", importing_write_batch)
    run = ImportRun.objects.get()
    done = run.persons_done
    assert admin_client.post(f"/manage/import/run/{run.code}/continue/").status_code == 302
    run.refresh_from_db()
    assert run.state == "running" and run.persons_done > done
    assert admin_client.post(f"/manage/import/run/{run.code}/undo/").status_code == 302
    run.refresh_from_db()
    assert run.state != "running"
    assert_no_case_access(ada, case_a)
    assert roles(ada) == {"admin"}


def test_activating_an_account_grants_nothing(admin_client, ada, alice, case_a):
    """Activating another account makes it what it was; one's own is refused."""
    alice.is_active = False
    alice.save()
    assert admin_client.post(f"/manage/users/{alice.manage_code.code}/activate/").status_code == 302
    alice.refresh_from_db()
    assert alice.is_active and "manage.user.activated" in actions(object_label="alice")
    response = admin_client.post(f"/manage/users/{ada.manage_code.code}/activate/", follow=True)
    assert "Nobody can change their own" in response.content.decode()
    assert actions(action="manage.user.self_change_refused") == ["manage.user.self_change_refused"]
    assert roles(ada) == {"admin"}
    assert_no_case_access(ada, case_a)


# Every /manage/ URL name and the test pinning that it grants nothing to oneself.
SELF_GRANT_TESTS = {
    "manage:index": "test_the_other_setup_forms_grant_no_file",
    "manage:user_list": "test_an_administrator_cannot_give_itself_case_roles_and_a_team",
    "manage:user_create": "test_a_new_account_waits_for_another_admin",
    "manage:user_detail": "test_an_administrator_cannot_give_itself_case_roles_and_a_team",
    "manage:user_deactivate": "test_one_cannot_reset_ones_own_access_or_second_factor",
    "manage:user_activate": "test_activating_an_account_grants_nothing",
    "manage:user_password": "test_the_password_page_resets_access_unseen",
    "manage:user_enrolment_code": "test_one_cannot_reset_ones_own_access_or_second_factor",
    "manage:user_unlock": "test_unlocking_oneself_grants_nothing",
    "manage:request_list": "test_a_new_account_waits_for_another_admin",
    "manage:request_detail": "test_admin_and_a_file_role_together_need_a_third_person",
    "manage:organisation_list": "test_nobody_makes_themselves_a_dpo",
    "manage:directory_list": "test_a_directory_group_needs_a_second_administrator",
    "manage:directory_edit": "test_a_directory_group_needs_a_second_administrator",
    "manage:directory_mappings": "test_a_directory_group_needs_a_second_administrator",
    "manage:organisation_create": "test_a_new_organisation_cannot_name_oneself_dpo",
    "manage:organisation_edit": "test_nobody_makes_themselves_a_dpo",
    "manage:team_list": "test_a_team_edit_cannot_add_oneself",
    "manage:team_create": "test_a_new_team_cannot_include_oneself",
    "manage:team_edit": "test_a_team_with_cases_keeps_its_carrier",
    "manage:service_list": "test_the_other_setup_forms_grant_no_file",
    "manage:service_create": "test_the_other_setup_forms_grant_no_file",
    "manage:service_edit": "test_the_other_setup_forms_grant_no_file",
    "manage:service_deactivate": "test_the_other_setup_forms_grant_no_file",
    "manage:service_activate": "test_the_other_setup_forms_grant_no_file",
    "manage:language_list": "test_the_other_setup_forms_grant_no_file",
    "manage:language_resolve": "test_the_other_setup_forms_grant_no_file",
    "manage_import:upload": "test_the_other_setup_forms_grant_no_file",
    "manage_import:confirm": "test_the_other_setup_forms_grant_no_file",
    "manage_import:template": "test_the_other_setup_forms_grant_no_file",
    "manage_import:run": "test_the_other_setup_forms_grant_no_file",
    "manage_import:run_continue": "test_the_other_setup_forms_grant_no_file",
    "manage_import:run_undo": "test_the_other_setup_forms_grant_no_file",
    "plan:category_list": "test_the_other_setup_forms_grant_no_file",
    "plan:category_new": "test_the_other_setup_forms_grant_no_file",
    "plan:category_edit": "test_the_other_setup_forms_grant_no_file",
    "referrals_manage:index": "test_the_other_setup_forms_grant_no_file",
    "referrals_manage:letter_text_new": "test_the_other_setup_forms_grant_no_file",
    "referrals_manage:letter_text_edit": "test_the_other_setup_forms_grant_no_file",
    "referrals_manage:print_texts_edit": "test_the_other_setup_forms_grant_no_file",
}


def test_a_directory_group_needs_a_second_administrator(admin_client, ada, ben, team_a):
    """Sign-in with a carrier's directory (caseworks.house.directory): a group mapped to a
    role counts only once another administrator approved it; never admin with a file role."""
    organisation = team_a.organisation
    assert admin_client.get("/manage/directory/").status_code == 200
    url = f"/manage/directory/{organisation.code}/"
    provider = {
        "label": "Mit dem AWO-Konto anmelden",
        "issuer": "https://login.example.org/realms/awo",
        "client_id": "caseworks",
        "client_secret": "geheim-1234",
        "scopes": "openid email profile",
        "groups_claim": "groups",
        "second_factor_amr": "mfa",
        "check_minutes": 15,
        "session_hours": 10,
        "enabled": "on",
    }
    token = submission_token(admin_client, url)
    assert admin_client.post(url, {**provider, "submission": token}).status_code == 302
    page = admin_client.get(url).content.decode()
    assert "geheim-1234" not in page  # never shown back
    # Changed through the same page (the house's versioned update): the session's hours.
    version = page.split('name="version" value="')[1].split('"')[0]
    changed = {**provider, "client_secret": "", "session_hours": 8}
    response = admin_client.post(url, {**changed, "version": version})
    assert response.status_code == 302
    assert DirectoryProvider.objects.get(organisation=organisation).session_hours == 8
    mappings = f"/manage/directory/{organisation.code}/mappings/"
    both = {"group": "it", "roles": ["admin", "caseworker"], "team": team_a.pk}
    token = submission_token(admin_client, mappings)
    assert admin_client.post(mappings, {**both, "submission": token}).status_code == 200
    mine = {"group": "beratung", "roles": ["caseworker"], "team": team_a.pk}
    token = submission_token(admin_client, mappings)
    assert admin_client.post(mappings, {**mine, "submission": token}).status_code == 302
    mapping = DirectoryMapping.objects.get(group="beratung")
    admin_client.post(mappings, {"mapping": str(mapping.code), "approve": "1"})
    mapping.refresh_from_db()
    assert mapping.approved_by is None
    assert "manage.directory.mapping_self_approval_refused" in actions()
    other = Client()
    other.force_login(ben)
    other.post(mappings, {"mapping": str(mapping.code), "approve": "1"})
    mapping.refresh_from_db()
    assert mapping.approved_by == ben
    assert roles(ada) == {"admin"}


def test_unlocking_oneself_grants_nothing(admin_client, ada, case_a):
    admin_client.post(f"/manage/users/{ada.manage_code.code}/unlock/")
    assert roles(ada) == {"admin"}
    assert "manage.user.unlocked" in actions()
    assert_no_case_access(ada, case_a)


def test_a_new_organisation_cannot_name_oneself_dpo(admin_client, ada):
    response = admin_client.post(
        "/manage/organisations/new/",
        {"name": "Diakonie", "protection_law": "dsg_ekd", "retention_years": 3, "dpos": [ada.pk]},
    )
    assert response.status_code == 200
    assert "manage.user.self_change_refused" in actions()


def _manage_names(resolver: URLResolver | None = None, prefix: str = "", path: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = path + str(entry.pattern)
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _manage_names(entry, namespace, route)
        elif isinstance(entry, URLPattern) and route.startswith("manage/"):
            yield f"{prefix}{entry.name}"


def test_every_manage_url_has_a_self_grant_test():
    names = set(_manage_names())
    assert names == set(SELF_GRANT_TESTS), "a /manage/ URL without a self-grant test"
    for test in SELF_GRANT_TESTS.values():
        assert callable(globals().get(test)), test
