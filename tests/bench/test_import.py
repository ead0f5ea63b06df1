"""Import throughput (issue 22): a 2,000-row caseload (XLSX) imported into the city data
set, dry run and real run, rows per second. Rolled back afterwards: the city stays as it is.
See conftest.py; run `make bench`."""

import datetime
import io
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from openpyxl import Workbook

from cases.intake import importing
from caseworks.access.roles import Role
from caseworks.models import Team
from tests.bench.conftest import RESULTS, Row

pytestmark = pytest.mark.django_db
ROWS = 2000


def caseload_xlsx(team: Team, caseworkers: list[str], rows: int = ROWS) -> bytes:
    """A caseload of `rows` persons, two a household (also the load test's import file)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([label for _f, label, _o in importing.COLUMNS])
    for n in range(1, rows + 1):
        row = {
            "source_id": f"BENCH-IMPORT-{n}",
            "household": f"BH-{(n + 1) // 2}",
            "main_contact": "ja" if n % 2 else "nein",
            "first_name": f"Importvorname{n}",
            "last_name": f"Importnachname{n}",
            "birth_date": datetime.date(1950, 1, 1) + datetime.timedelta(days=(7 * n) % 20000),
            "gender": "w" if n % 2 else "m",
            "nationality": "SY",
            "languages": "Arabisch",
            "interpreter": "ja",
            "status": "Aufenthaltsgestattung",
            "status_from": "01.03.2025",
            "status_until": "31.08.2026",
            "bamf": f"{8000000 + n}-475",
            "caseworker": caseworkers[n % len(caseworkers)],
            "team": team.name,
            "allocated_on": "15.02.2025",
        }
        sheet.append([row.get(f, "") for f, _label, _o in importing.COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_import_throughput(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        admin = get_user_model().objects.get(username="admin")
        team = Team.objects.filter(members__groups__name=Role.CASEWORKER).distinct().first()
        caseworkers = list(
            get_user_model()
            .objects.filter(teams=team, groups__name=Role.CASEWORKER)
            .values_list("username", flat=True)[:5]
        )
        data = caseload_xlsx(team, caseworkers)
        started = time.perf_counter()
        plan = importing.plan(data, filename="bench.xlsx", user=admin)
        dry = time.perf_counter() - started
        assert plan.ok, [(r.number, r.errors) for r in plan.rows if r.errors][:5]
        with transaction.atomic():
            started = time.perf_counter()
            result = importing.run(data, filename="bench.xlsx", user=admin)
            real = time.perf_counter() - started
            started = time.perf_counter()
            again = importing.run(data, filename="bench.xlsx", user=admin)
            second = time.perf_counter() - started
            transaction.set_rollback(True)  # the city data set stays as it was
    assert result.new_persons == ROWS and again.new_persons == 0
    print(
        f"\nimport of {ROWS} rows: dry run {ROWS / dry:.0f} rows/s, import {ROWS / real:.0f} rows/s"
    )
    RESULTS.append(Row(f"import dry run, {ROWS} rows (XLSX)", ROWS / dry, unit="rows/s"))
    RESULTS.append(
        Row(
            f"import, {ROWS} rows (XLSX, one transaction)",
            ROWS / real,
            unit="rows/s",
            goal="measured (CaseImportBatch; was ~4 rows/s per-row services)",
        )
    )
    RESULTS.append(Row(f"import again, {ROWS} rows (nothing new)", ROWS / second, unit="rows/s"))
