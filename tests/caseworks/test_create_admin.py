"""`manage.py create_admin`: the first administrator, without the Django admin."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from caseworks.access.roles import has_role
from caseworks.models import AccessLog

pytestmark = pytest.mark.django_db


def test_creates_an_admin_role_account_that_is_no_superuser(tmp_path, capsys):
    secret = tmp_path / "pw"
    secret.write_text("a long enough passphrase 42\n")
    call_command("create_admin", "hausadmin", password_file=str(secret))
    user = get_user_model().objects.get(username="hausadmin")
    assert has_role(user, "admin")
    assert not user.is_superuser and not user.is_staff
    assert user.check_password("a long enough passphrase 42")
    out = capsys.readouterr().out
    assert "Enrolment code" in out and "a long enough passphrase" not in out
    assert AccessLog.objects.filter(username__startswith="manage.py").exists()


def test_refuses_an_existing_name_and_a_weak_password(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("123\n")
    with pytest.raises(CommandError):
        call_command("create_admin", "hausadmin", password_file=str(secret))
    assert not get_user_model().objects.filter(username="hausadmin").exists()
    secret.write_text("a long enough passphrase 42\n")
    call_command("create_admin", "hausadmin", password_file=str(secret))
    with pytest.raises(CommandError, match="exists already"):
        call_command("create_admin", "HausAdmin", password_file=str(secret))
