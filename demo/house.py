"""The demo house: three carriers with a team each, the demo users, the service directory and a few
dozen realistic cases, written through the services so the history names a user for every
change. Deterministic (fixed seed). Used by `seed_demo` below the city threshold.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from faker import Faker

from cases import services
from cases.models import KINDS_WITHOUT_EXPIRY, FictionSubtype, Gender, Relationship, StatusKind
from caseworks.access.roles import Role
from caseworks.models import Organisation, Service, Team
from demo.data import (
    AUTHORITIES,
    DPOS,
    ORIGINS,
    PASSWORD,
    PURPOSES,
    USERS,
    VALIDITY_DAYS,
    VOLUNTEER_NOTES,
)
from referrals import services as referral_services
from referrals.models import Referral
from visits import services as visit_services
from visits.models import ChecklistItem, Place, Topic, Visit


def create_house():
    """The three carriers, teams A, B and C and the demo users; returns (teams, users) by key."""
    house = "Haus der Kulturen"
    awo = Organisation.objects.create(
        name="AWO Kreisverband Musterstadt e. V.",
        short_name="AWO",
        letter_sender="AWO Kreisverband Musterstadt · Marktstraße 1 · 12345 Musterstadt",
        address="Haus der Kulturen\nMarktstraße 1\n12345 Musterstadt",
        phone="01234 56789-0",
        email="fluechtlingsbegleitung@awo.example",
        letter_footer="Sparkasse Musterstadt · IBAN DE00 0000 0000 0000 0000 00",
        protection_law=Organisation.ProtectionLaw.DSGVO,
        dpo_contact=f"Datenschutz AWO, {house}, datenschutz@awo.example",
        supervisory_authority=(
            "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen, "
            "Kavalleriestraße 2–4, 40213 Düsseldorf"
        ),
    )
    caritas = Organisation.objects.create(
        name="Caritasverband Musterstadt e. V.",
        short_name="Caritas",
        letter_sender="Caritasverband Musterstadt · Marktstraße 1 · 12345 Musterstadt",
        address="Haus der Kulturen\nMarktstraße 1\n12345 Musterstadt",
        phone="01234 56789-5",
        email="migration@caritas.example",
        protection_law=Organisation.ProtectionLaw.KDG,
        dpo_contact="Betrieblicher Datenschutz Caritas, datenschutz@caritas.example",
        supervisory_authority=(
            "Katholisches Datenschutzzentrum (KdöR), Brackeler Hellweg 144, 44309 Dortmund"
        ),
    )
    diakonie = Organisation.objects.create(
        name="Diakonisches Werk Musterstadt",
        short_name="Diakonie",
        protection_law=Organisation.ProtectionLaw.DSG_EKD,
        dpo_contact="Örtlich Beauftragte für den Datenschutz, datenschutz@diakonie.example",
        supervisory_authority=(
            "Der Beauftragte für den Datenschutz der EKD, Lange Laube 20, 30159 Hannover"
        ),
    )
    teams = {
        "A": Team.objects.create(organisation=awo, name="Team A – Flüchtlingsbegleitung"),
        "B": Team.objects.create(organisation=caritas, name="Team B – Flüchtlingsbegleitung"),
        "C": Team.objects.create(organisation=diakonie, name="Team C – Migrationsberatung"),
    }
    User = get_user_model()
    users = {}
    for username, first, last, roles, team_key, leads in USERS:
        user = User.objects.create_user(
            username,
            email=f"{username}@caseworks.example",
            password=PASSWORD,
            first_name=first,
            last_name=last,
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        if team_key:
            team = teams[team_key]
            (team.supervisors if leads else team.members).add(user)
        if username in DPOS:
            Organisation.objects.get(short_name=DPOS[username]).data_protection_officers.add(user)
        if Role.OFFICE in roles:  # the house's office prints for both teams
            for team in teams.values():
                team.members.add(user)
        users[username] = user
    return teams, users


def create_cases(teams, users, n_clients: int) -> int:
    """Households of 1–6 persons up to `n_clients` persons; returns the number created."""
    rng = random.Random(2026)
    fake = Faker("de_DE")
    fake.seed_instance(2026)
    today = timezone.localdate()
    kinds = list(StatusKind)
    workers = [
        ("A", users["caseworker1"]),
        ("A", users["caseworker2"]),
        ("B", users["caseworker3"]),
        ("C", users["caseworker4"]),
    ]
    created = 0
    case_no = 0
    while created < n_clients:
        team_key, worker = workers[case_no % len(workers)]
        nationality = rng.choice(list(ORIGINS))
        males, females, lasts, language = ORIGINS[nationality]
        last_name = rng.choice(lasts)
        size = min(rng.choice([1, 1, 2, 3, 4, 5, 6]), n_clients - created)
        opened = today - datetime.timedelta(days=rng.randint(0, 700))
        case_no += 1
        members = _household(rng, size, males, females, last_name, opened)
        main, others = members[0], members[1:]
        main_status = _status(rng, kinds[created % len(kinds)], opened, today)
        case = services.case_create(
            actor=worker,
            team=teams[team_key],
            # Names are drawn from short lists: some sound alike across teams on purpose.
            different_person_confirmed=True,
            opened_on=opened,
            allocated_on=opened - datetime.timedelta(days=rng.randint(0, 14)),
            accommodation_address=f"{fake.street_address()}\n12345 Musterstadt",
            next_visit_due=today + datetime.timedelta(days=rng.randint(-20, 40)),
            client={
                **main,
                "nationality": nationality,
                "languages": list(language),
                "interpreter_needed": rng.random() < 0.7,
                "phone": fake.phone_number(),
            },
            status=main_status[0],
        )
        first = case.clients.get()
        for extra in main_status[1:]:
            services.residence_status_add(actor=worker, client=first, data=extra)
        created += 1
        for member in others:
            client = services.client_create(
                actor=worker,
                case=case,
                data={**member, "nationality": nationality, "languages": list(language)},
            )
            for status in _status(rng, kinds[created % len(kinds)], opened, today):
                services.residence_status_add(actor=worker, client=client, data=status)
            created += 1
        _record_visits(rng, case, worker, users["volunteer1"], today)
        _refer(rng, case, worker, users["office"], today)
        _numbers_and_deadlines(rng, case, worker, today)
        # Its own generator: the draws above (names, statuses) stay as they were.
        _contacts_tasks_appointments(random.Random(case.pk), case, worker, today)
    _carrier_consent(teams, users, today)
    return created


def _carrier_consent(teams, users, today) -> None:
    """One household of team A (AWO) has signed its consent to a hand-over to Caritas (master
    data and records), so that a hand-over across carriers can be shown (issue 31)."""
    case = teams["A"].cases.filter(closed_on__isnull=True).order_by("pk").first()
    if case is None:
        return
    worker = case.assigned_to or users["caseworker1"]
    for client in case.clients.all():
        referral_services.consent_record(
            actor=worker,
            client=client,
            organisation=teams["B"].organisation,
            transfer_scope=["master_data", "records"],
            purpose="Übernahme durch die Caritas nach dem Umzug",
            signed_on=today,
            valid_until=today + datetime.timedelta(days=365),
        )


CONTACT_NOTES = [
    "Rückfrage zum Bescheid des Jobcenters, Unterlagen erklärt.",
    "Telefonisch Termin beim Kinderarzt vereinbart.",
    "Nachricht: Schulbescheinigung liegt vor.",
    "",
]
TASKS = [
    "Antwort des Jobcenters nachfragen",
    "Kita-Platz: Rückmeldung der Stadt abwarten",
    "Unterlagen für die Ausländerbehörde vollständig?",
]


def _contacts_tasks_appointments(rng, case, worker, today):
    """Counselling contacts and file notes, a Wiedervorlage now and then, and some client
    appointments nobody accompanies (a BAMF hearing, the Ausländerbehörde, school)."""
    if case.closed_on is not None:
        return
    persons = list(case.clients.all())
    for _i in range(rng.randint(0, 3)):
        services.contact_record(
            actor=worker,
            case=case,
            persons=persons[:1],
            kind=rng.choice(["office", "phone", "message", "file_note"]),
            date=max(case.opened_on, today - datetime.timedelta(days=rng.randint(0, 60))),
            duration_minutes=rng.choice([10, 15, 30, 45]),
            topics=rng.sample(["housing", "benefits", "school", "health", "asylum"], 2),
            note=rng.choice(CONTACT_NOTES),
        )
    if rng.random() < 0.35:
        services.task_create(
            actor=worker,
            case=case,
            title=rng.choice(TASKS),
            due_on=today + datetime.timedelta(days=rng.randint(-3, 10)),
        )
    if rng.random() < 0.3:
        at = timezone.make_aware(
            datetime.datetime.combine(
                today + datetime.timedelta(days=rng.randint(1, 14)),
                datetime.time(rng.choice([8, 9, 10, 11, 14]), rng.choice([0, 30])),
            )
        )
        services.appointment_create(
            actor=worker,
            case=case,
            persons=persons[:1],
            kind=rng.choice(["bamf_hearing", "immigration_office", "school", "doctor"]),
            starts_at=at,
        )


def create_services():
    """The service directory: destinations of accompaniments and counselling services."""
    kinds = Service.Kind
    for name, kind, address in [
        (
            "Ausländerbehörde der Stadt Musterstadt",
            kinds.AUTHORITY,
            "Rathausplatz 1\n12345 Musterstadt",
        ),
        ("Jobcenter Musterstadt", kinds.AUTHORITY, "Bahnhofstraße 20\n12345 Musterstadt"),
        (
            "Sozialamt – Leistungen nach AsylbLG",
            kinds.AUTHORITY,
            "Rathausplatz 3\n12345 Musterstadt",
        ),
        ("Bürgeramt", kinds.AUTHORITY, "Marktstraße 5\n12345 Musterstadt"),
        ("BAMF Außenstelle", kinds.AUTHORITY, "Am Ankunftszentrum 2\n12340 Nachbarstadt"),
        ("Familienkasse", kinds.AUTHORITY, "Kanalstraße 7\n12345 Musterstadt"),
        ("Grundschule am Park", kinds.INSTITUTION, "Parkweg 4\n12345 Musterstadt"),
        ("Kita Sonnenblume", kinds.INSTITUTION, "Blumenstraße 9\n12345 Musterstadt"),
        ("Sparkasse Musterstadt", kinds.INSTITUTION, "Marktplatz 2\n12345 Musterstadt"),
        ("Hausarztpraxis am Markt", kinds.DOCTOR, "Marktplatz 8\n12345 Musterstadt"),
        ("Kinderarztpraxis Lindenhof", kinds.DOCTOR, "Lindenallee 12\n12345 Musterstadt"),
        ("St.-Marien-Krankenhaus", kinds.DOCTOR, "Klinikweg 1\n12345 Musterstadt"),
    ]:
        Service.objects.create(name=name, kind=kind, address=address)
    cat = Service.Category
    for name, category, address in [
        (
            "Migrationsberatung für erwachsene Zuwanderer (MBE)",
            cat.MIGRATION_ADULTS,
            "Haus der Kulturen\nMarktstraße 1\n12345 Musterstadt",
        ),
        (
            "Jugendmigrationsdienst (JMD)",
            cat.YOUTH_MIGRATION,
            "Lindenallee 3\n12345 Musterstadt",
        ),
        ("Asylverfahrensberatung", cat.ASYLUM_COUNSELLING, "Kirchplatz 2\n12345 Musterstadt"),
        (
            "Psychosoziales Zentrum für Geflüchtete",
            cat.PSYCHOSOCIAL,
            "Gartenstraße 14\n12340 Nachbarstadt",
        ),
        (
            "Servicestelle Antidiskriminierung",
            cat.ANTIDISCRIMINATION,
            "Rathausplatz 5\n12345 Musterstadt",
        ),
        ("Schuldnerberatung", cat.DEBT, "Bahnhofstraße 8\n12345 Musterstadt"),
        ("DRK Suchdienst", cat.TRACING, "Rotkreuzweg 1\n12340 Nachbarstadt"),
        ("Integrationskursträger VHS", cat.LANGUAGE_COURSE, "Schulstraße 6\n12345 Musterstadt"),
    ]:
        Service.objects.create(
            name=name, kind=Service.Kind.COUNSELLING, category=category, address=address
        )


def _record_visits(rng, case, worker, volunteer, today):
    """A first visit with its checklist, follow-ups since, and a few accompaniments."""
    if rng.random() < 0.1:
        return  # just arrived: the first visit is still pending
    date = min(today, case.opened_on + datetime.timedelta(days=rng.randint(0, 5)))
    members = list(case.clients.all())
    language = "ara" if rng.random() < 0.5 else "prs"
    visit_services.visit_record(
        actor=worker,
        case=case,
        kind=Visit.Kind.FIRST,
        date=date,
        duration_minutes=90,
        place=Place.ACCOMMODATION,
        present=members,
        interpreter_language=language,
        topics=[Topic.ORIENTATION, Topic.HOUSING, Topic.BENEFITS],
        checklist={item: rng.random() < 0.6 for item in ChecklistItem.values},
    )
    follow_ups = 0
    while follow_ups < 8:
        date = date + datetime.timedelta(days=rng.randint(14, 45))
        if date > today:
            break
        visit_services.visit_record(
            actor=worker,
            case=case,
            kind=Visit.Kind.FOLLOW_UP,
            date=date,
            duration_minutes=rng.choice([30, 45, 60, 90]),
            place=rng.choice(list(Place)),
            present=members[: rng.randint(1, len(members))],
            interpreter_language=language,
            topics=rng.sample(list(Topic.values), 2),
        )
        follow_ups += 1
    due = date + datetime.timedelta(days=rng.randint(14, 30))
    services.case_set_next_visit_due(
        actor=worker, case=case, next_visit_due=max(due, today - datetime.timedelta(days=10))
    )
    destinations = list(Service.objects.all())
    for _i in range(rng.randint(0, 2)):
        service = rng.choice(destinations)
        kind = {Service.Kind.DOCTOR: "doctor", Service.Kind.INSTITUTION: "institution"}.get(
            service.kind, "authority"
        )
        day = today + datetime.timedelta(days=rng.randint(-20, 10))
        when = timezone.make_aware(  # office hours
            datetime.datetime.combine(day, datetime.time(rng.randint(8, 15), rng.choice([0, 30])))
        )
        accompaniment = visit_services.accompaniment_plan(
            actor=worker,
            case=case,
            data={
                "client": members[0],
                "destination_kind": kind,
                "service": service,
                "appointment_at": when,
                "purpose": rng.choice(PURPOSES[kind]),
                "accompanied_by": volunteer if rng.random() < 0.3 else worker,
                "interpreter_language": language,
            },
        )
        if accompaniment.volunteer_id == volunteer.pk:
            # What the volunteer reads, never the purpose (issue 31). Picked without the
            # generator, so that the draws after it stay as they were.
            visit_services.accompaniment_update(
                actor=worker,
                accompaniment=accompaniment,
                expected_version=accompaniment.version,
                data={"volunteer_note": VOLUNTEER_NOTES[accompaniment.pk % len(VOLUNTEER_NOTES)]},
            )
            accompaniment.refresh_from_db()
        if when < timezone.now() and rng.random() < 0.7:
            visit_services.accompaniment_update(
                actor=worker,
                accompaniment=accompaniment,
                expected_version=accompaniment.version,
                data={
                    "status": "done",
                    "outcome": "Termin wahrgenommen, Unterlagen abgegeben.",
                },
            )


def _numbers_and_deadlines(rng, case, worker, today):
    """A BAMF file number for everyone; passports for some (a few expiring); now and then
    a BAMF decision with its § 74 deadlines, or a hand-entered deadline."""
    for client in case.clients.all():
        services.client_reference_save(
            actor=worker,
            client=client,
            data={
                "kind": "bamf",
                "number": f"{rng.randint(1000000, 9999999)}-{rng.randint(100, 499)}",
            },
        )
        if rng.random() < 0.4:
            services.client_reference_save(
                actor=worker,
                client=client,
                data={
                    "kind": "passport",
                    "number": f"P{rng.randint(1000000, 9999999)}",
                    "valid_until": today + datetime.timedelta(days=rng.randint(-20, 900)),
                },
            )
    roll = rng.random()
    if roll < 0.12:
        services.bamf_decision_record(
            actor=worker,
            client=case.clients.first(),
            decision_type=rng.choice(["rejected", "manifestly_unfounded", "dublin"]),
            served_on=today - datetime.timedelta(days=rng.randint(0, 12)),
        )
    elif roll < 0.25:
        services.deadline_add(
            actor=worker,
            case=case,
            title="Widerspruch Jobcenter",
            due_on=today + datetime.timedelta(days=rng.randint(1, 25)),
        )


def _refer(rng, case, worker, office, today):
    """Some households have a consent and a referral, in one of its states."""
    roll = rng.random()
    if roll > 0.45:
        return
    client = case.clients.first()
    service = rng.choice(list(Service.objects.exclude(category="")))
    signed = max(case.opened_on, today - datetime.timedelta(days=rng.randint(5, 60)))
    if roll > 0.05:  # most have the consent; a few referrals still wait for it
        referral_services.consent_record(
            actor=worker,
            client=client,
            services=[service],
            signed_on=signed,
            valid_until=signed + datetime.timedelta(days=365),
            purpose=f"Vermittlung an {service.name}",
        )
    referral = referral_services.referral_create(
        actor=worker,
        case=case,
        data={
            "client": client,
            "service": service,
            "reason": "Beratungsbedarf im Erstgespräch",
            "follow_up_on": today + datetime.timedelta(days=rng.randint(-10, 20)),
        },
    )
    if roll > 0.05 and roll < 0.35:
        referral = referral_services.referral_transition(
            actor=worker, referral=referral, to=Referral.Status.READY
        )
        if roll < 0.2:  # printed and sent by the office
            referral_services.letter_issue(actor=office, referral=referral)
            referral_services.referral_transition(
                actor=office, referral=referral, to=Referral.Status.SENT
            )


def _household(rng, size, males, females, last_name, opened):
    today = opened
    adult = lambda: today - datetime.timedelta(days=rng.randint(19 * 365, 60 * 365))  # noqa: E731
    child = lambda: today - datetime.timedelta(days=rng.randint(1 * 365, 17 * 365))  # noqa: E731
    main_gender = rng.choice([Gender.FEMALE, Gender.MALE])
    first_names = females if main_gender == Gender.FEMALE else males
    people = [
        {
            "first_name": rng.choice(first_names),
            "last_name": last_name,
            "birth_date": adult(),
            "gender": main_gender,
        }
    ]
    if size >= 2:
        spouse_gender = Gender.MALE if main_gender == Gender.FEMALE else Gender.FEMALE
        names = males if spouse_gender == Gender.MALE else females
        people.append(
            {
                "first_name": rng.choice(names),
                "last_name": last_name,
                "birth_date": adult(),
                "gender": spouse_gender,
                "relationship": Relationship.SPOUSE,
            }
        )
    taken = {p["first_name"] for p in people}
    for _i in range(size - len(people)):
        gender = rng.choice([Gender.FEMALE, Gender.MALE])
        names = [n for n in (males if gender == Gender.MALE else females) if n not in taken]
        names = names or (males + females)
        taken.add(name := rng.choice(names))
        people.append(
            {
                "first_name": name,
                "last_name": last_name,
                "birth_date": child(),
                "gender": gender,
                "relationship": Relationship.CHILD,
            }
        )
    return people


def _status(rng, kind, opened, today):
    """The status history of one person, ending in `kind`; some expire soon."""
    history = []
    start = opened - datetime.timedelta(days=rng.randint(0, 60))
    if kind not in (StatusKind.ARRIVAL_CERTIFICATE, StatusKind.UNKNOWN):
        history.append(_document(rng, StatusKind.ARRIVAL_CERTIFICATE, start, 180))
        start = start + datetime.timedelta(days=rng.randint(30, 120))
    current_start = max(start, today - datetime.timedelta(days=rng.randint(10, 170)))
    current_start = min(current_start, today)
    days = VALIDITY_DAYS.get(kind, 365)
    roll = rng.random()
    if roll < 0.2:  # expires within 30 days
        days = (today - current_start).days + rng.randint(1, 30)
    elif roll < 0.3:  # expired: renewal overdue
        days = max(1, (today - current_start).days - rng.randint(1, 20))
    history.append(_document(rng, kind, current_start, days))
    return history


def _document(rng, kind, start, days):
    data = {
        "kind": kind,
        "valid_from": start,
        "valid_until": None
        if kind in KINDS_WITHOUT_EXPIRY
        else start + datetime.timedelta(days=days),
        "issuing_authority": rng.choice(AUTHORITIES),
        "document_number": f"{rng.choice('ABCDLMNT')}{rng.randint(10_000_000, 99_999_999)}",
    }
    if kind == StatusKind.FICTIONAL_CERTIFICATE:
        data["fiction_subtype"] = rng.choice(list(FictionSubtype))
    return data
