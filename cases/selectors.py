"""Reading cases: every view, search and export goes through these, never through Case.objects.

Who sees what (DESIGN.md): a caseworker the open cases assigned to or shared with them (guardian
object permission `view_case`); a supervisor every case of the teams they lead; office,
volunteer and admin no case files. Anything else is a 404.
"""

import datetime
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from django.contrib.auth.models import User
from django.db.models import Case as SqlCase
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import get_objects_for_user

from cases.models import (
    Appointment,
    Case,
    CaseQuerySet,
    CaseShare,
    Client,
    ClientReference,
    Contact,
    CoverAccess,
    ImportedRow,
    NameToken,
    Relationship,
    ResidenceStatus,
    Task,
    household_sorted,
)
from cases.models.imports import ImportRun
from caseworks.access.dpo import is_dpo_of
from caseworks.access.roles import Role, roles_of
from caseworks.crypto.search import MIN_PREFIX, fold, matches, query_tokens
from caseworks.fields import blind_index, normalise_identifier, phonetic
from caseworks.models import Team

# A record's address in a URL (the uuid path converter) or a form.
Code = uuid.UUID | str


def _not_being_imported() -> Q:
    """Not a case an import is still writing (cases.intake.importing): its cases are written a
    batch at a time and become anybody's only when the run is committed (its caseworkers get
    them then); until that, not even the team's supervisors nor the statistics count them.
    A case the run only adds persons to was there before and stays visible."""
    being_written = ImportedRow.objects.filter(
        run__state=ImportRun.State.RUNNING, opened_case=True
    ).values("case")
    return ~Q(pk__in=being_written)


def case_list_for_user(*, user: User, include_closed: bool = False) -> CaseQuerySet:
    roles = roles_of(user)
    visible = Q(pk__in=[])
    if Role.CASEWORKER in roles:
        permitted = get_objects_for_user(
            user,
            "cases.view_case",
            klass=Case,
            use_groups=False,
            with_superuser=False,
            accept_global_perms=False,
        )
        visible |= Q(pk__in=permitted.values("pk"))
    if Role.SUPERVISOR in roles:
        visible |= Q(team__in=teams_supervised_by(user).values("pk"))
    cases = Case.objects.filter(visible).filter(_not_being_imported())
    if not include_closed:
        cases = cases.filter(closed_on__isnull=True)
    return cases


def teams_supervised_by(user: User) -> QuerySet[Team]:
    """The teams the user leads as a supervisor (none without the supervisor role)."""
    if Role.SUPERVISOR not in roles_of(user):
        return Team.objects.none()
    return Team.objects.filter(supervisors=user)


def cases_for_statistics(*, teams: Iterable[Team]) -> CaseQuerySet:
    """Every case of these teams, closed ones too, for counting only: the statistics of a
    carrier or of the house (supervision.views.statistics), never shown case by case."""
    return Case.objects.filter(team__in=[team.pk for team in teams]).filter(_not_being_imported())


def cases_supervised_by(*, user: User, include_closed: bool = False) -> CaseQuerySet:
    """The cases of the teams the user leads as a supervisor (open ones unless asked)."""
    if Role.SUPERVISOR not in roles_of(user):
        return Case.objects.none()
    cases = Case.objects.filter(team__in=teams_supervised_by(user).values("pk")).filter(
        _not_being_imported()
    )
    if not include_closed:
        cases = cases.filter(closed_on__isnull=True)
    return cases


def case_get_for_user(*, user: User, code: Code) -> Case:
    """The case if the user may see it (closed ones included, for supervisors) or holds an
    active cover access to it, else 404."""
    visible = case_list_for_user(user=user, include_closed=True) | cover_cases_for_user(user=user)
    case = visible.select_related("team__organisation", "assigned_to").filter(code=code).first()
    if case is None:
        raise Http404("No such case")
    return case


def supervised_case_get_for_user(*, user: User, code: Code) -> Case:
    """For a supervisor's actions on a case (assign, close, reopen): a case of a team the
    user leads, closed ones included, else 404."""
    case = (
        cases_supervised_by(user=user, include_closed=True)
        .select_related("team__organisation", "assigned_to")
        .filter(code=code)
        .first()
    )
    if case is None:
        raise Http404("Not a supervisor of this case's team")
    return case


def open_case_get_for_user(*, user: User, code: Code) -> Case:
    """For pages that record something: the case as case_get_for_user, 404 once closed."""
    case = case_get_for_user(user=user, code=code)
    if case.is_closed:
        raise Http404("Closed case")
    return case


def cover_candidates(*, user: User) -> CaseQuerySet:
    """Open cases of the user's own teams that are not theirs: reachable with a reason."""
    if Role.CASEWORKER not in roles_of(user):
        return Case.objects.none()
    own = case_list_for_user(user=user).values("pk")
    return Case.objects.filter(team__members=user, closed_on__isnull=True).exclude(pk__in=own)


def cover_cases_for_user(*, user: User) -> CaseQuerySet:
    """Cases the user currently covers (a reason given, not yet expired)."""
    active = CoverAccess.objects.filter(
        user=user, expires_at__gt=timezone.now(), awaiting_approval=False
    )
    return cover_candidates(user=user).filter(pk__in=active.values("case_id"))


def case_is_supervised_by(*, case: Case, user: User) -> bool:
    """Does the user lead the case's team as a supervisor (the one definition; services
    check it, supervised_case_get_for_user scopes by the same rule)?"""
    return cases_supervised_by(user=user, include_closed=True).filter(pk=case.pk).exists()


def case_may_manage_sharing(*, case: Case, user: User) -> bool:
    """The assignee and the team's supervisors decide who else works on a case."""
    return case.assigned_to_id == user.pk or case_is_supervised_by(case=case, user=user)


def client_get_for_case(*, case: Case, code: Code) -> Client:
    client = case.clients.filter(code=code).first()
    if client is None:
        raise Http404("No such client")
    return client


def main_contacts(*, name_only: bool = False) -> QuerySet[Client]:
    """Every case's main contact; narrow it with .filter(case=...) or use it in a Prefetch.
    `name_only` loads just what a page shows beside a reference (one decryption each)."""
    contacts = Client.objects.filter(relationship=Relationship.MAIN_CONTACT)
    if name_only:
        contacts = contacts.only("id", "case_id", "first_name", "last_name", "relationship")
    return contacts


def main_contact_of(case: Case, *, name_only: bool = True) -> Client | None:
    """The household's main contact (None for a household recorded without one)."""
    return main_contacts(name_only=name_only).filter(case=case).first()


def main_contact_names(case_ids: Iterable[int]) -> dict[int, str]:
    """Case id -> the main contact's full name, one query for a whole list of cases."""
    return {c.case_id: c.full_name for c in main_contacts(name_only=True).filter(case__in=case_ids)}


def household_with_statuses(case: Case) -> list[Client]:
    """The case's clients, main contact first, with statuses and reference numbers."""
    return household_sorted(case.clients.prefetch_related("statuses", "references"))


# For lists joining a client and its case: what such lists never show (and so never decrypt).
LIST_DEFERRED = (
    "client__phone",
    "client__email",
    "client__birth_date",
    "case__accommodation_address",
)


def prefetch_households(cases: CaseQuerySet, *, birth_dates: bool = False) -> CaseQuerySet:
    """Cases with their people and statuses, for lists: only what a list shows is loaded and
    decrypted — no address, phone, e-mail or document number (and birth dates on request)."""
    statuses = ResidenceStatus.objects.defer("document_number")
    hidden = ["phone", "email"] + ([] if birth_dates else ["birth_date"])
    clients = Client.objects.defer(*hidden).prefetch_related(
        Prefetch("statuses", queryset=statuses)
    )
    return (
        cases.defer("accommodation_address")
        .select_related("assigned_to", "team")
        .prefetch_related(Prefetch("clients", queryset=clients))
    )


# --- search and filters ------------------------------------------------------------------------

# The usual German ways to write a birth date (and ISO). Two-digit years (01.02.90) are the
# last such year not in the future.
DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%d/%m/%y")


def parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if fmt.endswith("%y") and day > timezone.localdate():
            day = day.replace(year=day.year - 100)
        return day
    return None


# Best first: exact full name, a document or file number, a birth date or the reference; then
# every typed word a whole name part; then prefixes and reference fragments; then names that
# only sound like a typed word (Jusuf: Yusuf).
EXACT, ALL_PARTS, PREFIX, SOUND = 0, 1, 2, 3


def _name_ranks(cases: CaseQuerySet, query: str, *, sounds_like: bool) -> dict[int, int]:
    """Case id -> best rank of a person whose name parts answer every typed word.

    The full name as typed (either order) is found by its blind index. The search rows
    (caseworks.crypto.search) give candidates in the cases in scope — persons with a row for each
    word's token, many of them false (tokens are short on purpose) — and each candidate's
    own keyed verifiers tell the true ones; with `sounds_like` a word may also match a part
    that sounds like it (its Kölner Phonetik row, the duplicate check's measure). No name is
    decrypted."""
    words = fold(query).split()
    if not words:
        return {}
    in_scope = cases.values("pk")
    orders = {" ".join(words), " ".join(words[1:] + words[:1]), " ".join(words[-1:] + words[:-1])}
    exact = [blind_index(name, purpose="name", normaliser=fold) for name in orders]
    ranks = dict.fromkeys(
        Client.objects.filter(case__in=in_scope, full_name_bidx__in=exact).values_list(
            "case_id", flat=True
        ),
        EXACT,
    )
    case_of: dict[int, int] = {}
    rows = []
    for client_id, case_id, verifier, whole in NameToken.objects.filter(
        token__in=query_tokens(words, sounds=sounds_like), case__in=in_scope
    ).values_list("client_id", "case_id", "verifier", "whole"):
        case_of[client_id] = case_id
        rows.append((client_id, verifier, whole))
    for client_id, how in matches(words, rows, sounds=sounds_like).items():
        case_id = case_of[client_id]
        ranks[case_id] = min(how, ranks.get(case_id, how))
    return ranks


def case_search(cases: CaseQuerySet, query: str, *, sounds_like: bool = True) -> CaseQuerySet:
    """The one search box: names (any part, any order, prefixes from three letters, folded
    as caseworks.crypto.search.fold; with `sounds_like`, a word of four letters or more also
    by its sound: "Jusuf" finds Yusuf), birth dates (1.2.1990, 01.02.90, 1990-02-01), document
    and file numbers (spaces, dashes and case ignored) and case references or their fragments
    ("0005"). Only within `cases`; no name is decrypted (keyed indexes and verifiers).
    The result carries `search_rank` (EXACT, ALL_PARTS, PREFIX, SOUND) to sort by."""
    # Control characters (NUL among them, which PostgreSQL refuses in text) match nothing;
    # any kind of space (a phone's no-break space) is a space.
    query = " ".join(
        "".join(ch if ch.isprintable() else " " if ch.isspace() else "" for ch in query).split()
    )
    if not query:
        return cases
    ranks = _name_ranks(cases, query, sounds_like=sounds_like)

    def found(ids: Iterable[int], how: int) -> None:
        for case_id in ids:
            ranks[case_id] = min(how, ranks.get(case_id, how))

    found(cases.filter(reference__iexact=query).values_list("pk", flat=True), EXACT)
    birth_date = parse_date(query)
    if birth_date is not None:
        digest = blind_index(birth_date, purpose="birth_date")
        found(
            Client.objects.filter(case__in=cases.values("pk"), birth_date_bidx=digest).values_list(
                "case_id", flat=True
            ),
            EXACT,
        )
    elif re.search(r"\d", query):
        document = blind_index(query, purpose="document", normaliser=normalise_identifier)
        found(
            ResidenceStatus.objects.filter(
                client__case__in=cases.values("pk"), document_number_bidx=document
            ).values_list("client__case_id", flat=True),
            EXACT,
        )
        found(
            ClientReference.objects.filter(
                client__case__in=cases.values("pk"), number_bidx=document
            ).values_list("client__case_id", flat=True),
            EXACT,
        )
        if len(query) >= MIN_PREFIX:  # "0005" or "2026-0005": a fragment of the reference
            found(cases.filter(reference__icontains=query).values_list("pk", flat=True), PREFIX)
    if not ranks:
        return cases.none().annotate(search_rank=Value(SOUND))
    order = SqlCase(
        *(When(pk=case_id, then=Value(how)) for case_id, how in ranks.items()),
        default=Value(SOUND),
        output_field=IntegerField(),
    )
    return cases.filter(pk__in=list(ranks)).annotate(search_rank=order)


def case_filter_by_status(cases: CaseQuerySet, kind: str) -> CaseQuerySet:
    """Cases with at least one person whose current status is `kind`."""
    clients = Client.objects.with_current_status("kind").filter(
        case=OuterRef("pk"), current_kind=kind
    )
    return cases.filter(Exists(clients))


def case_filter_expiring(
    cases: CaseQuerySet, *, today: datetime.date | None = None
) -> CaseQuerySet:
    """Cases where a person's current document or a reference has expired or expires within
    the window (CaseQuerySet.expiring)."""
    return cases.expiring(today)


# --- duplicate check at intake ---------------------------------------------------------------


class Duplicates(TypedDict):
    """possible_duplicates' answer."""

    cases: list[Case]  # the cases the user may open, with their households
    other_teams: list[str]  # the names of the other teams that know a match
    found: bool


def possible_duplicates(
    *, user: User, first_name: str, last_name: str, birth_date: datetime.date | None
) -> Duplicates:
    """Persons already known anywhere in the house, found without decrypting the table.

    A match: the same full name; or the same last name and birth date; or the same-sounding
    last name with a same-sounding first name or the same birth date. Returns the cases the
    user may open, and for the others only the team names ("ask its supervisor").
    """
    name = blind_index(f"{first_name} {last_name}", purpose="name")
    last = blind_index(last_name, purpose="name")
    last_sound = blind_index(last_name, purpose="phonetic", normaliser=phonetic)
    first_sound = blind_index(first_name, purpose="phonetic", normaliser=phonetic)
    similar = Q(full_name_bidx=name) | Q(last_name_phon=last_sound, first_name_phon=first_sound)
    if birth_date is not None:
        born = blind_index(birth_date, purpose="birth_date")
        similar |= Q(last_name_bidx=last, birth_date_bidx=born)
        similar |= Q(last_name_phon=last_sound, birth_date_bidx=born)
    case_ids = set(Client.objects.filter(similar).values_list("case_id", flat=True))
    visible = case_list_for_user(user=user, include_closed=True).filter(pk__in=case_ids)
    visible_cases = list(prefetch_households(visible, birth_dates=True))
    hidden_teams = sorted(
        {
            t
            for t in Case.objects.filter(pk__in=case_ids - {c.pk for c in visible_cases})
            .values_list("team__name", flat=True)
            .distinct()
        }
    )
    return {"cases": visible_cases, "other_teams": hidden_teams, "found": bool(case_ids)}


def case_get_for_disclosure(*, user: User, code: Code) -> Case:
    """A case for the Art. 15 disclosure: a carrier's data protection officer reaches the
    cases of that carrier's teams (never another carrier's), a supervisor the cases of their
    teams; anyone else 404."""
    case = Case.objects.select_related("team__organisation").filter(code=code).first()
    if case is None:
        raise Http404("No such case")
    if not (
        is_dpo_of(user, case.team.organisation_id) or case_is_supervised_by(case=case, user=user)
    ):
        raise Http404("No disclosure right")
    return case


# --- contacts, tasks and appointments ------------------------------------------------------------


def cases_worked_by(*, user: User) -> CaseQuerySet:
    """Open cases the user works on: assigned to or shared with them (and visible) — not a
    supervisor's whole team."""
    shared = CaseShare.objects.filter(case=OuterRef("pk"), user=user)
    return case_list_for_user(user=user).filter(Q(assigned_to=user) | Q(Exists(shared)))


def contact_get_for_case(*, case: Case, code: Code) -> Contact:
    contact = case.contacts.select_related("recorded_by").filter(code=code).first()
    if contact is None:
        raise Http404("No such contact")
    return contact


def task_get_for_case(*, case: Case, code: Code) -> Task:
    task = case.tasks.select_related("assigned_to", "done_by").filter(code=code).first()
    if task is None:
        raise Http404("No such task")
    return task


def appointment_get_for_case(*, case: Case, code: Code) -> Appointment:
    appointment = case.appointments.select_related("service").filter(code=code).first()
    if appointment is None:
        raise Http404("No such appointment")
    return appointment


@dataclass
class WeekItem:
    """A task or an appointment in a user's week, as "my week" lists it."""

    kind: str  # "task" or "appointment"
    day: datetime.date  # the due date, or the appointment's local day
    at: datetime.datetime | None  # an appointment's start
    title: str  # decrypted for display only
    case: Case
    obj: Task | Appointment
    overdue: bool
    url: str  # the page of the item (edit a task, change an appointment)
    action_url: str  # the direct action: complete a task, open an appointment
    action_label: str


def week_items_for_user(*, user: User, start: datetime.date, end: datetime.date) -> list[WeekItem]:
    """The user's open tasks due from `start` to `end` (both included) and any open task due
    before `start` (overdue), and the planned appointments of the cases they work on in those
    days; only in open cases they may see. Ordered by day and time. Three queries.

    Tasks assigned to nobody count for the cases the user works on (a case without an
    assignee has no one else to remind)."""
    today = timezone.localdate()
    worked = cases_worked_by(user=user).values("pk")
    visible = case_list_for_user(user=user).values("pk")
    tasks = (
        Task.objects.open()
        .filter(case__in=visible, due_on__lte=end)
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True, case__in=worked))
        .select_related("case")
        .defer("case__accommodation_address")
        .order_by("due_on", "id")
    )
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    after = timezone.make_aware(
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    )
    appointments = (
        Appointment.objects.planned()
        .filter(case__in=worked, starts_at__gte=first, starts_at__lt=after)
        .select_related("case", "service")
        .defer("note", "case__accommodation_address")
        .order_by("starts_at", "id")
    )
    items = []
    for task in tasks:
        url = reverse("cases:task_edit", args=[task.case.code, task.code])
        items.append(
            WeekItem(
                kind="task",
                day=task.due_on,
                at=None,
                title=task.title,
                case=task.case,
                obj=task,
                overdue=task.due_on < today,
                url=url,
                action_url=reverse("cases:task_done", args=[task.case.code, task.code]),
                action_label=_("Mark as done"),
            )
        )
    for appointment in appointments:
        url = reverse("cases:appointment_edit", args=[appointment.case.code, appointment.code])
        items.append(
            WeekItem(
                kind="appointment",
                day=timezone.localtime(appointment.starts_at).date(),
                at=appointment.starts_at,
                title=str(appointment.get_kind_display()),
                case=appointment.case,
                obj=appointment,
                overdue=False,
                url=url,
                action_url=url,
                action_label=_("Open appointment"),
            )
        )
    items.sort(key=lambda i: (i.day, i.at is not None, i.at or first))
    return items
