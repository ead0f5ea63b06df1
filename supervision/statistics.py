"""Statistics for funders: small counts suppressed (with secondary suppression, so that no
suppressed cell can be computed back from a total), exports safe for spreadsheets."""

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

# One mark for every suppressed cell, primary or secondary: two marks ("<3" and another)
# would tell which cell is the small one, and a total would then give it away.
SUPPRESSED = "x"
MIN_COUNT = 3


def suppress(count: int) -> str:
    """Counts of 1 and 2 are marked, so no person can be singled out (primary suppression
    only: tables go through protect())."""
    return SUPPRESSED if count < MIN_COUNT else str(count)


def is_small(count) -> bool:
    # A zero names nobody; 1 and 2 could.
    return 0 < count < MIN_COUNT


@dataclass
class Shown:
    """A table as published: each value a number, or None where suppressed."""

    rows: list[tuple[str, int | float | None]]
    total: int | float | None


def protect(rows: Sequence[tuple[str, int | float]]) -> Shown:
    """Primary suppression (1 and 2), then secondary suppression against the total.

    With the total published, the suppressed cells' sum is known (total minus the shown
    cells): one suppressed cell would be given away, and so would two summing to 2 (both 1).
    So, while the suppressed cells are a single one or sum to less than 3, the smallest
    shown cell is suppressed too; when none is left, the total is left out instead.
    """
    hidden = {i for i, (_label, n) in enumerate(rows) if is_small(n)}
    total = sum(n for _label, n in rows)
    total_shown = not is_small(total)

    def given_away() -> bool:
        return bool(hidden) and (len(hidden) == 1 or sum(rows[i][1] for i in hidden) < MIN_COUNT)

    while total_shown and given_away():
        others = sorted((n, i) for i, (_label, n) in enumerate(rows) if i not in hidden and n)
        if not others:
            total_shown = False
            break
        hidden.add(others[0][1])
    return Shown(
        [(label, None if i in hidden else n) for i, (label, n) in enumerate(rows)],
        total if total_shown else None,
    )


def display(value) -> str:
    if value is None:
        return SUPPRESSED
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def neutralise(cell):
    """A text cell starting with =, +, -, @ (or tab/CR) would run as a spreadsheet formula."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


@dataclass
class Report:
    """What an export says about itself: the period, the teams, the day and the rule."""

    start: datetime.date
    end: datetime.date
    teams: list[str]
    exported_on: datetime.date

    def lines(self) -> list[list[str]]:
        return [
            [_("Statistics")],
            [_("period"), f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}"],
            [_("teams"), ", ".join(self.teams)],
            [_("exported on"), f"{self.exported_on:%d.%m.%Y}"],
            [_("suppression"), suppression_rule()],
        ]


def suppression_rule() -> str:
    return _(
        "Cells marked “x” are suppressed so that no person can be singled out: counts of 1 "
        "and 2, and, where a total would let such a count be computed back, the next "
        "smallest count too (or the total)."
    )


def export_rows(header: list[str], tables, report: Report | None = None) -> list[list]:
    """One list per spreadsheet row: the report's header, then per table its rows and its
    total. Numbers stay numbers; only suppressed cells are text."""
    rows: list[list] = []
    if report is not None:
        rows.extend(report.lines())
        rows.append([])
    rows.append(header)
    for table in tables:
        shown = protect(table.rows)
        for label, value in shown.rows:
            rows.append([table.title, label, SUPPRESSED if value is None else value])
        if table.rows:
            total = SUPPRESSED if shown.total is None else shown.total
            rows.append([table.title, _("total"), total])
    return [[neutralise(cell) for cell in row] for row in rows]


def as_csv(rows) -> bytes:
    out = io.StringIO()
    # Semicolons and a BOM: what German spreadsheet programs open correctly.
    writer = csv.writer(out, delimiter=";")
    writer.writerows([[display(c) if isinstance(c, float) else c for c in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(rows, *, header_lines: int = 0) -> bytes:
    """Numbers as numbers (SUM works), the header block and the totals in bold, each column
    as wide as its longest entry (within reason)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Statistik"
    bold = Font(bold=True)
    total_label = _("total")
    widths: dict[int, int] = {}
    for row in rows:
        sheet.append(row)
        number = sheet.max_row
        for index, value in enumerate(row, start=1):
            widths[index] = max(widths.get(index, 0), len(str(value)) if value is not None else 0)
        if number <= header_lines or (len(row) > 1 and row[1] == total_label):
            for cell in sheet[number]:
                cell.font = bold
    for index, width in widths.items():
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bar_chart(table, *, width: int = 320, bar_height: int = 18) -> dict:
    """Geometry for a horizontal bar chart drawn as SVG in the template (no script). Bars of
    suppressed cells are not drawn; labels are given whole (the template wraps, no cut)."""
    shown = protect(table.rows).rows
    top = max((value for _label, value in shown if value is not None), default=1) or 1
    bars = []
    for index, (label, value) in enumerate(shown):
        length = 0 if value is None else max(2, round(width * value / top))
        bars.append(
            {
                "y": index * (bar_height + 6),
                "length": length,
                "label": label,
                "value": display(value),
                "text_y": index * (bar_height + 6) + 13,
            }
        )
    return {
        "bars": bars,
        "height": len(bars) * (bar_height + 6),
        "width": width,
        "bar_height": bar_height,
    }


def period_presets(today: datetime.date) -> list[tuple[str, datetime.date, datetime.date]]:
    """This and last month, quarter and year, as (label, first day, last day)."""

    def month_end(day: datetime.date) -> datetime.date:
        following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)

    month = today.replace(day=1)
    last_month = (month - datetime.timedelta(days=1)).replace(day=1)
    quarter = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    last_quarter = (quarter - datetime.timedelta(days=1)).replace(day=1)
    last_quarter = last_quarter.replace(month=3 * ((last_quarter.month - 1) // 3) + 1)
    return [
        (_("this month"), month, month_end(month)),
        (_("last month"), last_month, month_end(last_month)),
        (_("this quarter"), quarter, month_end(quarter.replace(month=quarter.month + 2))),
        (
            _("last quarter"),
            last_quarter,
            month_end(last_quarter.replace(month=last_quarter.month + 2)),
        ),
        (_("this year"), datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)),
        (
            _("last year"),
            datetime.date(today.year - 1, 1, 1),
            datetime.date(today.year - 1, 12, 31),
        ),
    ]
