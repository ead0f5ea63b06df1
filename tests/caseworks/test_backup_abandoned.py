"""A backup killed on the way (SIGKILL) leaves its hidden partial file; the next backup in
that folder removes it and says so, but never touches one another backup is still writing."""

import fcntl
import io
import os

from django.core.management import call_command


def test_the_next_backup_removes_what_a_killed_one_left(db, tmp_path):
    abandoned = tmp_path / ".nightly.jsonl.gz.0badc0de.partial"  # as SIGKILL leaves it: 0 bytes
    abandoned.touch(mode=0o600)
    writing = tmp_path / ".other.jsonl.gz.12345678.partial"
    writing.write_bytes(b"being written")
    unrelated = tmp_path / ".notes.partial"  # not a backup's name
    unrelated.touch()
    holder = os.open(writing, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # a backup running at the same time holds its file
    try:
        err = io.StringIO()
        call_command("backup", str(tmp_path / "today.jsonl.gz"), stdout=io.StringIO(), stderr=err)
    finally:
        os.close(holder)
    assert not abandoned.exists()
    assert writing.exists() and unrelated.exists()
    assert (tmp_path / "today.jsonl.gz").exists()
    assert f"Removed {abandoned.name}" in err.getvalue()
    assert writing.name not in err.getvalue()
    # Only the finished backup and the two files that are not abandoned backups remain.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".notes.partial", writing.name, "today.jsonl.gz"]
    )
