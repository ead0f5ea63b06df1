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
from caseworks.audit.log import log_access
from caseworks.crypto import canary, keys
from caseworks.fields import DecryptionError
from caseworks.models import AccessLog, KeyCanary
from caseworks.ops.backup import BackupError, dump, restore
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
@pytest.mark.no_database  # a file database of its own
def test_the_server_refuses_to_start_with_the_wrong_key(tmp_path, migrated_sqlite_file):
    env = {
        **os.environ,
        "CASEWORKS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{migrated_sqlite_file}",
    }
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
    Client.objects.update(languages_other="after the backup")
    buffer.seek(0)
    right = settings.CASEWORKS_FIELD_KEYS
    settings.CASEWORKS_FIELD_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(canary.KeyMismatch):
        restore(buffer)
    settings.CASEWORKS_FIELD_KEYS = right
    assert Client.objects.get().languages_other == "after the backup"


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


# --- findings from outside testing ------------------------------------------------------------


def test_rotation_keeps_an_edit_made_between_reading_and_writing_a_batch(
    house, settings, monkeypatch
):
    """rotate_keys reads a batch, then writes it: an edit committed in between (a caseworker
    saving the person) must survive, not be replaced by the old value re-encrypted."""
    old_key = settings.CASEWORKS_FIELD_KEYS[0]
    settings.CASEWORKS_FIELD_KEYS = [Fernet.generate_key().decode(), old_key]
    client_pk = house["client"].pk
    real_batches = keys._batches

    def batches_with_an_edit_in_between(cursor, table, q, size):
        for rows in real_batches(cursor, table, q, size):
            if table.label == "cases.Client":
                # Another request saves the person after the batch was read (new key).
                Client.objects.filter(pk=client_pk).update(phone="0170 edited meanwhile")
            yield rows

    monkeypatch.setattr(keys, "_batches", batches_with_an_edit_in_between)
    keys.rotate()
    assert Client.objects.get(pk=client_pk).phone == "0170 edited meanwhile"
    # The row skipped was written under the newest key anyway: nothing is left behind.
    assert keys.pending() == 0


def test_an_interrupted_rotation_keeps_the_canary_under_the_old_key(house, settings):
    """The canary is re-encrypted last, once no other value is under an old key: removing the
    old key before the rotation has finished fails the start-up check (caseworks.E010)."""
    old_key = settings.CASEWORKS_FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.CASEWORKS_FIELD_KEYS = [new_key, old_key]

    class Stop(Exception):
        pass

    def stop_at_the_referrals(table, rows, rotated):
        if table.table >= "referrals":  # after caseworks_keycanary in table order
            raise Stop

    with pytest.raises(Stop):
        keys.rotate(report=stop_at_the_referrals)
    assert keys.pending() > 0  # letters, visits ... still under the old key
    settings.CASEWORKS_FIELD_KEYS = [new_key]  # the old key removed too early
    with pytest.raises(canary.KeyMismatch):
        canary.verify()
    with pytest.raises(SystemCheckError, match="caseworks.E010"):
        call_command("check", databases=["default"])

    # Finishing the rotation moves the canary too; then the old key can go.
    settings.CASEWORKS_FIELD_KEYS = [new_key, old_key]
    keys.rotate()
    assert keys.pending() == 0
    settings.CASEWORKS_FIELD_KEYS = [new_key]
    assert canary.verify()


def _backup_file(tmp_path) -> Path:
    path = tmp_path / "backup.jsonl.gz"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def test_a_restore_over_data_shows_the_counts_and_needs_them_confirmed(house, tmp_path):
    path = _backup_file(tmp_path)
    Client.objects.update(languages_other="after the backup")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(path), replace_all_data=True, stdout=io.StringIO())
    message = str(refused.value)
    assert "Nothing was restored" in message
    assert "1 cases" in message and "1 persons" in message and "--confirm-replace 1" in message
    assert MARKER not in message and "Karimi" not in message
    with pytest.raises(CommandError, match="--confirm-replace 1"):
        call_command(
            "restore", str(path), replace_all_data=True, confirm_replace=20, stdout=io.StringIO()
        )
    assert Client.objects.get().languages_other == "after the backup"  # nothing changed
    out = io.StringIO()
    call_command("restore", str(path), replace_all_data=True, confirm_replace=1, stdout=out)
    assert Client.objects.get().languages_other != "after the backup"
    assert "1 cases" in out.getvalue()


def _without_a_required_value(lines: list[bytes]) -> list[bytes]:
    import json

    out, columns = [], None
    for line in lines:
        item = json.loads(line)
        if item.get("table") == "cases_client":
            columns = item["columns"]
        elif item.get("table"):
            columns = None
        elif columns and "row" in item:
            item["row"][columns.index("case_id")] = None
            line = json.dumps(item).encode() + b"\n"
        out.append(line)
    return out


def _corrupt_copies(path: Path, tmp_path: Path) -> dict[str, Path]:
    raw = path.read_bytes()
    lines = gzip.decompress(raw).splitlines(keepends=True)
    copies = {
        # The gzip stream ends in the middle (a copy cut off, a full disk).
        "gzip cut in the middle": raw[: len(raw) // 2],
        # A line that is not JSON, half-way through the rows.
        "bad JSON line": gzip.compress(
            b"".join([*lines[: len(lines) // 2], b'{"row": [1, 2\n', *lines[len(lines) // 2 :]])
        ),
        # A complete gzip stream holding only the first half of the lines.
        "lines missing at the end": gzip.compress(b"".join(lines[: len(lines) // 2])),
        # Well-formed, but a row the database refuses (a required value missing).
        "a row the database refuses": gzip.compress(b"".join(_without_a_required_value(lines))),
    }
    paths = {}
    for name, data in copies.items():
        paths[name] = tmp_path / f"{name.replace(' ', '-')}.jsonl.gz"
        paths[name].write_bytes(data)
    return paths


def test_a_truncated_or_corrupt_backup_restores_nothing(house, tmp_path):
    path = _backup_file(tmp_path)
    Client.objects.update(languages_other="after the backup")
    letters = Letter.objects.count()
    for name, corrupt in _corrupt_copies(path, tmp_path).items():
        with pytest.raises(CommandError, match="Nothing was restored") as refused:
            call_command(
                "restore",
                str(corrupt),
                replace_all_data=True,
                confirm_replace=1,
                stdout=io.StringIO(),
            )
        expected = "refused the rows of" if "refuses" in name else "incomplete or damaged"
        assert expected in str(refused.value), name
        assert "Traceback" not in str(refused.value) and MARKER not in str(refused.value)
        assert Client.objects.get().languages_other == "after the backup", name
        assert Letter.objects.count() == letters, name


def test_a_failed_backup_leaves_no_file_and_is_never_world_readable(db, tmp_path, monkeypatch):
    from caseworks.management.commands import backup as backup_command

    modes = []

    def dump_that_fails(stream, using="default"):
        stream.write(b"partial backup")
        stream.flush()
        modes.append(os.fstat(stream.fileno()).st_mode & 0o777)
        raise OSError("No space left on device")

    monkeypatch.setattr(backup_command, "dump", dump_that_fails)
    old_umask = os.umask(0o022)
    try:
        with pytest.raises(CommandError, match="No backup was written"):
            call_command("backup", str(tmp_path / "nightly.jsonl.gz"), stdout=io.StringIO())
    finally:
        os.umask(old_umask)
    assert modes == [0o600]  # 0600 from the first byte on, not tightened afterwards
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one is left


def test_a_backup_never_overwrites_an_older_one(db, tmp_path):
    path = _backup_file(tmp_path)
    before = path.read_bytes()
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(path), stdout=io.StringIO())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


SNAPSHOT_SCRIPT = """
import gzip, io, json, sqlite3, sys, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from caseworks.ops import backup

path = connection.settings_dict["NAME"]
written = {}
real_encode = backup._encode

def encode_and_write_elsewhere(value):
    # Once, in the middle of the dump: another connection (another gunicorn worker) writes.
    if not written:
        written["started"] = time.monotonic()
        other = sqlite3.connect(path, timeout=2)
        try:
            other.execute(
                "INSERT INTO django_content_type (app_label, model) "
                "VALUES ('elsewhere', 'written_during_the_backup')"
            )
            other.commit()
            written["ok"] = True
        except sqlite3.OperationalError as e:
            written["ok"] = False
            written["error"] = str(e)
        finally:
            written["seconds"] = time.monotonic() - written["started"]
            other.close()
    return real_encode(value)

backup._encode = encode_and_write_elsewhere
out = io.BytesIO()
backup.dump(out)
journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
text = gzip.decompress(out.getvalue()).decode()
print(json.dumps({
    "journal": journal,
    "write": written,
    "in_backup": "written_during_the_backup" in text,
}))
"""


@pytest.mark.slow  # a subprocess: a file-based SQLite database of its own
@pytest.mark.no_database
def test_a_backup_on_sqlite_lets_others_write_and_reads_one_snapshot(
    tmp_path, migrated_sqlite_file
):
    """A backup on a file-based SQLite database (WAL, settings.py) while another connection
    writes: the write goes through at once (the backup holds no write lock), and the backup
    shows the database as it was when it began (one read transaction)."""
    import json

    env = {
        **os.environ,
        "CASEWORKS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{migrated_sqlite_file}",
        "DJANGO_SETTINGS_MODULE": "caseworks.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", SNAPSHOT_SCRIPT],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["journal"] == "wal"
    assert outcome["write"]["ok"], outcome["write"]
    assert outcome["write"]["seconds"] < 1.5
    assert not outcome["in_backup"]  # the snapshot of the start, not a mix


def test_on_a_terminal_the_restore_asks_for_the_number_of_cases(house, tmp_path, monkeypatch):
    path = _backup_file(tmp_path)
    Client.objects.update(languages_other="after the backup")

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    answers = iter(["yes", "1"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("restore", str(path), replace_all_data=True, stdout=io.StringIO())
    assert Client.objects.get().languages_other == "after the backup"
    out = io.StringIO()
    call_command("restore", str(path), replace_all_data=True, stdout=out)
    assert "This database holds 1 cases" in out.getvalue()
    assert Client.objects.get().languages_other != "after the backup"
