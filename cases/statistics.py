"""Annual statistics for funders: small counts suppressed, exports safe for spreadsheets."""

import csv
import io

from openpyxl import Workbook

SUPPRESSED = "<3"
MIN_COUNT = 3


def suppress(count: int) -> str:
    """Counts below 3 are shown as '<3' so no person can be singled out."""
    return SUPPRESSED if count < MIN_COUNT else str(count)


def neutralise(cell):
    """A text cell starting with =, +, -, @ (or tab/CR) would run as a spreadsheet formula."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def export_rows(header: list[str], tables) -> list[list[str]]:
    rows = [header]
    for table in tables:
        for label, count in table.rows:
            rows.append([table.title, label, suppress(count)])
    return [[neutralise(cell) for cell in row] for row in rows]


def as_csv(rows) -> bytes:
    out = io.StringIO()
    # Semicolons and a BOM: what German spreadsheet programs open correctly.
    writer = csv.writer(out, delimiter=";")
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Statistik"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def bar_chart(table, *, width: int = 320, bar_height: int = 18) -> dict:
    """Geometry for a horizontal bar chart drawn as SVG in the template (no script)."""
    shown = [(label, count) for label, count in table.rows]
    top = max((count for _label, count in shown if count >= MIN_COUNT), default=1)
    bars = []
    for index, (label, count) in enumerate(shown):
        length = 0 if count < MIN_COUNT else max(2, round(width * count / top))
        bars.append(
            {
                "y": index * (bar_height + 6),
                "length": length,
                "label": label,
                "value": suppress(count),
                "text_y": index * (bar_height + 6) + 13,
            }
        )
    return {
        "bars": bars,
        "height": len(bars) * (bar_height + 6),
        "width": width,
        "bar_height": bar_height,
    }
