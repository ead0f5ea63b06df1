"""Key rotation: re-encrypt every stored value with the newest field key.

Works on the raw columns (ciphertext in, ciphertext out): nothing is decrypted into Python
objects, no model is saved, so no history row, timestamp or version changes. Each batch is
one transaction, and a value already under the newest key is skipped, so a run can be
interrupted at any point and started again; until it has finished, the old keys must stay
in CASEWORKS_FIELD_KEYS (behind the new one).

The app keeps running meanwhile. A batch is read outside a transaction, so every UPDATE is a
compare-and-swap on the ciphertext that was read: a row saved in between (by the app, with
the newest key) no longer matches and is left alone instead of being overwritten with the old
value re-encrypted.

The key canary (caseworks.crypto.canary) is re-encrypted last, and only once no other value is left
under an old key: it is always under the oldest key still in use, so removing an old key too
early fails the start-up check (caseworks.E010) instead of leaving values nobody can read.
"""

import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction

from caseworks.fields import EncryptedMixin, get_fernet
from caseworks.models import KeyCanary


@dataclass(frozen=True)
class EncryptedTable:
    table: str
    pk: str
    columns: tuple[str, ...]
    label: str


def stored_models() -> list:
    """One model a database table (history and m2m tables included), by table name."""
    by_table: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.proxy and meta.managed:
            by_table.setdefault(meta.db_table, model)
    return [by_table[table] for table in sorted(by_table)]


def encrypted_tables() -> list[EncryptedTable]:
    """Every table with encrypted columns, historical tables included (one entry a table)."""
    tables = []
    for model in stored_models():
        meta = model._meta
        columns = tuple(
            f.column
            for f in meta.concrete_fields
            if isinstance(f, EncryptedMixin) and isinstance(f, models.Field)
        )
        if columns:
            tables.append(EncryptedTable(meta.db_table, meta.pk.column, columns, meta.label))
    return tables


@dataclass
class RotationResult:
    rows_seen: int = 0
    values_rotated: int = 0
    # Rows changed by someone else between our read and our write: left as they are.
    rows_skipped: int = 0
    seconds: float = 0.0
    # Values still under an old key at the end (None when the run was restricted by `only`).
    pending: int | None = None
    canary_rotated: bool = False

    @property
    def rows_per_second(self) -> float:
        return self.rows_seen / self.seconds if self.seconds else 0.0


def _batches(cursor, table: EncryptedTable, q, size: int) -> Iterator[list[tuple]]:
    last = None
    columns = ", ".join(q(c) for c in (table.pk, *table.columns))
    while True:
        where = f" WHERE {q(table.pk)} > %s" if last is not None else ""
        cursor.execute(
            f"SELECT {columns} FROM {q(table.table)}{where} "  # noqa: S608 (names from models)
            f"ORDER BY {q(table.pk)} LIMIT {int(size)}",
            [last] if last is not None else [],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _canary_table() -> str:
    return KeyCanary._meta.db_table


def _rotate_rows(
    table: EncryptedTable, rows: list[tuple], *, using: str, newest: Fernet, fernet
) -> tuple[int, list]:
    """Re-encrypt the values of `rows` (as read) that are under an old key, in one
    transaction; (values re-encrypted, pks of the rows changed by someone else meanwhile)."""
    connection = connections[using]
    q = connection.ops.quote_name
    # Per set of changed columns: [new values..., pk, old values...] a row.
    by_columns: dict[tuple[str, ...], list[list]] = {}
    for pk, *values in rows:
        changed, old = {}, []
        for column, value in zip(table.columns, values, strict=True):
            if value is None:
                continue
            token = value.encode("ascii") if isinstance(value, str) else bytes(value)
            try:
                newest.decrypt(token)
                continue  # already under the newest key
            except InvalidToken:
                changed[column] = fernet.rotate(token).decode("ascii")
                old.append(value)
        if changed:
            by_columns.setdefault(tuple(changed), []).append([*changed.values(), pk, *old])
    rotated = 0
    conflicts: list = []
    # Compare-and-swap: the UPDATE applies only while the row still holds the ciphertext that
    # was read. One statement a set of changed columns, run for all its rows with executemany
    # (rowcount is their sum on sqlite3 and psycopg 3).
    with transaction.atomic(using=using), connection.cursor() as writer:
        for columns, params in by_columns.items():
            assignments = ", ".join(f"{q(c)} = %s" for c in columns)
            unchanged = " AND ".join(f"{q(c)} = %s" for c in columns)
            writer.executemany(
                f"UPDATE {q(table.table)} SET {assignments} "  # noqa: S608
                f"WHERE {q(table.pk)} = %s AND {unchanged}",
                params,
            )
            done = writer.rowcount if writer.rowcount >= 0 else len(params)
            rotated += done * len(columns)
            if done < len(params):
                conflicts.extend(row[len(columns)] for row in params)
    return rotated, conflicts


def _reread(table: EncryptedTable, pks: list, *, using: str) -> list[tuple]:
    connection = connections[using]
    q = connection.ops.quote_name
    columns = ", ".join(q(c) for c in (table.pk, *table.columns))
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for i in range(0, len(pks), 500):
            chunk = pks[i : i + 500]
            cursor.execute(
                f"SELECT {columns} FROM {q(table.table)} "  # noqa: S608 (names from models)
                f"WHERE {q(table.pk)} IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            rows.extend(cursor.fetchall())
    return rows


# A row saved again and again while it is being rotated is left to the next run.
ATTEMPTS = 3


def _rotate_table(
    table: EncryptedTable, *, using: str, batch_size: int, newest: Fernet, fernet
) -> tuple[int, int, int]:
    """Re-encrypt one table's values under an old key; (rows seen, values, rows skipped)."""
    connection = connections[using]
    q = connection.ops.quote_name
    rows_seen = rotated = skipped = 0
    with connection.cursor() as reader:
        for rows in _batches(reader, table, q, batch_size):
            todo = rows
            for _attempt in range(ATTEMPTS):
                done, conflicts = _rotate_rows(
                    table, todo, using=using, newest=newest, fernet=fernet
                )
                rotated += done
                if not conflicts:
                    break
                # Saved meanwhile: the values the app wrote are under the newest key, but
                # an update of some fields leaves the others as they were. Read those rows
                # again and rotate what is still under an old key.
                todo = _reread(table, conflicts, using=using)
            else:
                skipped += len(conflicts)
            rows_seen += len(rows)
    return rows_seen, rotated, skipped


def rotate(
    *,
    using: str = "default",
    batch_size: int = 500,
    report: Callable[[EncryptedTable, int, int], None] | None = None,
    only: set[str] | None = None,
) -> RotationResult:
    """`only`: model labels to restrict the run to (the benchmark times a part); such a run
    never touches the key canary."""
    keys = settings.CASEWORKS_FIELD_KEYS
    newest = Fernet(keys[0])
    fernet = get_fernet()
    result = RotationResult()
    started = time.perf_counter()
    canary_table = None
    for table in encrypted_tables():
        if only is not None and table.label not in only:
            continue
        if table.table == _canary_table():
            canary_table = table  # last, see below
            continue
        rows_seen, rotated, skipped = _rotate_table(
            table, using=using, batch_size=batch_size, newest=newest, fernet=fernet
        )
        result.rows_seen += rows_seen
        result.values_rotated += rotated
        result.rows_skipped += skipped
        if report:
            report(table, rows_seen, rotated)
    if only is None:
        # The canary moves to the newest key only when nothing else is left under an old
        # one (rows written meanwhile by a server still running with the old key order
        # included); otherwise it stays, and the next run finishes the job.
        result.pending = pending(using, exclude={_canary_table()})
        if result.pending == 0 and canary_table is not None:
            rows_seen, rotated, skipped = _rotate_table(
                canary_table, using=using, batch_size=batch_size, newest=newest, fernet=fernet
            )
            result.rows_seen += rows_seen
            result.values_rotated += rotated
            result.canary_rotated = rotated > 0
            if report:
                report(canary_table, rows_seen, rotated)
        result.pending += pending(using, only={_canary_table()})
    result.seconds = time.perf_counter() - started
    return result


def pending(
    using: str = "default",
    *,
    exclude: Collection[str] = frozenset(),
    only: Collection[str] | None = None,
) -> int:
    """How many stored values are not yet under the newest key (0 once rotation is done).
    `exclude` / `only`: table names."""
    newest = Fernet(settings.CASEWORKS_FIELD_KEYS[0])
    connection = connections[using]
    q = connection.ops.quote_name
    count = 0
    for table in encrypted_tables():
        if table.table in exclude or (only is not None and table.table not in only):
            continue
        with connection.cursor() as cursor:
            for rows in _batches(cursor, table, q, 2000):
                for _pk, *values in rows:
                    for value in values:
                        if value is None:
                            continue
                        try:
                            newest.decrypt(
                                value.encode("ascii") if isinstance(value, str) else bytes(value)
                            )
                        except InvalidToken:
                            count += 1
    return count
