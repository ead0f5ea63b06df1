"""The city-scale demo set (`seed_demo --clients N` with N ≥ CITY_THRESHOLD): bulk inserts.

Per 20,000 persons: about 8,000 households, 150,000 visits, 30,000 accompaniments, 20,000
referrals (with consents), 60 caseworkers in 6 teams of ten. A city of another size has about
as many caseworkers per household and teams of ten (three teams at least: A, B and C exist),
so that a caseload and a team stay the same size as the city grows (make bench-scale). Rows and
their history rows are written with simple-history's bulk_create_with_history, so the history
tab and the disclosure have their "created" entries; permissions are written as guardian rows,
reference numbers through the counter. Validation rules are the services'; this path writes
only data that satisfies them (a first visit on or after the opening, visits of household
members, consents covering their referrals).
"""

import datetime
import math
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.models import (
    Case,
    CaseUserObjectPermission,
    Client,
    ClientReference,
    NameToken,
    ReferenceCounter,
    Relationship,
    ResidenceStatus,
    StatusKind,
)
from cases.services import CASE_PERMISSIONS
from caseworks.access.roles import Role
from caseworks.models import Service, Team
from demo.data import ORIGINS, PURPOSES, VISIT_NOTES, VOLUNTEER_NOTES
from referrals.models import Consent, Referral
from visits.models import Accompaniment, ArrivalCheck, ChecklistItem, Place, Topic, Visit

CITY_THRESHOLD = 1000
BATCH = 2000


def build(command, *, teams, users, n_clients: int, seed: int = 2026) -> dict[str, float]:
    started = time.perf_counter()
    rng = random.Random(seed)
    today = timezone.localdate()
    scale = n_clients / 20000

    workers_by_team = _city_staff(
        teams, users, caseworkers=max(3, round(60 * scale)), n_teams=max(3, round(6 * scale))
    )
    supervisor = users["supervisor"]
    volunteers = list(get_user_model().objects.filter(groups__name=Role.VOLUNTEER))
    services = list(Service.objects.all())
    counselling = [s for s in services if s.category]
    destinations = [s for s in services if s.kind in ("authority", "institution", "doctor")]
    kinds = [k for k in StatusKind if k != StatusKind.UNKNOWN]

    # Households: sizes 1–6, mean 2.6.
    cases: list[Case] = []
    households: list[tuple[int, str]] = []
    counters: dict[int, int] = {}
    created = 0
    team_keys = list(workers_by_team)
    while created < n_clients:
        team_key = team_keys[len(cases) % len(team_keys)]
        worker = rng.choice(workers_by_team[team_key])
        size = min(rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6]), n_clients - created)
        opened = today - datetime.timedelta(days=rng.randint(0, 3 * 365))
        counters[opened.year] = counters.get(opened.year, 0) + 1
        closed = rng.random() < 0.08 and opened < today - datetime.timedelta(days=60)
        case = Case(
            reference=f"{opened.year}-{counters[opened.year]:05d}",
            team=teams[team_key],
            assigned_to=worker,
            opened_on=opened,
            allocated_on=opened - datetime.timedelta(days=rng.randint(0, 14)),
            accommodation_address=f"Unterkunft {rng.randint(1, 40)}\n12345 Musterstadt",
            # Follow-ups about every six weeks; a few overdue, as in a service that keeps up.
            next_visit_due=today + datetime.timedelta(days=rng.randint(-7, 42)),
            closed_on=opened + datetime.timedelta(days=rng.randint(30, 59)) if closed else None,
            closing_reason="moved_away" if closed else "",
        )
        cases.append(case)
        nationality = rng.choice(list(ORIGINS))
        households.append((size, nationality))
        created += size
    for year, last in counters.items():
        ReferenceCounter.objects.update_or_create(year=year, defaults={"last": last})
    bulk_create_with_history(cases, Case, batch_size=BATCH, default_user=supervisor)
    cases = list(Case.objects.order_by("pk"))  # with primary keys on every database
    _progress(command, "households", len(cases), started)

    clients = []
    for case, (size, nationality) in zip(cases, households, strict=True):
        males, females, lasts, language = ORIGINS[nationality]
        family_name = rng.choice(lasts)
        for i in range(size):
            adult = i < 2
            female = rng.random() < 0.5
            clients.append(
                Client(
                    case=case,
                    relationship=(
                        Relationship.MAIN_CONTACT
                        if i == 0
                        else Relationship.SPOUSE
                        if i == 1
                        else Relationship.CHILD
                    ),
                    first_name=rng.choice(females if female else males),
                    last_name=family_name,
                    birth_date=case.opened_on
                    - datetime.timedelta(
                        days=rng.randint(19 * 365, 60 * 365)
                        if adult
                        else rng.randint(365, 17 * 365)
                    ),
                    phone=f"0151 {rng.randint(1000000, 9999999)}" if i == 0 else "",
                    gender="female" if female else "male",
                    nationality=nationality,
                    languages=list(language),
                    interpreter_needed=rng.random() < 0.7,
                )
            )
    bulk_create_with_history(clients, Client, batch_size=BATCH, default_user=supervisor)
    # bulk inserts skip Client.save(): the search tokens are added here.
    NameToken.objects.add_for(
        Client.objects.filter(case__in=cases)
        .only("pk", "case_id", "first_name", "last_name")
        .iterator()
    )
    clients = list(Client.objects.order_by("pk").only("pk", "case_id", "relationship"))
    members: dict[int, list[Client]] = {}
    for client in clients:
        members.setdefault(client.case_id, []).append(client)
    _progress(command, "persons", len(clients), started)

    statuses, references = [], []
    for client in clients:
        kind = rng.choice(kinds)
        start = today - datetime.timedelta(days=rng.randint(10, 170))
        valid_until = None
        if kind not in (StatusKind.RESIDENCE_PERMIT_ASYLUM,):
            valid_until = start + datetime.timedelta(days=rng.choice([30, 90, 180, 365]))
        statuses.append(
            ResidenceStatus(
                client_id=client.pk,
                kind=kind,
                valid_from=start,
                valid_until=valid_until,
                fiction_subtype="81_4" if kind == StatusKind.FICTIONAL_CERTIFICATE else "",
                document_number=f"T{rng.randint(10_000_000, 99_999_999)}",
                issuing_authority="Ausländerbehörde der Stadt",
            )
        )
        references.append(
            ClientReference(
                client_id=client.pk,
                kind="bamf",
                number=f"{rng.randint(1000000, 9999999)}-{rng.randint(100, 499)}",
            )
        )
    bulk_create_with_history(statuses, ResidenceStatus, batch_size=BATCH, default_user=supervisor)
    bulk_create_with_history(references, ClientReference, batch_size=BATCH, default_user=supervisor)
    _progress(command, "residence statuses", len(statuses), started)

    visits, checks, present = [], [], []
    per_case = max(1, round(150000 * scale / len(cases)))
    for case in cases:
        end = case.closed_on or today
        date = min(end, case.opened_on + datetime.timedelta(days=rng.randint(0, 5)))
        n = rng.randint(max(1, per_case - 10), per_case + 10)
        step = max(1, (end - date).days // n)
        for i in range(n):
            if date > end:
                break
            visits.append(
                Visit(
                    case=case,
                    kind=Visit.Kind.FIRST if i == 0 else Visit.Kind.FOLLOW_UP,
                    date=date,
                    duration_minutes=rng.choice([30, 45, 60, 90]),
                    place=rng.choice(list(Place)),
                    topics=rng.sample(list(Topic.values), 2),
                    notes=rng.choice(VISIT_NOTES),
                    recorded_by=case.assigned_to,
                )
            )
            date += datetime.timedelta(days=rng.randint(max(1, step // 2), step + 1))
        for item in ChecklistItem.values:
            done = rng.random() < 0.7
            checks.append(
                ArrivalCheck(
                    case=case, item=item, is_done=done, done_on=case.opened_on if done else None
                )
            )
    bulk_create_with_history(visits, Visit, batch_size=BATCH, default_user=supervisor)
    bulk_create_with_history(checks, ArrivalCheck, batch_size=BATCH, default_user=supervisor)
    through = Visit.present.through
    for visit_id, case_id in Visit.objects.values_list("pk", "case_id").iterator(chunk_size=BATCH):
        main = members[case_id][0]
        present.append(through(visit_id=visit_id, client_id=main.pk))
        if len(present) >= BATCH:
            through.objects.bulk_create(present)
            present = []
    through.objects.bulk_create(present)
    _progress(command, "visits", len(visits), started)

    accompaniments: list[Accompaniment] = []
    now = timezone.now()
    accompaniments_per_case = 30000 * scale / len(cases)
    for case in cases:
        for _i in range(_poisson(rng, accompaniments_per_case)):
            service = rng.choice(destinations)
            # A directory destination always takes its service's kind.
            destination_kind = service.kind
            when = now + datetime.timedelta(days=rng.randint(-300, 20), hours=rng.randint(0, 8))
            past = when < now
            # Appointments more than two weeks back have been closed (done or cancelled).
            settled = when < now - datetime.timedelta(days=14)
            status = (
                ("done" if rng.random() < 0.9 else "cancelled")
                if settled
                else "done"
                if past and rng.random() < 0.7
                else "planned"
            )
            volunteer = rng.choice(volunteers) if volunteers and rng.random() < 0.3 else None
            accompaniments.append(
                Accompaniment(
                    case=case,
                    client=members[case.pk][0],
                    destination_kind=destination_kind,
                    service=service,
                    appointment_at=when,
                    purpose=rng.choice(PURPOSES[destination_kind]),
                    outcome="Termin wahrgenommen." if status == "done" else "",
                    accompanied_by=None if volunteer else case.assigned_to,
                    volunteer=volunteer,
                    # What the volunteer reads, never the purpose (issue 31).
                    volunteer_note=(
                        VOLUNTEER_NOTES[len(accompaniments) % len(VOLUNTEER_NOTES)]
                        if volunteer
                        else ""
                    ),
                    status=status,
                    cancelled_at=when if status == "cancelled" else None,
                    cancel_reason="did_not_take_place" if status == "cancelled" else "",
                )
            )
    bulk_create_with_history(
        accompaniments, Accompaniment, batch_size=BATCH, default_user=supervisor
    )
    _progress(command, "accompaniments", len(accompaniments), started)

    consents, referrals = [], []
    referrals_per_case = 20000 * scale / len(cases)
    statuses_cycle = ["draft", "ready", "sent", "accepted", "completed", "declined"]
    for case in cases:
        n = _poisson(rng, referrals_per_case)
        if not n:
            continue
        client = members[case.pk][0]
        signed = max(case.opened_on, today - datetime.timedelta(days=rng.randint(5, 300)))
        consents.append(
            Consent(
                client_id=client.pk,
                category="",
                purpose="Vermittlung",
                signed_on=signed,
                valid_until=signed + datetime.timedelta(days=730),
                recorded_by=case.assigned_to,
            )
        )
        for _i in range(n):
            service = rng.choice(counselling)
            referrals.append(
                Referral(
                    case=case,
                    client_id=client.pk,
                    service=service,
                    reason="Beratungsbedarf im Erstgespräch",
                    follow_up_on=today + datetime.timedelta(days=rng.randint(-10, 20)),
                    letter_subject="Vermittlung",
                    status=rng.choice(statuses_cycle),
                    created_by=case.assigned_to,
                )
            )
    bulk_create_with_history(consents, Consent, batch_size=BATCH, default_user=supervisor)
    bulk_create_with_history(referrals, Referral, batch_size=BATCH, default_user=supervisor)
    # Each consent covers the services its household was referred to.
    consent_of = dict(Consent.objects.values_list("client_id", "pk"))
    consent_services = Consent.services.through
    links = {(consent_of[r.client_id], r.service_id) for r in referrals}
    consent_services.objects.bulk_create(
        [consent_services(consent_id=c, service_id=s) for c, s in links], batch_size=BATCH
    )
    _progress(command, "referrals", len(referrals), started)

    permission_ids = list(
        Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Case), codename__in=CASE_PERMISSIONS
        ).values_list("pk", flat=True)
    )
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(
                content_object_id=case.pk, user_id=case.assigned_to_id, permission_id=pid
            )
            for case in cases
            if case.closed_on is None and case.assigned_to_id is not None
            for pid in permission_ids
        ],
        batch_size=BATCH,
    )
    return {
        "households": len(cases),
        "persons": len(clients),
        "visits": len(visits),
        "accompaniments": len(accompaniments),
        "referrals": len(referrals),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _poisson(rng, mean: float) -> int:
    """A small count around `mean` (Knuth's method; means here are below 10)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _city_staff(teams, users, *, caseworkers: int, n_teams: int) -> dict[str, list]:
    """n_teams teams (A, B and C exist; D, E, F… are added) with caseworkers spread evenly;
    one supervisor each."""
    User = get_user_model()
    caseworker_group = Group.objects.get(name=Role.CASEWORKER)
    supervisor_group = Group.objects.get(name=Role.SUPERVISOR)
    organisation = teams["A"].organisation
    for key in (chr(ord("A") + i) for i in range(n_teams)):
        if key not in teams:
            teams[key] = Team.objects.create(
                organisation=organisation, name=f"Team {key} – Flüchtlingsbegleitung"
            )
            lead = User.objects.create_user(
                f"supervisor_{key.lower()}",
                password=None,
                first_name="Leitung",
                last_name=f"Team {key}",
            )
            lead.groups.add(supervisor_group)
            teams[key].supervisors.add(lead)
    by_team = {
        key: list(team.members.filter(groups__name=Role.CASEWORKER)) for key, team in teams.items()
    }
    per_team = max(1, caseworkers // len(teams))
    number = 0
    for key, team in teams.items():
        while len(by_team[key]) < per_team:
            number += 1
            user = User.objects.create_user(
                f"cw{number:02d}", password=None, first_name="Fachkraft", last_name=f"{number:02d}"
            )
            user.groups.add(caseworker_group)
            team.members.add(user)
            by_team[key].append(user)
    return by_team


def _progress(command, what, n, started):
    if command is not None:
        command.stdout.write(f"  {n:>7} {what} ({time.perf_counter() - started:.0f} s)")
