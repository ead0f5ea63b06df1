"""Issue 31: an enrolment code is no way to take over an account. A code issued for a new
phone of an account with a password never sets its password; the Django admin shows no codes;
the command prints one for an account with a password only with --reset, and logs it."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from caseworks.management.commands import create_admin
from caseworks.models import AccessLog, EnrolmentCode
from caseworks.signin import services as signin

PASSWORD = "Lange-Passphrase-2025!"
NEW = "Uebernahme-Versuch-2025!"


@pytest.fixture
def carla(db):
    return get_user_model().objects.create_user("carla", password=PASSWORD)


def test_a_code_for_an_account_with_a_password_does_not_reset_it(client, carla):
    code = signin.issue_enrolment_code(carla)
    page = client.post(
        "/accounts/reset/",
        {"username": "carla", "enrolment_code": code, "password1": NEW, "password2": NEW},
    )
    assert page.status_code == 200  # the answer for a wrong code
    carla.refresh_from_db()
    assert carla.check_password(PASSWORD) and not carla.check_password(NEW)
    assert "_auth_user_id" not in client.session
    # The code still serves its purpose: carla signs in with her password and enrols.
    assert signin.check_enrolment_code(carla, code) is not None


def test_after_reset_access_the_code_sets_the_password(carla):
    carla.set_unusable_password()
    carla.save()
    code = signin.issue_enrolment_code(carla)
    assert signin.reset_with_code(carla, code, NEW) is not None
    carla.refresh_from_db()
    assert carla.check_password(NEW)


def test_the_command_refuses_an_account_with_a_password_and_logs_it(carla):
    out = StringIO()
    with pytest.raises(CommandError, match="has a password"):
        call_command("issue_enrolment_code", "carla", stdout=out)
    assert not EnrolmentCode.objects.filter(user=carla).exists()
    [refused] = AccessLog.objects.filter(action="user.enrolment_code_refused")
    assert refused.object_label == "carla" and refused.user is None
    assert not AccessLog.objects.filter(action="user.enrolment_code_issued").exists()


def test_the_command_serves_an_account_without_a_password(db):
    newcomer = get_user_model().objects.create_user("newcomer", password=None)
    assert not newcomer.has_usable_password()
    out = StringIO()
    call_command("issue_enrolment_code", "newcomer", stdout=out)
    assert "Enrolment code for newcomer" in out.getvalue()
    assert not AccessLog.objects.filter(action__startswith="user.enrolment_code_refused").exists()


def test_create_admin_says_why_it_prints_the_code():
    assert "nobody to mail" in create_admin.Command.help
