"""The XLSX export read back with openpyxl: a header naming the period, teams, export day and
the suppression rule; numbers stored as numbers; totals that never give a suppressed cell
away (secondary suppression); period presets."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from supervision.statistics import SUPPRESSED, period_presets, protect
from tests.helpers import TODAY, open_case
from visits import services as visit_services

DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("rows", "shown", "total"),
    [
        ([("a", 10), ("b", 5)], [10, 5], 15),  # nothing small
        ([("a", 10), ("b", 5), ("c", 1)], [10, None, None], 16),  # secondary: the 5
        ([("a", 10), ("b", 1), ("c", 1)], [None, None, None], 12),  # 1 + 1 = 2: the 10 too
        ([("a", 10), ("b", 2), ("c", 1)], [10, None, None], 13),  # 2 + 1 = 3: enough
        ([("a", 2)], [None], None),  # the total is the cell
        ([("a", 1), ("b", 1)], [None, None], None),  # total 2 is small itself
        ([("a", 4), ("b", 0), ("c", 1)], [None, 0, None], 5),  # a zero names nobody
    ],
)
def test_secondary_suppression(rows, shown, total):
    result = protect(rows)
    assert [value for _label, value in result.rows] == shown
    assert result.total == total


@pytest.mark.parametrize("counts", [[7, 1], [3, 2, 9], [1], [5, 5, 1, 1], [40, 3, 2, 2, 1]])
def test_no_suppressed_cell_can_be_computed_back(counts):
    result = protect([(str(i), n) for i, n in enumerate(counts)])
    hidden = [n for (_label, value), n in zip(result.rows, counts, strict=True) if value is None]
    if result.total is not None and hidden:
        # What a reader can compute is the hidden cells' sum: it must hide at least two
        # cells and not be small (1 + 1 would name both).
        assert len(hidden) >= 2 and sum(hidden) >= 3


@pytest.fixture
def period(alice, team_a):
    for name in ("Ahmad", "Omar", "Khaled", "Hamid", "Zahra"):
        case = open_case(alice, team_a, first_name=name, opened_on=TODAY - 60 * DAY)
        visit_services.visit_record(
            actor=alice,
            case=case,
            kind="first",
            date=TODAY - 10 * DAY,
            duration_minutes=90,
            place="accommodation" if name != "Zahra" else "office",
            topics=["housing", "health"] if name != "Zahra" else ["housing"],
        )
    return TODAY - 100 * DAY, TODAY


def test_the_xlsx_has_a_header_numbers_and_consistent_totals(client, sam, team_a, period):
    start, end = period
    client.force_login(sam)
    response = client.get(
        "/supervision/statistics/",
        {"start": str(start), "end": str(end), "teams": [team_a.pk], "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[c for c in row] for row in sheet.iter_rows()]
    header = {row[0].value: row[1].value for row in cells[:5] if len(row) > 1 and row[1].value}
    assert header["period"] == f"{start:%d.%m.%Y} – {end:%d.%m.%Y}"
    assert header["teams"] == str(team_a)
    assert header["exported on"] == f"{TODAY:%d.%m.%Y}"
    assert "suppressed" in header["suppression"]
    assert cells[0][0].font.bold

    body = [row for row in cells if len(row) >= 3 and row[0].value and row[2].value is not None]
    tables: dict = {}
    for title, label, value in ((r[0].value, r[1].value, r[2]) for r in body[1:]):
        tables.setdefault(title, []).append((label, value))
    assert tables, "no tables exported"
    numbers = 0
    for title, rows in tables.items():
        *cells_of_table, (total_label, total) = rows
        assert total_label == "total", title
        for _label, cell in [*cells_of_table, (total_label, total)]:
            if cell.value == SUPPRESSED:
                continue
            assert cell.data_type == "n" and isinstance(cell.value, int | float), (title, cell)
            numbers += 1
        hidden = [c for _l, c in cells_of_table if c.value == SUPPRESSED]
        if total.value != SUPPRESSED:
            assert len(hidden) != 1, title  # one hidden cell = total minus the rest
            if not hidden:
                assert sum(c.value for _l, c in cells_of_table) == total.value
            else:
                shown = sum(c.value for _l, c in cells_of_table if c.value != SUPPRESSED)
                assert total.value - shown >= 3, title
    assert numbers > 0
    # 4 at home, 1 in the office: both hidden, or the total (5) would give the 1 away
    assert [v.value for _l, v in tables["Visits by place"]] == [SUPPRESSED, SUPPRESSED, 5]
    topics = [(label, c.value) for label, c in tables["Topics of visits and contacts"]]
    assert topics == [("housing", 5), ("health", 4), ("total", 9)]
    assert sheet.column_dimensions["A"].width > 10


def test_period_presets():
    presets = {label: (a, b) for label, a, b in period_presets(datetime.date(2026, 2, 14))}
    assert presets["this month"] == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    assert presets["last month"] == (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31))
    assert presets["this quarter"] == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    assert presets["last quarter"] == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    assert presets["this year"] == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert presets["last year"] == (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def test_the_page_links_the_presets_for_the_chosen_teams(client, sam, team_a):
    client.force_login(sam)
    html = client.get("/supervision/statistics/").content.decode()
    assert f"teams={team_a.pk}" in html and "this quarter" in html
