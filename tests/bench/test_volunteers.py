"""Ranking the candidates for one request on the city data set (20,000 persons) with 300
volunteers: goal under 100 ms. See conftest.py; run `make bench`."""

import statistics

import pytest
from django.utils import timezone

from demo import volunteers as demo_volunteers
from tests.bench.conftest import RESULTS, Row, count_queries, measure
from visits.models import Accompaniment
from volunteers.matching import candidates_for
from volunteers.models import Volunteer, VolunteerRequest

pytestmark = pytest.mark.django_db
VOLUNTEERS = 300


@pytest.fixture(scope="module")
def request_(django_db_setup, django_db_blocker):
    """A request for a planned accompaniment ahead (not saved: ranking reads only)."""
    with django_db_blocker.unblock():
        if Volunteer.objects.count() < VOLUNTEERS:  # a city built before the register
            demo_volunteers.create_volunteers(n=VOLUNTEERS)
        accompaniment = (
            Accompaniment.objects.filter(
                status=Accompaniment.Status.PLANNED, appointment_at__gt=timezone.now()
            )
            .order_by("appointment_at")
            .first()
        )
        assert accompaniment is not None
        return VolunteerRequest(
            accompaniment=accompaniment, task="doctor", language="Arabisch", district="Nord"
        )


def test_ranking_candidates_for_one_request(request_):
    volunteers = Volunteer.objects.count()
    eligible = Volunteer.objects.eligible().count()
    median, samples = measure(lambda: candidates_for(request_, limit=15), rounds=30)
    p95 = statistics.quantiles(samples, n=20)[-1]
    ranked = candidates_for(request_, limit=15)
    print(
        f"\nranking {len(ranked)} candidates of {eligible} eligible / {volunteers} volunteers: "
        f"median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
    )
    RESULTS.append(
        Row(
            f"rank candidates ({volunteers} volunteers), p95 {p95 * 1000:.0f} ms",
            median,
            queries=count_queries(lambda: candidates_for(request_, limit=15)),
            goal="< 100 ms",
            met=median < 0.1,
            samples=samples,
        )
    )
    assert ranked  # the data set has eligible volunteers
