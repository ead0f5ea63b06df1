"""Key rotation: re-encrypt every stored value with the newest field key.

Works on the raw columns (ciphertext in, ciphertext out): nothing is decrypted into Python
objects, no model is saved, so no history row, timestamp or version changes. Each batch is
one transaction, and a value already under the newest key is skipped, so a run can be
interrupted at any point and started again; until it has finished, the old keys must stay
in CASEWORKS_FIELD_KEYS (behind the new one).
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction

from caseworks.fields import EncryptedMixin, get_fernet


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
    seconds: float = 0.0

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


def rotate(
    *,
    using: str = "default",
    batch_size: int = 500,
    report: Callable[[EncryptedTable, int, int], None] | None = None,
    only: set[str] | None = None,
) -> RotationResult:
    """`only`: model labels to restrict the run to (the benchmark times a part)."""
    keys = settings.CASEWORKS_FIELD_KEYS
    newest = Fernet(keys[0])
    fernet = get_fernet()
    connection = connections[using]
    q = connection.ops.quote_name
    result = RotationResult()
    started = time.perf_counter()
    for table in encrypted_tables():
        if only is not None and table.label not in only:
            continue
        rows_seen = rotated = 0
        with connection.cursor() as reader:
            for rows in _batches(reader, table, q, batch_size):
                updates = []
                for pk, *values in rows:
                    changed = {}
                    for column, value in zip(table.columns, values, strict=True):
                        if value is None:
                            continue
                        token = value.encode("ascii") if isinstance(value, str) else bytes(value)
                        try:
                            newest.decrypt(token)
                            continue  # already under the newest key
                        except InvalidToken:
                            changed[column] = fernet.rotate(token).decode("ascii")
                    if changed:
                        updates.append((pk, changed))
                # One statement a set of changed columns, run for all rows with executemany.
                by_columns: dict[tuple[str, ...], list[list]] = {}
                for pk, changed in updates:
                    by_columns.setdefault(tuple(changed), []).append([*changed.values(), pk])
                with transaction.atomic(using=using), connection.cursor() as writer:
                    for columns, params in by_columns.items():
                        assignments = ", ".join(f"{q(c)} = %s" for c in columns)
                        writer.executemany(
                            f"UPDATE {q(table.table)} SET {assignments} "  # noqa: S608
                            f"WHERE {q(table.pk)} = %s",
                            params,
                        )
                rows_seen += len(rows)
                rotated += sum(len(c) for _pk, c in updates)
        result.rows_seen += rows_seen
        result.values_rotated += rotated
        if report:
            report(table, rows_seen, rotated)
    result.seconds = time.perf_counter() - started
    return result


def pending(using: str = "default") -> int:
    """How many stored values are not yet under the newest key (0 once rotation is done)."""
    newest = Fernet(settings.CASEWORKS_FIELD_KEYS[0])
    connection = connections[using]
    q = connection.ops.quote_name
    count = 0
    for table in encrypted_tables():
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
