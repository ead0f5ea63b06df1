"""A long accompaniment for the benchmarks and the load test: one person's case with thousands
of visits (and their history rows, as the city's) and hundreds of documents, for the Art. 15
disclosure of such a person (tests/bench/test_city.py, tests/bench/disclosure_pdf_bench.py,
the load test's side job in tests/load/)."""

import datetime
import io
import random

from django.contrib.auth.models import User
from PIL import Image
from simple_history.utils import bulk_create_with_history

from cases import services
from cases.models import Case, Client
from caseworks.models import Team
from demo.data import VISIT_NOTES
from documents.sanitise import sanitise
from documents.services import document_upload
from visits.models import Place, Topic, Visit

MB = 1024 * 1024


def long_person(
    team: Team,
    caseworker: User,
    *,
    visits: int,
    opened: datetime.date = datetime.date(2010, 1, 1),
    every: int = 2,
) -> Client:
    """A new case of `team` whose one person has `visits` visits from `opened` on."""
    case = services.case_create(
        actor=caseworker,
        team=team,
        client={
            "first_name": "Samira",
            "last_name": "Vielbesuch",
            "birth_date": datetime.date(1975, 3, 9),
        },
        opened_on=opened,
    )
    person = case.clients.get()
    add_visits(case, person, caseworker, count=visits, opened=opened, every=every)
    return person


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


def scan(megabytes: float) -> bytes:
    """A photographed page of about `megabytes` as the sanitiser stores it: noise does not
    compress, like a page's fine detail at a phone camera's highest quality."""
    rng = random.Random(200)
    side = int((megabytes * MB / 0.75) ** 0.5)  # noise at JPEG quality 85: ~0.75 bytes a pixel
    image = Image.frombytes("RGB", (side * 4 // 3, side * 3 // 4), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def add_documents(case: Case, person: Client, caseworker: User, *, count: int, megabytes: float):
    """`count` documents of about `megabytes` each in `person`'s case, every other one about
    the whole household (the disclosure ZIP holds both kinds). One scan, sanitised once and
    stored `count` times (each encrypted on its own, as uploads are)."""
    upload = sanitise([scan(megabytes)], max_bytes=4 * int(megabytes + 1) * MB)
    for i in range(count):
        document_upload(
            actor=caseworker,
            case=case,
            upload=upload,
            kind="other" if i % 5 else "identity",
            title=f"Schreiben {i + 1}",
            client=person if i % 2 else None,
        )
