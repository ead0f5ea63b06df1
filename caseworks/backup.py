"""Backup and restore of the whole database as it is stored: ciphertext stays ciphertext.

A backup holds no key. Keep the keys (CASEWORKS_FIELD_KEYS, CASEWORKS_BLIND_INDEX_KEY,
SECRET_KEY) in a different place from the backups: whoever has both has everything.

Format: gzip'd JSON lines. A header (format, database vendor, applied migrations), then per
table a {"table", "columns"} line followed by one {"row": [...]} line a row. Values are read
and written through the raw database cursor, so no field is decrypted and no model is saved.

A restore replaces every row of a freshly migrated database of the same version, in one
transaction, and checks the key canary before committing: with the wrong keys it rolls back
and says so, and nothing has changed.
"""

import base64
import datetime
import decimal
import gzip
import json
import uuid
from typing import IO

from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from caseworks import canary
from caseworks.keys import stored_models

FORMAT = "caseworks-backup"
VERSION = 1
# Sessions and sign-in attempts are not data; a restore signs everyone out.
SKIPPED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}


class BackupError(Exception):
    pass


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


def dump(stream: IO[bytes], using: str = "default") -> dict[str, int]:
    connection = connections[using]
    q = connection.ops.quote_name
    counts = {}
    with gzip.GzipFile(fileobj=stream, mode="wb") as out, transaction.atomic(using=using):

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
            write({"table": meta.db_table, "columns": columns})
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {', '.join(q(c) for c in columns)} FROM {q(meta.db_table)} "  # noqa: S608
                    f"ORDER BY {q(meta.pk.column)}"
                )
                n = 0
                while rows := cursor.fetchmany(1000):
                    for row in rows:
                        write({"row": [_encode(v) for v in row]})
                    n += len(rows)
            counts[meta.db_table] = n
    return counts


def restore(stream: IO[bytes], using: str = "default") -> dict[str, int]:
    connection = connections[using]
    q = connection.ops.quote_name
    models = {m._meta.db_table: m for m in _models()}
    counts: dict[str, int] = {}
    with gzip.GzipFile(fileobj=stream, mode="rb") as data:
        lines = iter(data)
        try:
            header = json.loads(next(lines))
        except (StopIteration, ValueError, OSError):
            raise BackupError("This is not a Caseworks backup file.") from None
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise BackupError("This is not a Caseworks backup file of a known version.")
        if header["vendor"] != connection.vendor:
            raise BackupError(
                f"The backup was taken from {header['vendor']}; this database "
                f"is {connection.vendor}. Restore into the same kind."
            )
        if header["migrations"] != _applied(using):
            raise BackupError(
                "The backup was taken at a different version of Caseworks: "
                "install that version, migrate, restore, then upgrade."
            )
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table in models:
                cursor.execute(f"DELETE FROM {q(table)}")  # noqa: S608
            table, sql = None, None
            batch: list[list[object]] = []

            def flush():
                if batch:
                    cursor.executemany(sql, batch)
                    counts[table] = counts.get(table, 0) + len(batch)
                    batch.clear()

            for line in lines:
                item = json.loads(line)
                if "row" in item:
                    batch.append([_decode(v) for v in item["row"]])
                    if len(batch) >= 1000:
                        flush()
                    continue
                flush()
                table = item["table"]
                if table not in models:
                    raise BackupError(f"The backup has a table this version does not: {table}")
                columns = item["columns"]
                placeholders = ", ".join(["%s"] * len(columns))
                sql = (
                    f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
                    f"VALUES ({placeholders})"
                )
            flush()
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models.values())):
                cursor.execute(statement)
            # The keys must fit the restored data; otherwise all of it is rolled back.
            if not canary.verify(using):
                raise BackupError("The backup has no key canary; it is incomplete.")
    return counts
