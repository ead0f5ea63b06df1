"""Hostile import files (issue 35): each is refused with a clear German message on the page,
within a second and in bounded memory, and nothing is saved. The files are built here,
small, from a genuine workbook (tests.cases.test_import.xlsx) or from bytes."""

import io
import random
import time
import tracemalloc
import zipfile

import pytest
from django.utils import translation

from cases.intake import importing
from cases.models import Case, Client, ImportedRow
from cases.models.imports import ImportRun
from tests.cases.test_import import HEADER_DE, person, xlsx

SHEET = "xl/worksheets/sheet1.xml"
# What reading one hostile file may cost at most.
SECONDS = 1.0
PEAK_BYTES = 20 * 1024 * 1024


def rezip(data: bytes, **parts: bytes) -> bytes:
    """The workbook with some parts replaced (name -> new content)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, parts.get(info.filename, source.read(info.filename)))
    return out.getvalue()


def sheet_of(data: bytes) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(SHEET).decode()


def dimension_bomb() -> bytes:
    """A genuine one-person workbook whose sheet declares A1:XFD1048576 (and has a value in
    the last cell), the outside testers' 4.9 KB file that made the old reader build a
    million rows of 16,384 cells."""
    data = xlsx([person(1)])
    sheet = sheet_of(data)
    start, end = sheet.index("<dimension"), sheet.index("/>", sheet.index("<dimension")) + 2
    sheet = sheet[:start] + '<dimension ref="A1:XFD1048576"/>' + sheet[end:]
    last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    sheet = sheet.replace("</sheetData>", last + "</sheetData>")
    return rezip(data, **{SHEET: sheet.encode()})


def with_doctype(doctype: str, use: str) -> bytes:
    """The workbook with a DTD in its sheet and an entity used in a cell."""
    data = xlsx([person(1)])
    sheet = sheet_of(data).replace("<t>Vorname1</t>", f"<t>{use}</t>")
    sheet = sheet.replace("<worksheet", f"{doctype}<worksheet", 1)
    return rezip(data, **{SHEET: sheet.encode()})


XXE = with_doctype('<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "&e;")
LAUGHS = with_doctype(
    "<!DOCTYPE w [<!ENTITY a0 'hahahahahahahahahaha'>"
    + "".join(f"<!ENTITY a{n} '{('&a' + str(n - 1) + ';') * 10}'>" for n in range(1, 10))
    + "]>",
    "&a9;",
)


def csv_of(lines: list[str]) -> bytes:
    return "\r\n".join(lines).encode("utf-8")


HEADER_CSV = ";".join(HEADER_DE)
ROW_CSV = ";".join(str(c) for c in person(1)[:5]) + ";01.01.1990"


HOSTILE = {
    "dimension bomb": ("bomb.xlsx", dimension_bomb, "mehr als 200 Spalten"),
    "external entity": ("xxe.xlsx", lambda: XXE, "keine lesbare XLSX-Arbeitsmappe"),
    "billion laughs": ("laughs.xlsx", lambda: LAUGHS, "keine lesbare XLSX-Arbeitsmappe"),
    "junk bytes": (
        "junk.csv",
        lambda: random.Random(35).randbytes(64 * 1024),
        "keine CSV-Textdatei",
    ),
    "a 9 MB cell": (
        "field.csv",
        lambda: csv_of([HEADER_CSV, ROW_CSV + ";" + "x" * (9 * 1024 * 1024)]),
        "Zelle mit mehr als 2000 Zeichen",
    ),
    "2,000 × 2,000 cells": (
        "wide.csv",
        lambda: csv_of([";".join(["x"] * 2000)] * 2000),
        "mehr als 200 Spalten",
    ),
    "a zip of junk": ("broken.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 200, "keine lesbare"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_it_refuses_a_hostile_file_quickly_with_a_german_message(kind, client, adam, team_a):
    name, build, message = HOSTILE[kind]
    upload = io.BytesIO(build())
    upload.name = name
    client.force_login(adam)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    started = time.perf_counter()
    response = client.post("/manage/import/", {"file": upload})
    took = time.perf_counter() - started
    assert response.status_code == 200
    assert message in response.content.decode(), response.content.decode()[-3000:]
    assert "cases.import" not in client.session  # nothing kept to confirm
    assert not (Case.objects.exists() or Client.objects.exists() or ImportedRow.objects.exists())
    assert not ImportRun.objects.exists()
    assert took < SECONDS + 1.0  # the page; the reading alone is measured below


@pytest.mark.parametrize("kind", ["dimension bomb", "2,000 × 2,000 cells", "a 9 MB cell"])
def test_reading_a_bomb_stays_within_a_second_and_bounded_memory(kind, adam, team_a):
    name, build, message = HOSTILE[kind]
    data = build()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with translation.override("de"), pytest.raises(importing.UnreadableFile) as refused:
            importing.plan(data, filename=name, user=adam)
        took = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message in " ".join(refused.value.messages)
    assert took < SECONDS
    # The file itself is in memory (up to 10 MB for the CSVs); the reading adds little.
    assert peak - len(data) < PEAK_BYTES, peak


def test_a_declared_dimension_is_not_trusted_for_a_genuine_file(adam, alice, team_a):
    """The same one-person workbook declaring A1:XFD1048576, without the far cell: read in
    a blink, one person."""
    data = xlsx([person(1)])
    sheet = sheet_of(data)
    start = sheet.index("<dimension")
    end = sheet.index("/>", start) + 2
    data = rezip(
        data, **{SHEET: (sheet[:start] + '<dimension ref="A1:XFD1048576"/>' + sheet[end:]).encode()}
    )
    started = time.perf_counter()
    plan = importing.plan(data, filename="x.xlsx", user=adam)
    assert time.perf_counter() - started < SECONDS
    assert plan.ok and plan.new_persons == 1


def test_more_rows_than_the_limit_are_refused_without_reading_on(adam, team_a, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 5)
    data = csv_of([HEADER_CSV] + [ROW_CSV.replace("S-1", f"S-{n}") for n in range(50)])
    with translation.override("de"), pytest.raises(importing.UnreadableFile) as refused:
        importing.plan(data, filename="x.csv", user=adam)
    assert "Mehr als" in refused.value.messages[0]


def test_an_unclosed_quote_is_a_message_not_an_error(adam, team_a):
    data = csv_of([HEADER_CSV, '"S-1;H;ja;"Amina', ROW_CSV])
    # An unclosed quote swallows the rest: one cell, read as text, and no 500.
    plan = importing.plan(data, filename="x.csv", user=adam)
    assert not plan.ok
