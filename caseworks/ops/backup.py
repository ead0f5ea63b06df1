"""Backup and restore of the whole database as it is stored: ciphertext stays ciphertext.

A backup holds no key. Keep the keys (CASEWORKS_FIELD_KEYS, CASEWORKS_BLIND_INDEX_KEY,
SECRET_KEY) in a different place from the backups: whoever has both has everything.

Format: gzip'd JSON lines. A header (format, database vendor, applied migrations), then per
table a {"table", "columns"} line followed by one {"row": [...]} line a row, and (from format
version 2) a last {"end": {"rows": n}} line, so that a file cut off at a line boundary is
recognised too. Values are read and written through the raw database cursor, so no field is
decrypted and no model is saved.

A dump reads one consistent snapshot: one read transaction (SQLite: a deferred one, so that
with WAL the app keeps writing meanwhile; PostgreSQL: REPEATABLE READ, READ ONLY).

A restore first reads the whole file (a cut-off or damaged file is refused before anything is
touched), then replaces every row of a migrated database of the same version in one
transaction, and checks the key canary before committing: with the wrong keys it rolls back
and says so, and nothing has changed.
"""

import base64
import contextlib
import datetime
import decimal
import gzip
import json
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

from caseworks.audit.dataprotection import person_data_sources
from caseworks.crypto import canary
from caseworks.crypto.keys import stored_models

FORMAT = "caseworks-backup"
VERSION = 2
# Version 1 had no end line; such files are still restored.
READABLE_VERSIONS = {1, 2}
# Sessions and sign-in attempts are not data; a restore signs everyone out.
SKIPPED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


class BackupError(Exception):
    """Never carries a stored value (the messages name tables and line numbers only)."""


def _models():
    return [m for m in stored_models() if m._meta.db_table not in SKIPPED_TABLES]


def _encode(value):
    if isinstance(value, memoryview | bytes | bytearray):
        return {"b64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dict | list):  # PostgreSQL jsonb comes back parsed
        return {"json": json.dumps(value)}
    return value


def _decode(value):
    if isinstance(value, dict):
        if "b64" in value:
            return base64.b64decode(value["b64"])
        if "json" in value:
            return value["json"]
    return value


def _applied(using) -> list[list[str]]:
    recorder = MigrationRecorder(connections[using])
    return sorted([app, name] for app, name in recorder.applied_migrations())


# --- what the operator confirms ---------------------------------------------------------------


def main_models() -> dict[str, type[models.Model]]:
    """The tables an operator recognises a database by: cases, persons, users. Found through
    what the apps registered (caseworks imports no app): the persons are the source of
    personal data that is the person itself, the cases what it belongs to."""
    found: dict[str, type[models.Model]] = {}
    for source in person_data_sources():
        if source.by_person == "pk":
            person = source.model
            case = person._meta.get_field(source.by_case).related_model
            if isinstance(case, type) and issubclass(case, models.Model):
                found["cases"] = case
            found["persons"] = person
            break
    found["users"] = get_user_model()
    return found


def main_counts(using: str = "default") -> dict[str, int]:
    """Rows now in the main tables of this database (cases, persons, users)."""
    return {name: model._base_manager.using(using).count() for name, model in main_models().items()}


def describe(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}" for name, n in counts.items())


# --- backup -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _snapshot(using: str) -> Iterator[None]:
    """One read transaction around the whole dump: every table as of the same moment."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield  # already inside a transaction (the tests): its reads are one snapshot
        return
    if connection.vendor == "sqlite":
        # Not transaction.atomic(): settings.py makes it BEGIN IMMEDIATE, the write lock,
        # which would stall every request that writes for as long as the dump runs. A
        # deferred transaction takes a read snapshot at its first SELECT; with WAL, the
        # app's writers carry on meanwhile (the dump does not see what they write).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")  # read only: nothing to commit
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            # READ COMMITTED would give each SELECT its own snapshot: a row written between
            # two tables could be in one and missing from the other.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def dump(stream: IO[bytes], using: str = "default") -> dict[str, int]:
    connection = connections[using]
    q = connection.ops.quote_name
    counts = {}
    with _snapshot(using), gzip.GzipFile(fileobj=stream, mode="wb") as out:

        def write(obj):
            out.write(json.dumps(obj, ensure_ascii=False).encode() + b"\n")

        write(
            {
                "format": FORMAT,
                "version": VERSION,
                "vendor": connection.vendor,
                "migrations": _applied(using),
            }
        )
        for model in _models():
            meta = model._meta
            columns = [f.column for f in meta.concrete_fields]
            # Rows holding files (documents) are fetched a few at a time: memory stays small.
            batch = (
                20 if any(isinstance(f, models.BinaryField) for f in meta.concrete_fields) else 1000
            )
            write({"table": meta.db_table, "columns": columns})
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {', '.join(q(c) for c in columns)} FROM {q(meta.db_table)} "  # noqa: S608
                    f"ORDER BY {q(meta.pk.column)}"
                )
                n = 0
                while rows := cursor.fetchmany(batch):
                    for row in rows:
                        write({"row": [_encode(v) for v in row]})
                    n += len(rows)
            counts[meta.db_table] = n
        write({"end": {"rows": sum(counts.values()), "tables": len(counts)}})
    return counts


# --- restore ----------------------------------------------------------------------------------


@dataclass
class BackupSummary:
    """What a backup file holds, read to its end: rows per table."""

    header: dict[str, Any]
    rows: dict[str, int] = field(default_factory=dict)

    def main_counts(self) -> dict[str, int]:
        return {
            name: self.rows.get(model._meta.db_table, 0) for name, model in main_models().items()
        }


def _damaged(reason: str) -> BackupError:
    return BackupError(f"The backup file is incomplete or damaged: {reason}.")


@contextlib.contextmanager
def _reading() -> Iterator[None]:
    """Turn what a cut-off or corrupt gzip stream raises into a BackupError."""
    try:
        yield
    except EOFError:
        raise _damaged("it ends in the middle of the compressed data (cut off)") from None
    except (OSError, zlib.error):
        raise _damaged("the compressed data is corrupt") from None


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, dict]]:
    """(line number, parsed line) for each line after the header."""
    with gzip.GzipFile(fileobj=stream, mode="rb") as data:
        lines = iter(data)
        try:
            header = json.loads(next(lines))
        except (StopIteration, ValueError, OSError, EOFError, zlib.error):
            raise BackupError("This is not a Caseworks backup file.") from None
        if not isinstance(header, dict):
            raise BackupError("This is not a Caseworks backup file.")
        yield 1, header
        with _reading():
            for number, line in enumerate(lines, start=2):
                try:
                    item = json.loads(line)
                except ValueError:
                    raise _damaged(f"line {number} is not a complete JSON line") from None
                if not isinstance(item, dict):
                    raise _damaged(f"line {number} is not a backup line")
                yield number, item


def _check_header(header: dict, using: str) -> None:
    connection = connections[using]
    if header.get("format") != FORMAT or header.get("version") not in READABLE_VERSIONS:
        raise BackupError("This is not a Caseworks backup file of a known version.")
    if header.get("vendor") != connection.vendor:
        raise BackupError(
            f"The backup was taken from {header.get('vendor')}; this database "
            f"is {connection.vendor}. Restore into the same kind."
        )
    if header.get("migrations") != _applied(using):
        raise BackupError(
            "The backup was taken at a different version of Caseworks: "
            "install that version, migrate, restore, then upgrade."
        )


def check_backup(stream: IO[bytes], using: str = "default") -> BackupSummary:
    """Read the whole file and check it (header, every line, the end line): a backup that is
    cut off or damaged anywhere is refused here, before anything is deleted."""
    tables = {m._meta.db_table: m for m in _models()}
    summary: BackupSummary | None = None
    table: str | None = None
    width = 0
    end = None
    with _reading():
        for number, item in _lines(stream):
            if summary is None:
                _check_header(item, using)
                summary = BackupSummary(header=item)
                continue
            if end is not None:
                raise _damaged(f"line {number} follows the end line")
            if "row" in item:
                row = item["row"]
                if table is None or not isinstance(row, list) or len(row) != width:
                    raise _damaged(f"line {number} is a row that does not fit its table")
                summary.rows[table] += 1
            elif "table" in item:
                table, columns = item["table"], item.get("columns")
                if table not in tables:
                    raise BackupError(f"The backup has a table this version does not: {table}")
                if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                    raise _damaged(f"line {number} names no columns")
                width = len(columns)
                summary.rows.setdefault(table, 0)
            elif "end" in item:
                end = item["end"]
            else:
                raise _damaged(f"line {number} is not a backup line")
    if summary is None:
        raise BackupError("This is not a Caseworks backup file.")
    if summary.header["version"] >= 2:
        if end is None:
            raise _damaged("its end line is missing (cut off)")
        if not isinstance(end, dict) or end.get("rows") != sum(summary.rows.values()):
            raise _damaged("it holds fewer or more rows than it says at its end")
    return summary


def restore(
    stream: IO[bytes],
    using: str = "default",
    *,
    expected: dict[str, int] | None = None,
    checked: BackupSummary | None = None,
) -> dict[str, int]:
    """Replace every row with the backup's. `stream` is read twice: checked to its end
    first (unless `checked`, check_backup()'s summary of this very stream, says it was).
    `expected`: the main counts (main_counts()) the operator confirmed; if the database no
    longer holds them when the restore begins, nothing is done."""
    connection = connections[using]
    q = connection.ops.quote_name
    models_by_table = {m._meta.db_table: m for m in _models()}
    if checked is None:
        stream.seek(0)
        check_backup(stream, using)
    stream.seek(0)
    counts: dict[str, int] = {}
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if expected is not None and main_counts(using) != expected:
            raise BackupError(
                "The database changed since its counts were shown "
                f"(now {describe(main_counts(using))}). Run the restore again."
            )
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for name in models_by_table:
            cursor.execute(f"DELETE FROM {q(name)}")  # noqa: S608
        table = ""
        sql = ""
        batch: list[list[Any]] = []

        def flush() -> None:
            if batch:
                try:
                    cursor.executemany(sql, batch)
                except DatabaseError as e:
                    # The database's message may quote a value: name the table only.
                    raise BackupError(
                        f"The database refused the rows of {table} ({type(e).__name__})."
                    ) from None
                counts[table] = counts.get(table, 0) + len(batch)
                batch.clear()

        for number, item in _lines(stream):
            if number == 1:
                continue  # the header, checked by check_backup()
            if "row" in item:
                batch.append([_decode(v) for v in item["row"]])
                if len(batch) >= 1000:
                    flush()
                continue
            flush()
            if "end" in item:
                break
            table = item["table"]
            columns = item["columns"]
            placeholders = ", ".join(["%s"] * len(columns))
            sql = (
                f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
                f"VALUES ({placeholders})"
            )
        flush()
        for statement in connection.ops.sequence_reset_sql(
            no_style(), list(models_by_table.values())
        ):
            cursor.execute(statement)
        # The keys must fit the restored data; otherwise all of it is rolled back.
        if not canary.verify(using):
            raise BackupError("The backup has no key canary; it is incomplete.")
    return counts
