"""The query planner's statistics (caseworks/ops/planner.py): made after migrate when data
needs them, warned about by a system check when missing, and what they are for: the case
file's accompaniment queries go by the case, not through every planned accompaniment."""

import datetime

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case
from caseworks.checks import check_planner_statistics
from caseworks.extensions.casefile import panels_for, timeline_for
from caseworks.ops import planner
from tests.helpers import open_case
from visits.models import Accompaniment

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's statistics (PostgreSQL: autovacuum)"
)

CASES = 40
EACH = 30  # 1,200 accompaniments: above planner.MIN_ROWS


@pytest.fixture
def city(alice, team_a):
    """One case among many, each with accompaniments, two in three of them planned."""
    case = open_case(alice, team_a)
    others = Case.objects.bulk_create(
        Case(team=team_a, reference=f"PLAN-{i}", assigned_to=alice) for i in range(CASES)
    )
    client = case.clients.first()
    start = timezone.now() + datetime.timedelta(days=1)
    Accompaniment.objects.bulk_create(
        Accompaniment(
            case=other,
            client=client,
            destination_kind="authority",
            destination_text="Amt",
            appointment_at=start + datetime.timedelta(hours=i),
            status=Accompaniment.Status.PLANNED if i % 3 else Accompaniment.Status.DONE,
        )
        for other in [*others, case]
        for i in range(EACH)
    )
    return case


def statistics_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone()[0]


def forget_statistics() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
        cursor.execute("ANALYZE sqlite_schema")  # the planner reloads what there is (nothing)


def accompaniment_plans(case) -> list[str]:
    """SQLite's plan of each query the case file runs on a case's accompaniments."""
    with CaptureQueriesContext(connection) as captured:
        panels_for(case, user=case.assigned_to)
        timeline_for(case, limit=50)
    by_case = '"visits_accompaniment"."case_id" = '
    queries = [q["sql"] for q in captured if by_case in q["sql"]]
    assert queries
    plans = []
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plans.append(" ".join(row[-1] for row in cursor.fetchall()))
    return plans


def test_it_makes_statistics_after_migrate_once_there_is_data(city):
    forget_statistics()
    assert planner.stale_tables(connection)  # 1,200 accompaniments, no statistics
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert statistics_rows("visits_accompaniment") > 0
    assert planner.stale_tables(connection) == []


def test_an_empty_database_needs_none(db):
    forget_statistics()
    assert planner.stale_tables(connection) == []


def test_statistics_of_a_table_that_grew_tenfold_are_stale(city):
    forget_statistics()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("UPDATE sqlite_stat1 SET stat = '100 1' WHERE tbl = 'visits_accompaniment'")
    assert "visits_accompaniment" in planner.stale_tables(connection)


def test_the_system_check_warns_without_statistics(city):
    forget_statistics()
    warnings = check_planner_statistics(databases=["default"])
    assert [w.id for w in warnings] == ["caseworks.W030"]
    assert "visits_accompaniment" in warnings[0].msg
    planner.analyze(connection)
    assert check_planner_statistics(databases=["default"]) == []


def test_the_case_files_accompaniment_queries_go_by_the_case(city):
    forget_statistics()
    # Without statistics SQLite takes the (status, appointment_at) index for the planned
    # ones: every planned accompaniment of the city is read to find the case's five.
    assert any("accompaniment_status_time" in plan for plan in accompaniment_plans(city))
    planner.ensure_statistics(connection)
    for plan in accompaniment_plans(city):
        assert "(case_id=?" in plan, plan
