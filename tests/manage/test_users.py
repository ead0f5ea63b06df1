"""Accounts in /manage/: create with role and team, change roles (logged for the DPO twice:
the setup's own entry and caseworks.audit.insider's), deactivate, set a password, issue an
enrolment code, unlock a lock-out. No password or code reaches the access log."""

import json
import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from caseworks.audit.labels import action_label
from caseworks.fields import blind_index
from caseworks.house.services import account_state
from caseworks.models import (
    AccessLog,
    AccountRequest,
    AuthenticatorDevice,
    EnrolmentCode,
    SignInThrottle,
)
from caseworks.signin import services as signin
from tests.helpers import make_user, sign_in
from tests.manage.conftest import actions

PASSWORD = "ein langes Passwort für Lena 2026"
ENROLMENT_CODE = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b")


def create(client, **fields):
    data = {
        "username": "lena",
        "first_name": "Lena",
        "last_name": "Lorenz",
        "email": "lena@example.org",
        "roles": ["caseworker"],
        **fields,
    }
    return client.post("/manage/users/new/", data)


def log_text() -> str:
    return json.dumps(
        list(AccessLog.objects.values("action", "object_label", "detail")), default=str
    )


def test_it_creates_a_caseworker_in_a_team(admin_client, ada, team_a):
    """The account at once, without a password; its roles and teams as a request for a second
    administrator (tests/manage/test_separation.py approves it)."""
    response = create(admin_client, teams=[team_a.pk])
    lena = get_user_model().objects.get(username="lena")
    assert response.status_code == 302
    assert response["Location"] == f"/manage/users/{lena.manage_code.code}/"
    assert list(lena.groups.all()) == [] and list(lena.teams.all()) == []
    assert not lena.has_usable_password() and lena.is_active
    assert not lena.is_staff and not lena.is_superuser
    entry = AccessLog.objects.get(action="manage.user.created")
    assert (entry.username, entry.object_type, entry.object_label) == ("ada", "user", "lena")
    request = AccountRequest.objects.get(user=lena)
    assert request.change == {"roles": ["caseworker"], "teams": [team_a.pk], "led_teams": []}
    asked = AccessLog.objects.get(action="manage.user.change_requested")
    assert asked.detail["roles"] == ["caseworker"] and asked.detail["teams"] == [team_a.name]
    assert "user.created" in actions(object_label="lena")


def test_it_does_not_save_the_same_form_twice(admin_client, ada):
    first = create(admin_client, submission="token-1")
    again = create(admin_client, submission="token-1")
    # A double tap goes where the first tap went (caseworks.web.submissions), saving nothing.
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert get_user_model().objects.filter(username="lena").count() == 1


def test_it_explains_what_is_wrong(admin_client, ada, alice):
    response = create(
        admin_client,
        username="ALICE",
        roles=[],
        email="",
        led_teams=[],
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "exists already" in errors["username"][0]
    assert "at least one role" in errors["roles"][0]
    assert "email" in errors
    assert not get_user_model().objects.filter(username__in=["lena", "lena2"]).exists()


def test_only_a_supervisor_supervises(admin_client, ada, team_a):
    response = create(admin_client, led_teams=[team_a.pk])
    assert "Only a supervisor" in response.context["form"].errors["led_teams"][0]
    create(admin_client, roles=["supervisor"], led_teams=[team_a.pk])
    assert AccountRequest.objects.get().change["led_teams"] == [team_a.pk]


def test_a_role_change_is_logged_for_the_dpo(admin_client, ada, alice, team_a, team_b, dora):
    response = admin_client.post(
        f"/manage/users/{alice.manage_code.code}/",
        {
            "first_name": "Alice",
            "last_name": "Arendt",
            "email": "",
            "roles": ["caseworker", "supervisor"],
            "teams": [team_a.pk],
            "led_teams": [team_b.pk],
            "version": account_state(alice),
        },
    )
    assert response.status_code == 302
    assert set(alice.groups.values_list("name", flat=True)) == {"caseworker", "supervisor"}
    assert list(team_b.supervisors.all()) == [alice]
    entry = AccessLog.objects.get(action="manage.user.roles_changed")
    assert entry.detail == {"added": ["supervisor"], "removed": []}
    changed = AccessLog.objects.get(action="manage.user.changed")
    assert changed.detail["led_teams"] == {"added": [team_b.name], "removed": []}
    insider = AccessLog.objects.get(action="user.roles_changed", object_label="alice")
    assert insider.username == "ada" and insider.detail["added"] == ["supervisor"]
    assert AccessLog.objects.filter(action="user.supervision_added", object_label="alice").exists()
    # The data protection officer sees both on the access log page, for this account.
    admin_client.force_login(dora)
    page = admin_client.get(f"/audit/?subject={alice.pk}").content.decode()
    with override("en"):  # by their labels (issue 36: no raw codes on the page)
        assert action_label("manage.user.roles_changed") in page
        assert action_label("user.roles_changed") in page


def test_an_administrator_keeps_their_own_role(admin_client, ada):
    response = admin_client.post(
        f"/manage/users/{ada.manage_code.code}/",
        {
            "first_name": "Ada",
            "last_name": "Admin",
            "roles": ["caseworker"],
            "version": account_state(ada),
        },
    )
    assert response.status_code == 200
    assert "Nobody can change their own" in response.content.decode()
    assert list(ada.groups.values_list("name", flat=True)) == ["admin"]


def test_it_deactivates_after_confirming_and_never_deletes(admin_client, ada, alice):
    page = admin_client.get(f"/manage/users/{alice.manage_code.code}/deactivate/")
    assert b"Nothing is deleted" in page.content
    alice.refresh_from_db()
    assert alice.is_active  # the confirmation page changes nothing
    response = admin_client.post(f"/manage/users/{alice.manage_code.code}/deactivate/")
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_active
    assert "manage.user.deactivated" in actions(object_label="alice")
    assert "user.deactivated" in actions(object_label="alice")
    # Listed as deactivated; activated again.
    listed = admin_client.get("/manage/users/?active=no").content.decode()
    assert "Alice Arendt" in listed
    assert "Alice Arendt" not in admin_client.get("/manage/users/?active=yes").content.decode()
    admin_client.post(f"/manage/users/{alice.manage_code.code}/activate/")
    alice.refresh_from_db()
    assert alice.is_active and "manage.user.activated" in actions()


def test_an_administrator_cannot_deactivate_themselves(admin_client, ada):
    admin_client.post(f"/manage/users/{ada.manage_code.code}/deactivate/", follow=True)
    ada.refresh_from_db()
    assert ada.is_active
    assert "manage.user.deactivated" not in actions()


def test_the_list_filters_by_role_team_and_status(admin_client, ada, alice, charlie, sam, team_a):
    def names(query):
        page = admin_client.get(f"/manage/users/?{query}")
        assert page.status_code == 200
        return {u.username for u in page.context["page"]}

    assert names("") == {"ada", "alice", "charlie", "sam"}
    assert names("role=caseworker") == {"alice", "charlie"}
    assert names(f"team={team_a.pk}") == {"alice", "sam"}  # members and supervisors
    assert names(f"role=caseworker&team={team_a.pk}") == {"alice"}
    assert names("q=conr") == {"charlie"}
    assert names("team=999999999999999999999") == set()  # not a team: the form's error


def test_the_list_is_paginated(admin_client, ada):
    for i in range(55):
        make_user(f"user{i:02d}", "caseworker")
    first = admin_client.get("/manage/users/?role=caseworker")
    assert len(first.context["page"]) == 50
    second = admin_client.get("/manage/users/?role=caseworker&page=2")
    assert len(second.context["page"]) == 5
    assert "role=caseworker&amp;page=2" in first.content.decode()


def test_it_mails_an_enrolment_code_and_never_logs_it(
    admin_client, ada, alice, django_capture_on_commit_callbacks
):
    alice.email = "alice@example.org"
    alice.save()
    with django_capture_on_commit_callbacks(execute=True):
        page = admin_client.post(
            f"/manage/users/{alice.manage_code.code}/enrolment-code/", {}, follow=True
        )
    assert page.status_code == 200 and not ENROLMENT_CODE.search(page.content.decode())
    found = [c for m in mail.outbox for c in ENROLMENT_CODE.findall(str(m.body))]
    assert len(found) == 1
    code = found[0]
    row = EnrolmentCode.objects.get(user=alice)
    assert row.issued_by == ada and code not in row.digest
    assert code not in log_text() and code.replace("-", "") not in log_text()
    assert "manage.user.enrolment_code_issued" in actions(object_label="alice")
    assert "user.enrolment_code_issued" in actions(object_label="alice")
    detail = admin_client.get(f"/manage/users/{alice.manage_code.code}/").content.decode()
    assert code not in detail and "enrolment code valid until" in detail


def test_the_enrolment_code_can_replace_a_lost_phone(admin_client, ada, alice):
    alice.email = "alice@example.org"
    alice.save()
    AuthenticatorDevice.objects.create(user=alice, name="authenticator", confirmed=True)
    admin_client.post(f"/manage/users/{alice.manage_code.code}/enrolment-code/", {})
    assert AuthenticatorDevice.objects.filter(user=alice).exists()  # not ticked: kept
    admin_client.post(
        f"/manage/users/{alice.manage_code.code}/enrolment-code/", {"remove_second_factor": "on"}
    )
    assert not AuthenticatorDevice.objects.filter(user=alice).exists()
    assert "user.second_factor_removed" in actions(object_label="alice")
    last = AccessLog.objects.filter(action="manage.user.enrolment_code_issued").first()
    assert last is not None and last.detail["second_factor_removed"] is True


def test_it_unlocks_a_lock_out(admin_client, ada, settings):
    client = Client()
    lena = make_user("lena", "caseworker")
    lena.set_password(PASSWORD)  # her own, set with her code
    lena.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert not sign_in(client, "lena", "falsch")
    locked = client.post("/accounts/login/", {"username": "lena", "password": PASSWORD})
    assert locked.status_code == 429
    detail = admin_client.get(f"/manage/users/{lena.manage_code.code}/").content.decode()
    assert "locked out" in detail and f"/manage/users/{lena.manage_code.code}/unlock/" in detail
    response = admin_client.post(f"/manage/users/{lena.manage_code.code}/unlock/")
    assert response.status_code == 302
    assert sign_in(client, "lena", PASSWORD)
    entry = AccessLog.objects.get(action="manage.user.unlocked")
    assert entry.detail["failures"] >= settings.AXES_FAILURE_LIMIT


def test_unlocking_lifts_the_throttle_per_user_name(admin_client, ada, alice):
    SignInThrottle.objects.create(
        username_digest=blind_index("alice", purpose=signin.USERNAME_PURPOSE),
        failures=20,
        last_failure_at=timezone.now(),
    )
    assert b"Unlock sign-in" in admin_client.get(f"/manage/users/{alice.manage_code.code}/").content
    admin_client.post(f"/manage/users/{alice.manage_code.code}/unlock/")
    assert not SignInThrottle.objects.exists()
