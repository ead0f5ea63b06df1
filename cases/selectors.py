"""Reading cases: every view, search and export goes through these, never through Case.objects.

Who sees what (DESIGN.md): a caseworker the open cases assigned to or shared with them (guardian
object permission `view_case`); a supervisor every case of the teams they lead; office,
volunteer and admin no case files. Anything else is a 404.
"""

import datetime
import re

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import get_objects_for_user

from cases.models import (
    Case,
    CaseQuerySet,
    Client,
    ClientReference,
    CoverAccess,
    ResidenceStatus,
    household_sorted,
)
from caseworks.fields import blind_index, normalise_identifier, phonetic
from caseworks.models import Team
from caseworks.roles import Role, roles_of


def case_list_for_user(*, user, include_closed: bool = False) -> CaseQuerySet:
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
        visible |= Q(team__in=_teams_supervised_by(user).values("pk"))
    cases = Case.objects.filter(visible)
    if not include_closed:
        cases = cases.filter(closed_on__isnull=True)
    return cases


def _teams_supervised_by(user) -> QuerySet[Team]:
    return Team.objects.filter(supervisors=user)


def cases_supervised_by(*, user, include_closed: bool = False) -> CaseQuerySet:
    """The cases of the teams the user leads as a supervisor (open ones unless asked)."""
    if Role.SUPERVISOR not in roles_of(user):
        return Case.objects.none()
    cases = Case.objects.filter(team__in=_teams_supervised_by(user).values("pk"))
    if not include_closed:
        cases = cases.filter(closed_on__isnull=True)
    return cases


def case_get_for_user(*, user, code) -> Case:
    """The case if the user may see it (closed ones included, for supervisors) or holds an
    active cover access to it, else 404."""
    visible = case_list_for_user(user=user, include_closed=True) | cover_cases_for_user(user=user)
    case = visible.select_related("team__organisation", "assigned_to").filter(code=code).first()
    if case is None:
        raise Http404("No such case")
    return case


def supervised_case_get_for_user(*, user, code) -> Case:
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


def open_case_get_for_user(*, user, code) -> Case:
    """For pages that record something: the case as case_get_for_user, 404 once closed."""
    case = case_get_for_user(user=user, code=code)
    if case.is_closed:
        raise Http404("Closed case")
    return case


def cover_candidates(*, user) -> CaseQuerySet:
    """Open cases of the user's own teams that are not theirs: reachable with a reason."""
    if Role.CASEWORKER not in roles_of(user):
        return Case.objects.none()
    own = case_list_for_user(user=user).values("pk")
    return Case.objects.filter(team__members=user, closed_on__isnull=True).exclude(pk__in=own)


def cover_cases_for_user(*, user) -> CaseQuerySet:
    """Cases the user currently covers (a reason given, not yet expired)."""
    active = CoverAccess.objects.filter(
        user=user, expires_at__gt=timezone.now(), awaiting_approval=False
    )
    return cover_candidates(user=user).filter(pk__in=active.values("case_id"))


def case_is_supervised_by(*, case: Case, user) -> bool:
    """Does the user lead the case's team as a supervisor (the one definition; services
    check it, supervised_case_get_for_user scopes by the same rule)?"""
    return cases_supervised_by(user=user, include_closed=True).filter(pk=case.pk).exists()


def case_may_manage_sharing(*, case: Case, user) -> bool:
    """The assignee and the team's supervisors decide who else works on a case."""
    return case.assigned_to_id == user.pk or case_is_supervised_by(case=case, user=user)


def client_get_for_case(*, case: Case, code) -> Client:
    client = case.clients.filter(code=code).first()
    if client is None:
        raise Http404("No such client")
    return client


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

DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y")


def parse_date(text: str) -> datetime.date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def case_search(cases: CaseQuerySet, query: str) -> CaseQuerySet:
    """Exact search on encrypted values through blind indexes, plus the plain reference number.

    A date finds birth dates; any text finds a first, last or full name (either order) and
    a document number; no table is decrypted.
    """
    # Control characters (NUL among them, which PostgreSQL refuses in text) match nothing.
    query = " ".join("".join(ch for ch in query if ch.isprintable()).split())
    if not query:
        return cases
    matches = Q(reference__iexact=query)
    birth_date = parse_date(query)
    if birth_date is not None:
        digest = blind_index(birth_date, purpose="birth_date")
        matches |= Q(Exists(Client.objects.filter(case=OuterRef("pk"), birth_date_bidx=digest)))
    else:
        names = {blind_index(query, purpose="name")}
        words = query.split(" ")
        if len(words) >= 2:
            # "Karimi Ahmad" finds Ahmad Karimi: try the last word first as well.
            names.add(blind_index(" ".join(words[1:] + words[:1]), purpose="name"))
            names.add(blind_index(" ".join(words[-1:] + words[:-1]), purpose="name"))
        by_name = (
            Q(first_name_bidx__in=names) | Q(last_name_bidx__in=names) | Q(full_name_bidx__in=names)
        )
        matches |= Q(Exists(Client.objects.filter(by_name, case=OuterRef("pk"))))
        if re.search(r"\d", query):
            document = blind_index(query, purpose="document", normaliser=normalise_identifier)
            matches |= Q(
                Exists(
                    ResidenceStatus.objects.filter(
                        client__case=OuterRef("pk"), document_number_bidx=document
                    )
                )
            ) | Q(
                Exists(
                    ClientReference.objects.filter(
                        client__case=OuterRef("pk"), number_bidx=document
                    )
                )
            )
    return cases.filter(matches)


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


def possible_duplicates(
    *, user, first_name: str, last_name: str, birth_date: datetime.date | None
) -> dict:
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


def case_get_for_disclosure(*, user, code) -> Case:
    """A case for the Art. 15 disclosure: the data protection officer reaches every case,
    a supervisor the cases of their teams; anyone else 404."""
    from caseworks.dpo import is_data_protection_officer

    case = Case.objects.select_related("team__organisation").filter(code=code).first()
    if case is None:
        raise Http404("No such case")
    if not (is_data_protection_officer(user) or case_is_supervised_by(case=case, user=user)):
        raise Http404("No disclosure right")
    return case
