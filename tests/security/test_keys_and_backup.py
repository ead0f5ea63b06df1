"""Key canary, key rotation and backup/restore, on the real database of the run."""

import gzip
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from cases.models import Case, Client
from caseworks import canary, keys
from caseworks.audit import log_access
from caseworks.backup import BackupError, dump, restore
from caseworks.fields import DecryptionError
from caseworks.models import AccessLog, KeyCanary
from referrals.models import Letter
from referrals.services import letter_issue
from visits.models import Visit
from visits.services import visit_record

BASE_DIR = Path(__file__).resolve().parents[2]
MARKER = "Zitronenfalter4711"


@pytest.fixture
def house(alice, alice_case, ready_referral):
    client = alice_case.clients.get()
    client.phone = f"0170 {MARKER}"
    client.save()
    visit_record(
        actor=alice,
        case=alice_case,
        kind=Visit.Kind.FIRST,
        present=[client],
        notes=f"Notiz {MARKER}",
    )
    letter = letter_issue(actor=alice, referral=ready_referral)
    log_access(user=alice, action="case.cover", obj=alice_case, reason=f"Vertretung {MARKER}")
    return {"case": alice_case, "client": client, "letter": letter}


def test_the_canary_is_written_at_installation_and_checked(db, settings):
    assert KeyCanary.objects.count() == 1
    assert canary.verify() is True
    settings.CASEWORKS_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(canary.KeyMismatch) as error:
        canary.verify()
    assert "caseworks key canary" not in str(error.value)
    with pytest.raises(SystemCheckError, match="caseworks.E010"):
        call_command("check", databases=["default"])


def test_a_wrong_blind_index_key_is_caught_too(db, settings):
    settings.CASEWORKS_BLIND_INDEX_KEY = "another-blind-index-key-0123456789abcdef0123"
    with pytest.raises(canary.KeyMismatch, match="BLIND_INDEX"):
        canary.verify()


@pytest.mark.slow  # a subprocess: a fresh interpreter with other settings
def test_the_server_refuses_to_start_with_the_wrong_key(tmp_path):
    env = {
        **os.environ,
        "CASEWORKS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        env=env,
        cwd=BASE_DIR,
        check=True,
        capture_output=True,
    )
    start = [sys.executable, "-c", "import caseworks.wsgi"]
    assert subprocess.run(start, env=env, cwd=BASE_DIR, capture_output=True).returncode == 0
    env["CASEWORKS_FIELD_KEYS"] = Fernet.generate_key().decode()
    result = subprocess.run(start, env=env, cwd=BASE_DIR, capture_output=True, text=True)
    assert result.returncode != 0
    assert "will not start" in result.stderr and "key canary" in result.stderr


# --- rotation ---------------------------------------------------------------------------------


def test_rotation_re_encrypts_everything_and_the_old_key_can_go(house, settings):
    old_key = settings.CASEWORKS_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    pdf = bytes(house["letter"].pdf)
    settings.CASEWORKS_FIELD_KEYS = [new_key, old_key]
    before = keys.pending()
    assert before > 10  # names, history rows, the letter, the access log reason...
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    assert "0 values pending" in out.getvalue()
    assert keys.pending() == 0

    settings.CASEWORKS_FIELD_KEYS = [new_key]  # the old key is gone
    client = Client.objects.get(pk=house["client"].pk)
    assert client.phone == f"0170 {MARKER}"
    assert client.history.count() >= 2
    assert all(h.last_name == "Karimi" for h in client.history.all())
    assert Visit.objects.get().notes == f"Notiz {MARKER}"
    assert {h.notes for h in Visit.history.all()} == {f"Notiz {MARKER}"}
    assert bytes(Letter.objects.get().pdf) == pdf
    assert AccessLog.objects.get(action="case.cover").reason == f"Vertretung {MARKER}"
    assert canary.verify()


def test_an_interrupted_rotation_leaves_everything_readable_and_resumes(house, settings):
    old_key = settings.CASEWORKS_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.CASEWORKS_FIELD_KEYS = [new_key, old_key]
    total = keys.pending()

    class Stop(Exception):
        pass

    def stop_after_first_work(table, rows, rotated):
        if rotated:
            raise Stop

    with pytest.raises(Stop):
        keys.rotate(batch_size=1, report=stop_after_first_work)
    left = keys.pending()
    assert 0 < left < total
    assert Client.objects.get().last_name == "Karimi"  # both keys still configured
    keys.rotate()
    assert keys.pending() == 0
    settings.CASEWORKS_FIELD_KEYS = [new_key]
    assert Case.objects.get().accommodation_address.startswith("Am Bahnhof")


def test_without_rotation_removing_the_old_key_fails_loudly(house, settings):
    settings.CASEWORKS_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        Client.objects.get().last_name  # noqa: B018


# --- backup and restore -----------------------------------------------------------------------


def test_backup_and_restore_round_trip(house, settings):
    buffer = io.BytesIO()
    counts = dump(buffer)
    assert counts["cases_client"] == 1 and counts["referrals_letter"] == 1
    raw = gzip.decompress(buffer.getvalue()).decode()
    for plaintext in (MARKER, "Karimi", "Am Bahnhof", old_key_text := "%PDF"):
        assert plaintext not in raw, f"{plaintext!r} is readable in the backup"
    del old_key_text
    for key in settings.CASEWORKS_FIELD_KEYS:
        assert key not in raw

    client_history = Client.history.count()
    pdf = bytes(Letter.objects.get().pdf)
    # Things happen after the backup...
    Client.objects.filter(pk=house["client"].pk).update(last_name="Geändert")
    Letter.objects.all().delete()
    # ... and the restore brings back the state of the backup, history and log included.
    buffer.seek(0)
    restore(buffer)
    client = Client.objects.get()
    assert client.last_name == "Karimi" and client.phone.endswith(MARKER)
    assert Client.history.count() == client_history
    assert bytes(Letter.objects.get().pdf) == pdf
    assert AccessLog.objects.get(action="case.cover").reason.endswith(MARKER)
    # The blind indexes came along: search still finds the person.
    from cases.selectors import case_search

    assert list(case_search(Case.objects.all(), "karimi")) == [house["case"]]


def test_a_restore_with_the_wrong_key_changes_nothing(house, settings):
    buffer = io.BytesIO()
    dump(buffer)
    Client.objects.update(languages="after the backup")
    buffer.seek(0)
    right = settings.CASEWORKS_FIELD_KEYS
    settings.CASEWORKS_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(canary.KeyMismatch):
        restore(buffer)
    settings.CASEWORKS_FIELD_KEYS = right
    assert Client.objects.get().languages == "after the backup"


def test_the_restore_command_needs_confirmation_and_rejects_other_files(db, tmp_path):
    path = tmp_path / "backup.jsonl.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    with pytest.raises(CommandError, match="--replace-all-data"):
        call_command("restore", str(path))
    call_command("restore", str(path), replace_all_data=True, stdout=io.StringIO())
    junk = tmp_path / "junk.gz"
    junk.write_bytes(gzip.compress(b'{"format": "something else"}\n'))
    with pytest.raises(CommandError, match="not a Caseworks backup"):
        call_command("restore", str(junk), replace_all_data=True)
    with pytest.raises(BackupError):
        restore(io.BytesIO(b"not even gzip"))
