"""An administrator changes other people's roles, teams and sign-in (issue 31: never their
own, and some changes only with a second person's approval): none of it goes unseen, nor
does an attempt on their own account. Every such change is in the access log, with who did
it and to whom (no secrets), and the data protection officer can filter for it. The
administrator role (adam) works through /manage/; what only the Django admin does
(permissions, the superuser flag, deleting a device) is a superuser's (root)."""

import re
import time
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import override
from django_otp import devices_for_user
from django_otp.oath import TOTP

from caseworks.audit.labels import action_label, role_label
from caseworks.audit.log import log_access
from caseworks.models import AccessLog, AccountRequest
from tests.helpers import make_user

PASSWORD = "a long and boring passphrase 2026"
CODE = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b")


def user_form(user, **changes):
    """The admin's change form of `user`, as it stands, with `changes` (None: unticked)."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "groups": [g.pk for g in user.groups.all()],
        "user_permissions": [p.pk for p in user.user_permissions.all()],
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "_save": "Save",
    }
    for flag in ("is_active", "is_staff", "is_superuser"):
        if getattr(user, flag):
            data[flag] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def change_user(client, user, **changes):
    """Through the Django admin (a superuser's)."""
    response = client.post(
        reverse("admin:auth_user_change", args=[user.pk]), user_form(user, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:3000]


def manage_user(client, user, status=302, **changes):
    """Through the account's page in /manage/ (the administrator role's), as loaded."""
    url = f"/manage/users/{user.manage_code.code}/"
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        k: [getattr(v, "pk", v) for v in value] if isinstance(value, list) else value
        for k, value in data.items()
        if value is not None
    }
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == status, response.content.decode()[:3000]
    return response.content.decode()


def entries(action):
    return list(AccessLog.objects.filter(action=action).order_by("pk"))


def role_names(user) -> set[str]:
    return set(get_user_model().objects.get(pk=user.pk).groups.values_list("name", flat=True))


def logged_text() -> str:
    """Everything the access log holds in its free fields."""
    return " ".join(
        f"{e.detail} {e.object_label} {e.reason}" for e in AccessLog.objects.all()
    ).lower()


def test_an_administrator_giving_themselves_a_role_is_refused_and_logged(client, adam):
    client.force_login(adam)
    page = manage_user(client, adam, status=200, roles=["admin", "supervisor"])
    assert "Nobody can change their own" in page
    assert role_names(adam) == {"admin"}
    [entry] = entries("manage.user.self_change_refused")
    assert entry.user == adam and entry.username == "adam"
    assert entry.object_type == "user" and entry.object_label == "adam"
    assert entry.detail["parts"] == ["roles"]
    assert not entries("user.roles_changed") and not entries("manage.user.roles_changed")


def test_a_role_given_to_someone_else_is_logged(client, adam, bob):
    client.force_login(adam)
    manage_user(client, bob, roles=["caseworker", "supervisor"])
    assert role_names(bob) == {"caseworker", "supervisor"}
    # The account's own entry (caseworks.audit.insider) and the setup's (house.services).
    for action in ("user.roles_changed", "manage.user.roles_changed"):
        [entry] = entries(action)
        assert entry.user == adam and entry.username == "adam"
        assert entry.object_type == "user" and entry.object_label == "bob"
        assert entry.detail["added"] == ["supervisor"] and entry.detail["removed"] == []
    # Saving the form unchanged logs no role change.
    manage_user(client, bob)
    assert len(entries("user.roles_changed")) == len(entries("manage.user.roles_changed")) == 1


def test_an_administrative_role_next_to_a_file_role_is_logged_when_asked_and_approved(
    client, adam, bob
):
    """adam asks to make bob (a caseworker) an administrator: nothing changes until another
    administrator approves; the rows name who asked, who approved and what changed."""
    ben = make_user("ben", "admin")
    client.force_login(adam)
    manage_user(client, bob, roles=["admin", "caseworker"])
    assert role_names(bob) == {"caseworker"}
    assert not entries("user.roles_changed")
    [asked] = entries("manage.user.change_requested")
    assert (asked.username, asked.object_label) == ("adam", "bob")
    assert asked.detail["roles"] == ["admin", "caseworker"] and asked.detail["approver"] == "admin"
    pending = AccountRequest.objects.get(user=bob)
    client.force_login(ben)
    response = client.post(f"/manage/requests/{pending.code}/", {"decision": "approve"})
    assert response.status_code == 302
    assert role_names(bob) == {"admin", "caseworker"}
    [approved] = entries("manage.user.change_approved")
    assert (approved.username, approved.object_label) == ("ben", "bob")
    assert approved.detail["requested_by"] == "adam" and approved.detail["parts"] == ["roles"]
    for action in ("user.roles_changed", "manage.user.roles_changed"):
        [entry] = entries(action)
        assert (entry.username, entry.object_label) == ("ben", "bob")
        assert entry.detail["added"] == ["admin"] and entry.detail["removed"] == []
    assert entries("manage.user.roles_changed")[0].detail["requested_by"] == "adam"


def test_team_membership_and_supervision_changes_are_logged(client, adam, alice, sam, sue, team_a):
    client.force_login(adam)

    def team_form(supervisors):
        return client.post(
            f"/manage/teams/{team_a.code}/",
            {
                "organisation": team_a.organisation.pk,
                "name": team_a.name,
                "supervisors": [u.pk for u in supervisors],
                "members": [],
                "version": team_a.version,
            },
        )

    # Supervising the team themselves: refused, and the attempt is logged.
    supervisor = Group.objects.get(name="supervisor")
    adam.groups.add(supervisor)  # outside a request: no entry
    assert team_form([sam, adam]).status_code == 200
    [refused] = entries("manage.user.self_change_refused")
    assert (refused.username, refused.object_label) == ("adam", "adam")
    assert not team_a.supervisors.filter(pk=adam.pk).exists()
    assert not entries("user.supervision_added") and not entries("user.team_left")
    # Someone else: done, and logged for each account concerned.
    response = team_form([sam, sue])
    assert response.status_code == 302, response.content.decode()[:3000]
    [added] = entries("user.supervision_added")
    assert (added.username, added.object_label) == ("adam", "sue")
    assert added.detail["team"] == team_a.name
    [left] = entries("user.team_left")
    assert (left.username, left.object_label) == ("adam", "alice")
    assert not entries("user.team_joined") and not entries("user.supervision_removed")


def test_deactivating_and_reactivating_a_user_is_logged(client, adam, bob):
    client.force_login(adam)
    assert client.post(f"/manage/users/{bob.manage_code.code}/deactivate/").status_code == 302
    [entry] = entries("user.deactivated")
    assert (entry.username, entry.object_label) == ("adam", "bob")
    assert client.post(f"/manage/users/{bob.manage_code.code}/activate/").status_code == 302
    assert [e.object_label for e in entries("user.activated")] == ["bob"]


def test_granting_a_permission_is_logged(client, root):
    client.force_login(root)
    permission = Permission.objects.get(
        codename="view_accesslog", content_type__app_label="caseworks"
    )
    change_user(client, root, user_permissions=[permission.pk])
    [entry] = entries("user.permissions_changed")
    assert entry.username == "root" and entry.object_label == "root"
    assert entry.detail["added"] == ["caseworks.view_accesslog"]
    # ... and to a role (group): every member gets it.
    admin_group = Group.objects.get(name="admin")
    response = client.post(
        reverse("admin:auth_group_change", args=[admin_group.pk]),
        {"name": "admin", "permissions": [permission.pk], "_save": "Save"},
    )
    assert response.status_code == 302
    [entry] = entries("role.permissions_changed")
    assert entry.username == "root" and entry.object_label == "admin"
    assert entry.detail["added"] == ["caseworks.view_accesslog"]


def test_making_someone_superuser_is_logged(client, root, bob):
    client.force_login(root)
    change_user(client, bob, is_staff="on", is_superuser="on")
    [entry] = entries("user.privileges_changed")
    assert entry.object_label == "bob"
    assert entry.detail == {"is_staff": True, "is_superuser": True}


@pytest.mark.real_hashers  # the log must not carry the Argon2 hash either
def test_resetting_access_and_setting_a_password_are_logged(
    client, adam, bob, root, django_capture_on_commit_callbacks
):
    """The administrator resets bob's access (never learning a password or the code); bob sets
    his own password with the mailed code; a superuser sets one in the Django admin. Each is
    an entry naming who did it and to whom, without the password, its hash or the code."""
    bob.email = "bob@example.org"
    bob.set_password("bobs old passphrase 2025")
    bob.save()  # outside a request: no entry
    client.force_login(adam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/users/{bob.manage_code.code}/password/", {})
    assert response.status_code == 302
    [reset] = entries("manage.user.access_reset")
    assert (reset.username, reset.object_label) == ("adam", "bob")
    [message] = [m for m in mail.outbox if CODE.search(str(m.body))]
    assert message.to == ["bob@example.org"]
    code = CODE.search(str(message.body)).group(0)
    # bob, with the code from his mail: his own new password, under his own name.
    client.logout()
    response = client.post(
        "/accounts/reset/",
        {"username": "bob", "enrolment_code": code, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    [own] = entries("user.password_changed")
    assert (own.username, own.object_label) == ("bob", "bob")
    # ... and a superuser in the Django admin.
    client.force_login(root)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[bob.pk]),
        {"password1": PASSWORD + "!", "password2": PASSWORD + "!", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert [e.username for e in entries("user.password_changed")] == ["bob", "root"]
    logged = logged_text()
    for secret in (PASSWORD, code, "argon2", "bobs old passphrase"):
        assert secret.lower() not in logged, secret


def test_second_factor_changes_are_logged_without_secrets(
    client, adam, db, django_capture_on_commit_callbacks
):
    carla = get_user_model().objects.create_user(
        "carla", password=PASSWORD, email="carla@example.org"
    )
    client.force_login(carla)
    page = client.get("/accounts/code/setup/").content.decode()
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1)
    secret = secret.replace(" ", "")
    totp = TOTP(b32decode(secret), 30, 0, 6, 0)
    totp.time = time.time()
    done = client.post("/accounts/code/setup/", {"otp_token": f"{totp.token():06d}"})
    codes = re.findall(r"<li><code>([^<]+)</code></li>", done.content.decode())
    [added] = entries("user.second_factor_added")
    assert (added.username, added.object_label) == ("carla", "carla")
    # The lost-phone procedure: the administrator removes the devices; a new code is mailed.
    client.force_login(adam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/manage/users/{carla.manage_code.code}/enrolment-code/",
            {"remove_second_factor": "on"},
        )
    assert response.status_code == 302
    assert not list(devices_for_user(carla, confirmed=None))
    removed = entries("user.second_factor_removed")
    assert {(e.username, e.object_label) for e in removed} == {("adam", "carla")}
    assert len(removed) == 2  # the app and the recovery codes
    [issued] = entries("manage.user.enrolment_code_issued")
    assert (issued.username, issued.object_label) == ("adam", "carla")
    assert issued.detail["second_factor_removed"] is True
    mailed = [CODE.search(str(m.body)).group(0) for m in mail.outbox if CODE.search(str(m.body))]
    assert len(mailed) == 1
    logged = logged_text()
    for value in (secret.lower(), b32decode(secret).hex(), *codes, *mailed):
        assert value.lower() not in logged


def test_enrolment_codes_issued_are_logged(client, adam, db, django_capture_on_commit_callbacks):
    carla = get_user_model().objects.create_user(
        "carla", password=PASSWORD, email="carla@example.org"
    )
    client.force_login(adam)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/manage/users/{carla.manage_code.code}/enrolment-code/", {}, follow=True
        )
    assert not CODE.search(response.content.decode())  # mailed to carla, never shown
    [message] = [m for m in mail.outbox if CODE.search(str(m.body))]
    assert message.to == ["carla@example.org"]
    code = CODE.search(str(message.body)).group(0)
    for action in ("user.enrolment_code_issued", "manage.user.enrolment_code_issued"):
        [entry] = entries(action)
        assert (entry.username, entry.object_label) == ("adam", "carla")
    assert code.lower() not in logged_text()


def test_changes_through_the_other_side_of_a_relation_are_logged(client, adam, alice, team_b):
    """user.groups and group.user_set, add and clear: the same entries. (A team's members
    are changed from the team's side: simple_history's m2m tracking fails from the user's.)"""
    from caseworks.audit.insider import acting_as

    supervisor = Group.objects.get(name="supervisor")
    permission = Permission.objects.get(
        codename="view_accesslog", content_type__app_label="caseworks"
    )
    with acting_as(adam):
        supervisor.user_set.add(alice)
        alice.groups.clear()
        permission.user_set.add(alice)
        team_b.members.add(alice)
        team_b.supervisors.add(alice)
        team_b.members.clear()
    roles = entries("user.roles_changed")
    assert [(e.object_label, e.detail["added"], e.detail["removed"]) for e in roles] == [
        ("alice", ["supervisor"], []),
        ("alice", [], ["caseworker", "supervisor"]),
    ]
    [granted] = entries("user.permissions_changed")
    assert granted.detail["added"] == ["caseworks.view_accesslog"]
    assert [e.detail["team"] for e in entries("user.team_joined")] == [team_b.name]
    assert [e.detail["team"] for e in entries("user.supervision_added")] == [team_b.name]
    assert [e.object_label for e in entries("user.team_left")] == ["alice"]
    assert {e.username for e in AccessLog.objects.all()} == {"adam"}


def test_changes_outside_a_request_are_logged_only_with_a_named_actor(db, alice, team_b):
    """Fixtures, migrations and seed_demo change accounts without anyone acting: no entries.
    A management command names itself."""
    from caseworks.audit.insider import acting_as

    team_b.members.add(alice)
    assert not AccessLog.objects.exists()
    with acting_as("manage.py (root)"):
        team_b.members.remove(alice)
    [entry] = AccessLog.objects.all()
    assert (entry.user, entry.username, entry.action) == (
        None,
        "manage.py (root)",
        "user.team_left",
    )


def shown(code: str) -> str:
    """An action as the access log shows it: by its label, not its code (issue 36)."""
    with override("en"):
        return escape(action_label(code))


def test_the_data_protection_officer_sees_and_filters_account_changes(
    client, adam, alice, bob, dora, mbe
):
    log_access(user=alice, action="service.viewed", obj=mbe, label="MBE")
    client.force_login(adam)
    assert client.post(f"/manage/users/{bob.manage_code.code}/deactivate/").status_code == 302
    manage_user(client, alice, roles=["caseworker", "supervisor"])
    manage_user(client, adam, status=200, roles=["admin", "supervisor"])  # refused

    client.force_login(dora)
    page = client.get("/audit/").content.decode()
    for action in (
        "user.deactivated",
        "user.roles_changed",
        "manage.user.self_change_refused",
        "service.viewed",
    ):
        assert shown(action) in page, action
    # Only changes to accounts (the refused attempt on one's own included).
    page = client.get("/audit/", {"kind": "accounts"}).content.decode()
    assert shown("user.deactivated") in page and shown("user.roles_changed") in page
    assert shown("manage.user.self_change_refused") in page
    assert shown("service.viewed") not in page
    # What was changed is readable: the role given, by its name.
    with override("en"):
        assert escape(role_label("supervisor")) in page
    # Only what concerns one user (whoever did it).
    page = client.get("/audit/", {"subject": bob.pk}).content.decode()
    assert shown("user.deactivated") in page and shown("user.roles_changed") not in page
    page = client.get("/audit/", {"subject": adam.pk}).content.decode()
    assert (
        shown("manage.user.self_change_refused") in page and shown("user.deactivated") not in page
    )
    # Only what one user did.
    page = client.get("/audit/", {"user": adam.pk, "kind": "records"}).content.decode()
    assert shown("user.deactivated") not in page and shown("service.viewed") not in page


@pytest.mark.parametrize("kind", ["accounts", "records"])
def test_the_kind_filter_is_validated(client, dora, kind):
    client.force_login(dora)
    assert client.get("/audit/", {"kind": kind}).status_code == 200
    assert b"Select a valid choice" in client.get("/audit/", {"kind": "other"}).content


def test_the_enrolment_code_command_is_logged_under_its_name(db):
    from io import StringIO

    from django.core.management import call_command

    carla = get_user_model().objects.create_user("carla", password=PASSWORD)
    out = StringIO()
    call_command("issue_enrolment_code", "carla", "--reset", stdout=out)
    [entry] = entries("user.enrolment_code_issued")
    [despite] = entries("user.enrolment_code_despite_password")
    assert despite.username == entry.username and despite.object_label == "carla"
    assert entry.user is None and entry.username.startswith("manage.py (")
    assert entry.object_label == carla.username
    code = re.search(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b", out.getvalue()).group(0)
    assert code not in str(entry.detail)


def test_accounts_created_and_deleted_are_logged(adam):
    from caseworks.audit.insider import acting_as

    with acting_as(adam):
        newcomer = get_user_model().objects.create_user("newcomer", password=PASSWORD)
        newcomer.delete()
        adam.delete()  # even their own: the entry keeps the name, not the account
    assert [(e.username, e.action, e.object_label) for e in AccessLog.objects.order_by("pk")] == [
        ("adam", "user.created", "newcomer"),
        ("adam", "user.deleted", "newcomer"),
        ("adam", "user.deleted", "adam"),
    ]
    assert not entries("user.password_changed")  # a password at creation is no change
