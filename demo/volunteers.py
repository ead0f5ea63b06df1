"""Demo volunteers: the register with varied languages, districts, tasks, availability and
onboarding states (some incomplete, some certificates about to expire), and a tandem.

Bulk inserts with their history rows: 300 volunteers for the city data set in about a second
(every login shares one password hash: hashing 300 passwords would take minutes).
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from caseworks.access.roles import Role
from caseworks.languages import parse as language_code
from caseworks.models import UserCode
from volunteers.models import (
    AvailabilitySlot,
    Level,
    Status,
    Task,
    Volunteer,
    VolunteerLanguage,
    districts,
)

FIRST = [
    "Anna",
    "Bernd",
    "Clara",
    "Dieter",
    "Elif",
    "Frank",
    "Gül",
    "Hanna",
    "Ilse",
    "Jan",
    "Karin",
    "Lukas",
    "Mona",
    "Nils",
    "Olga",
    "Paul",
    "Rana",
    "Sven",
    "Tanja",
    "Ute",
    "Viktor",
    "Wiebke",
    "Yasmin",
    "Zoran",
]
LAST = [
    "Albers",
    "Brinkmann",
    "Cordes",
    "Dorn",
    "Eilers",
    "Fischer",
    "Gerdes",
    "Hahn",
    "Iwanow",
    "Jansen",
    "Kaya",
    "Lohmann",
    "Meyer",
    "Nowak",
    "Ohlsen",
    "Peters",
    "Rahimi",
    "Schröder",
    "Timm",
    "Ulrich",
    "Vogel",
    "Weber",
    "Yilmaz",
    "Ziegler",
]
# Languages the clients of the demo speak (demo.data.ORIGINS), and some they do not.
LANGUAGES = [
    "Arabisch",
    "Arabisch",
    "Dari",
    "Paschtu",
    "Kurdisch (Sorani)",
    "Kurdisch (Kurmanji)",
    "Türkisch",
    "Tigrinya",
    "Persisch",
    "Ukrainisch",
    "Russisch",
    "Russisch",
    "Englisch",
    "Englisch",
    "Französisch",
    "Spanisch",
]
HOURS = [(9, 12), (10, 14), (14, 18), (8, 11), (15, 19)]


def create_volunteers(*, n: int, seed: int = 2026) -> int:
    """`n` volunteers (and volunteer1's record): returns how many records were created."""
    rng = random.Random(seed)
    today = timezone.localdate()
    User = get_user_model()
    group = Group.objects.get(name=Role.VOLUNTEER)
    password = make_password("demo")
    existing = set(
        User.objects.filter(username__startswith="ehrenamt").values_list("username", flat=True)
    )
    new_users = [
        User(
            username=f"ehrenamt{i:03d}",
            first_name=FIRST[i % len(FIRST)],
            last_name=LAST[(i * 7) % len(LAST)],
            email=f"ehrenamt{i:03d}@caseworks.example",
            password=password,
        )
        for i in range(1, n + 1)
        if f"ehrenamt{i:03d}" not in existing
    ]
    User.objects.bulk_create(new_users)
    users = list(User.objects.filter(username__startswith="ehrenamt").order_by("username"))
    # bulk_create sends no post_save: the codes /manage/ addresses accounts by, made here.
    UserCode.objects.bulk_create(
        [UserCode(user=u) for u in users if not UserCode.objects.filter(user=u).exists()]
    )
    group.user_set.add(*users)
    first = User.objects.filter(username="volunteer1").first()
    if first is not None:
        users.insert(0, first)
    users = [u for u in users if not Volunteer.objects.filter(user=u).exists()]
    places = [name for name, _label in districts()]
    tasks = list(Task.values)
    records = []
    for i, user in enumerate(users):
        # Most are active with valid onboarding; some in onboarding, paused, or with a
        # certificate issued almost five years ago (the coordinator's "due soon" list).
        roll = rng.random() if i else 0.0  # volunteer1 is active and complete
        status = Status.ACTIVE
        if roll > 0.9:
            status = Status.ONBOARDING
        elif roll > 0.85:
            status = Status.PAUSED
        elif roll > 0.82:
            status = Status.INTERESTED
        sighted = today - datetime.timedelta(days=rng.randint(30, 1500))
        issued = sighted - datetime.timedelta(days=rng.randint(5, 60))
        if rng.random() < 0.08:
            issued = today - datetime.timedelta(days=5 * 365 - rng.randint(1, 50))
            sighted = issued + datetime.timedelta(days=10)
        complete = status in (Status.ACTIVE, Status.PAUSED)
        records.append(
            Volunteer(
                user=user,
                status=status,
                phone=f"0151 {rng.randint(1000000, 9999999)}",
                email=user.email,
                districts=rng.sample(places, rng.randint(1, 2)),
                mobility=rng.sample(["walking", "bicycle", "public", "car"], rng.randint(1, 2)),
                tasks=rng.sample(tasks, rng.randint(1, 3)),
                pledge_signed_on=sighted if complete or rng.random() < 0.5 else None,
                certificate_sighted_on=sighted if complete else None,
                certificate_issued_on=issued if complete else None,
                training_attended_on=sighted + datetime.timedelta(days=7) if complete else None,
                started_on=sighted if complete else None,
            )
        )
    coordinator = User.objects.filter(groups__name=Role.COORDINATOR).first()
    created = bulk_create_with_history(records, Volunteer, batch_size=500, default_user=coordinator)
    saved = {v.user_id: v for v in Volunteer.objects.filter(user__in=users)}
    languages, slots = [], []
    for i, user in enumerate(users):
        volunteer = saved[user.pk]
        spoken = {"deu": Level.NATIVE}
        for name in rng.sample(LANGUAGES, rng.randint(1, 3)):
            code = language_code(name)
            assert code, name  # the demo's languages are all in the catalogue
            spoken[code] = rng.choice([Level.BASIC, Level.GOOD, Level.FLUENT, Level.NATIVE])
        if i == 0:
            spoken["ara"] = Level.FLUENT
        for code, level in spoken.items():
            languages.append(VolunteerLanguage(volunteer=volunteer, code=code, level=level))
        for weekday in rng.sample(range(6), rng.randint(1, 3)):
            start, end = rng.choice(HOURS)
            slots.append(
                AvailabilitySlot(
                    volunteer=volunteer,
                    weekday=weekday,
                    starts_at=datetime.time(start),
                    ends_at=datetime.time(end),
                )
            )
    bulk_create_with_history(
        languages, VolunteerLanguage, batch_size=1000, default_user=coordinator
    )
    bulk_create_with_history(slots, AvailabilitySlot, batch_size=1000, default_user=coordinator)
    return len(created)
