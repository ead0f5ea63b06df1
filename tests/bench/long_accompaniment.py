"""A long accompaniment for the benchmarks: one person's case with thousands of visits (and
their history rows, as the city's), for the Art. 15 disclosure of such a person
(tests/bench/test_city.py, tests/bench/disclosure_pdf_bench.py)."""

import datetime
import random

from simple_history.utils import bulk_create_with_history

from demo.data import VISIT_NOTES
from visits.models import Place, Topic, Visit


def add_visits(case, person, caseworker, *, count: int, opened: datetime.date, every: int) -> None:
    """`count` visits of `person`'s case from `opened`, one every `every` days (give or take
    one), three in ten with an interpreter."""
    rng = random.Random(2000)
    visits = []
    for i in range(count):
        interpreted = rng.random() < 0.3
        visits.append(
            Visit(
                case=case,
                kind=Visit.Kind.FIRST if i == 0 else Visit.Kind.FOLLOW_UP,
                date=opened + datetime.timedelta(days=every * i + rng.randint(0, 1)),
                duration_minutes=rng.choice([30, 45, 60, 90]),
                place=rng.choice(list(Place)),
                topics=rng.sample(list(Topic.values), rng.randint(1, 3)),
                interpreter_language="Arabisch" if interpreted else "",
                interpreter_name="Frau Haddad" if interpreted else "",
                notes=rng.choice(VISIT_NOTES),
                recorded_by=caseworker,
            )
        )
    visits = bulk_create_with_history(visits, Visit, batch_size=500, default_user=caseworker)
    through = Visit.present.through
    through.objects.bulk_create([through(visit_id=v.pk, client_id=person.pk) for v in visits])
