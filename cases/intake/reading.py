"""Reading an import file (CSV or XLSX) in bounded time and memory, whatever it declares.

An upload is hostile until read: an XLSX is a zip of XML parts that may declare a sheet of
A1:XFD1048576 in 5 KB, expand to gigabytes (a zip bomb), or carry a DTD with external or
nested entities (XXE, "billion laughs"); a CSV may be binary junk, one 9 MB cell, or
2,000 × 2,000 cells. So nothing here trusts a declared size: both readers stream, yield the
rows one at a time with the number the spreadsheet program shows, and stop with an
UnreadableFile (a clear message, nothing read further) at the first bound crossed:

- bytes: the upload (MAX_BYTES) and, for XLSX, each part as decompressed (MAX_PART_BYTES),
  counted while inflating rather than taken from the zip's directory;
- rows (MAX_ROWS, counted by the caller on the rows that hold something, and MAX_LINES
  of any kind), columns with a value (MAX_COLUMNS), characters a cell (MAX_CELL_CHARS);
- XML: any DOCTYPE is refused, so no entity is ever declared, let alone expanded (a
  spreadsheet part never has one); the parser is expat, fed in chunks (no tree is built).

The XLSX reader reads what an import needs: the first sheet's cell values (shared and
inline strings, numbers, booleans, dates by their number format), not formulas or styles.
"""

import codecs
import contextlib
import csv
import datetime
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from posixpath import dirname, join, normpath
from typing import Any
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000  # persons a file (rows that hold something, the header not counted)
MAX_LINES = 100_000  # rows of any kind, empty ones too (an XLSX may list formatted ones)
MAX_COLUMNS = 200
MAX_CELL_CHARS = 2_000
MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part of an XLSX, decompressed
MAX_PARTS = 1_000  # entries in the zip
CHUNK = 64 * 1024

Cell = str | int | float | bool | datetime.datetime | None
Rows = Iterator[tuple[int, list[Cell]]]


class UnreadableFile(ValidationError):
    """The file cannot be read at all (not CSV/XLSX, no header, over a bound)."""


def too_many_rows() -> UnreadableFile:
    return UnreadableFile(_("More than %(n)s rows: split the file.") % {"n": MAX_ROWS})


def _too_many_columns(row: int) -> UnreadableFile:
    return UnreadableFile(
        _("Row %(row)s has more than %(n)s columns.") % {"row": row, "n": MAX_COLUMNS}
    )


def _cell_too_long(row: int) -> UnreadableFile:
    return UnreadableFile(
        _("Row %(row)s has a cell longer than %(n)s characters.")
        % {"row": row, "n": MAX_CELL_CHARS}
    )


def _not_xlsx() -> UnreadableFile:
    return UnreadableFile(_("The file is not a readable XLSX workbook."))


def read_rows(data: bytes, filename: str) -> Rows:
    """The file's rows that hold something (the header first), each with its row number;
    cells as read: text, or dates/numbers/booleans from XLSX. Raises UnreadableFile, also
    while iterating."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(_("The file is larger than 10 MB."))
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _bounded(_read_xlsx(data))
    return _bounded(_read_csv(data))


def _bounded(rows: Rows) -> Rows:
    """The rows, each checked against the column and cell bounds."""
    for number, cells in rows:
        while cells and cells[-1] in (None, ""):
            cells.pop()  # trailing empty cells (a spreadsheet's formatted columns)
        if len(cells) > MAX_COLUMNS:
            raise _too_many_columns(number)
        if any(isinstance(c, str) and len(c) > MAX_CELL_CHARS for c in cells):
            raise _cell_too_long(number)
        if any(c not in (None, "") for c in cells):
            yield number, cells


# --- CSV -----------------------------------------------------------------------------------------


def _lines(data: bytes) -> Iterator[str]:
    """The file's lines, decoded one at a time (never a second copy of the whole file):
    UTF-8, or — from the first line that is not — Windows-1252, as older Excel saves "CSV"
    (the lines before were ASCII then, the same in both)."""
    encoding = "utf-8"
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end + 1
        try:
            yield data[start:end].decode(encoding)
        except UnicodeDecodeError:
            encoding = "cp1252"
            yield data[start:end].decode(encoding, errors="replace")
        start = end


def _read_csv(data: bytes) -> Rows:
    # Text has no NUL and few control characters; a binary file (or an XLSX renamed .csv
    # without its zip signature) has many.
    sample = data[:CHUNK].decode("cp1252", errors="replace")
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\r\n")
    if b"\x00" in data or controls > len(sample) // 100:
        raise UnreadableFile(_("The file is not a CSV text file (nor an XLSX workbook)."))
    lines = _lines(data)
    first = next(lines, "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            if "field larger than field limit" in str(e):
                raise _cell_too_long(number + 1) from e
            raise UnreadableFile(
                _("Line %(line)s cannot be read as CSV (an unclosed quote?).")
                % {"line": reader.line_num or 1}
            ) from e
        number += 1
        if number > MAX_LINES:
            raise too_many_rows()
        if len(cells) > MAX_COLUMNS and any(cells[MAX_COLUMNS:]):
            raise _too_many_columns(number)
        yield number, list[Cell](cells[: MAX_COLUMNS + 1])


# --- XLSX ----------------------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "relationships"  # in every variant of the relationships namespace
NS = " "  # expat's separator between namespace and local name


def _local(name: str) -> str:
    return name.rsplit(NS, 1)[-1]


class _Refused(Exception):
    """A DTD, an entity declaration or a part over its bound: stop parsing."""


def _refuse(*_args: Any) -> Any:
    raise _Refused


def _parser(start: Callable, end: Callable | None = None, text: Callable | None = None):
    """An expat parser that refuses any DTD (so any entity: XXE, billion laughs) and
    reports elements by local name."""
    parser = expat.ParserCreate(namespace_separator=NS)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _feed(archive: zipfile.ZipFile, name: str, parser) -> Iterator[None]:
    """Feed the part to the parser a chunk at a time, counting the bytes actually inflated;
    yields after each chunk (so that a caller can hand on what it parsed)."""
    read = 0
    with archive.open(name) as part:
        while chunk := part.read(CHUNK):
            read += len(chunk)
            if read > MAX_PART_BYTES:
                raise _Refused
            parser.Parse(chunk, False)
            yield
    parser.Parse(b"", True)
    yield


def _parse(archive: zipfile.ZipFile, name: str, parser) -> None:
    for _chunk in _feed(archive, name, parser):
        pass


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target path in the zip)."""
    rels = join(dirname(part), "_rels", part.rsplit("/", 1)[-1] + ".rels")
    found: dict[str, tuple[str, str]] = {}

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and len(found) < MAX_PARTS:
            target = attrs.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else join(dirname(part), target)
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), normpath(path))

    if rels in archive.NameToInfo:
        _parse(archive, rels, _parser(start))
    return found


def _workbook(archive: zipfile.ZipFile) -> tuple[str, str | None, str | None, bool]:
    """The first sheet's part, the shared strings' and the styles' parts, and whether the
    workbook counts dates from 1904."""
    workbook = next(
        (
            target
            for kind, target in _relationships(archive, "").values()
            if kind.endswith("/officeDocument")
        ),
        "xl/workbook.xml",
    )
    sheets: list[str] = []
    date1904 = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet" and not sheets:
            sheets.extend(v for k, v in attrs.items() if RELATIONSHIPS in k and _local(k) == "id")
        elif local == "workbookPr":
            date1904[0] = attrs.get("date1904", "0").lower() in ("1", "true")

    _parse(archive, workbook, _parser(start))
    rels = _relationships(archive, workbook)
    if not sheets or sheets[0] not in rels:
        raise _Refused
    strings = styles = None
    for kind, target in rels.values():
        if kind.endswith("/sharedStrings"):
            strings = target
        elif kind.endswith("/styles"):
            styles = target
    return rels[sheets[0]][1], strings, styles, date1904[0]


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    """The shared strings; one longer than a cell may be is kept cut just past the bound
    (the row that uses it is refused)."""
    strings: list[str] = []
    if part is None or part not in archive.NameToInfo:
        return strings
    state = {"si": False, "t": False, "phonetic": 0}
    current: list[str] = []
    size = [0]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            state["si"], size[0] = True, 0
            current.clear()
        elif local == "rPh":
            state["phonetic"] += 1
        elif local == "t":
            state["t"] = True

    def end(name: str) -> None:
        local = _local(name)
        if local == "si":
            state["si"] = False
            strings.append("".join(current))
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "t":
            state["t"] = False

    def text(data: str) -> None:
        if state["si"] and state["t"] and not state["phonetic"] and size[0] <= MAX_CELL_CHARS:
            current.append(data[: MAX_CELL_CHARS + 1 - size[0]])
            size[0] += len(data)

    _parse(archive, part, _parser(start, end, text))
    return strings


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> set[int]:
    """The indexes of the cell formats (cellXfs) that show a number as a date."""
    if part is None or part not in archive.NameToInfo:
        return set()
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    xfs: list[int] = []
    inside = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            with contextlib.suppress(ValueError):
                formats[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            inside[0] = True
        elif local == "xf" and inside[0]:
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            inside[0] = False

    _parse(archive, part, _parser(start, end))
    dates = {n for n, code in formats.items() if is_date_format(code)}
    return {index for index, fmt in enumerate(xfs) if fmt in dates}


COLUMN = re.compile(r"([A-Z]{1,3})")


def _column(reference: str) -> int | None:
    """The 0-based column of a cell reference ("C7" -> 2)."""
    match = COLUMN.match(reference)
    if match is None:
        return None
    index = 0
    for letter in match.group(1):
        index = index * 26 + ord(letter) - 64
    return index - 1


def _read_xlsx(data: bytes) -> Rows:
    try:
        yield from _xlsx_rows(data)
    except UnreadableFile:
        raise
    except (
        _Refused,
        expat.ExpatError,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        KeyError,
        ValueError,
        NotImplementedError,  # a compression method zipfile does not have
        RuntimeError,  # an encrypted entry
        OSError,
    ) as e:
        raise _not_xlsx() from e


def _xlsx_rows(data: bytes) -> Rows:  # noqa: C901 (one streaming state machine)
    archive = zipfile.ZipFile(io.BytesIO(data))
    if len(archive.infolist()) > MAX_PARTS:
        raise _Refused
    sheet, strings_part, styles_part, date1904 = _workbook(archive)
    strings = _shared_strings(archive, strings_part)
    dates = _date_styles(archive, styles_part)
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900

    done: list[tuple[int, list[Cell]]] = []  # rows parsed by the last chunk
    row: dict[int, Cell] = {}
    state: dict[str, Any] = {
        "row": 0,  # the current row's number
        "lines": 0,
        "column": -1,
        "type": "n",
        "style": 0,
        "value": None,  # collecting <v> or inline <t> text
        "size": 0,
        "phonetic": 0,
    }
    text: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            state["lines"] += 1
            if state["lines"] > MAX_LINES:
                raise too_many_rows()
            try:
                state["row"] = int(attrs["r"]) if "r" in attrs else state["row"] + 1
            except ValueError:
                state["row"] += 1
            state["column"] = -1
            row.clear()
        elif local == "c":
            column = _column(attrs.get("r", ""))
            state["column"] = state["column"] + 1 if column is None else column
            state["type"] = attrs.get("t", "n")
            try:
                state["style"] = int(attrs.get("s", "0"))
            except ValueError:
                state["style"] = 0
            text.clear()
            state["size"] = 0
        elif local in ("v", "t") and state["column"] >= 0:
            state["value"] = local
        elif local == "rPh":
            state["phonetic"] += 1

    def characters(data: str) -> None:
        if state["value"] and not state["phonetic"]:
            state["size"] += len(data)
            if state["size"] > MAX_CELL_CHARS:
                raise _cell_too_long(state["row"])
            text.append(data)

    def end(name: str) -> None:
        local = _local(name)
        if local in ("v", "t"):
            state["value"] = None
        elif local == "rPh":
            state["phonetic"] -= 1
        elif local == "c" and state["column"] >= 0:
            value = _value(state["type"], "".join(text), state["style"])
            if value not in (None, ""):
                if state["column"] >= MAX_COLUMNS:
                    raise _too_many_columns(state["row"])
                row[state["column"]] = value
        elif local == "row" and row:
            cells: list[Cell] = [None] * (max(row) + 1)
            for column, value in row.items():
                cells[column] = value
            done.append((state["row"], cells))

    def _value(kind: str, raw: str, style: int) -> Cell:
        if kind == "s":
            try:
                return strings[int(raw)]
            except (ValueError, IndexError):
                return None
        if kind in ("inlineStr", "str", "e"):
            return raw
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        raw = raw.strip()
        if not raw:
            return None
        try:
            number: int | float = int(raw) if raw.lstrip("-").isdigit() else float(raw)
        except ValueError:
            return raw
        if style in dates:
            try:
                return from_excel(number, epoch)
            except (ValueError, OverflowError, TypeError):
                return number
        return number

    parser = _parser(start, end, characters)
    for _chunk in _feed(archive, sheet, parser):
        yield from done
        done.clear()
