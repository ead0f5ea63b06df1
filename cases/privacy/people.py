"""The data protection officer's way to a person: found by name, birth date or case reference
among the cases of the carriers they serve, for the Art. 15 disclosure — never the case file.

The search is the caseload's (cases.selectors.case_search: keyed blind indexes and name search
rows, no name decrypted to search); of each case it finds, the persons it found are named
(a household's other members only when the case was found as a whole: its reference, a
sound-alike). A hit is a minimal row (PersonHit): reference, name, birth date, open or
closed, team. Every search is in the access log (per carrier: how many persons it named, not
what was typed) and so is every person named (`dpo.person_found`, the case reference as the
label), stamped with the person's carrier.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User

from cases.models import Case, CaseQuerySet, Client, ClientReference, NameToken, ResidenceStatus
from cases.selectors import _not_being_imported, case_search, parse_date
from caseworks.access.dpo import dpo_organisation_ids
from caseworks.audit.log import log_access, log_event
from caseworks.crypto.search import fold, matches, query_tokens
from caseworks.fields import blind_index, normalise_identifier

MAX_HITS = 30  # persons named by one search; more: the DPO narrows it down


@dataclass(frozen=True)
class PersonHit:
    """A person as the DPO's search shows them: nothing of the case file."""

    person: Client
    case: Case

    @property
    def name(self) -> str:
        return self.person.full_name

    @property
    def birth_date(self) -> datetime.date | None:
        return self.person.birth_date

    @property
    def is_open(self) -> bool:
        return self.case.closed_on is None


@dataclass(frozen=True)
class PersonSearch:
    hits: list[PersonHit]
    more: bool  # more persons matched than MAX_HITS


def cases_for_dpo(*, user: User) -> CaseQuerySet:
    """Every case, closed ones too, of the carriers whose DPO `user` is (none for anyone
    else): to find a person in, never to open. A case an import is still writing is nobody's
    yet (cases.selectors)."""
    return Case.objects.filter(team__organisation__in=dpo_organisation_ids(user)).filter(
        _not_being_imported()
    )


def _persons_named(case_ids: list[int], query: str) -> set[int]:
    """Of these cases' persons, those the query names itself: the full name or every typed
    word (name search rows and their keyed verifiers), the birth date, a document or file
    number. Keyed indexes only, as the caseload search."""
    persons = Client.objects.filter(case__in=case_ids)
    words = fold(query).split()
    named: set[int] = set()
    if words:
        orders = {
            " ".join(words),
            " ".join(words[1:] + words[:1]),
            " ".join(words[-1:] + words[:-1]),
        }
        exact = [blind_index(name, purpose="name", normaliser=fold) for name in orders]
        named.update(persons.filter(full_name_bidx__in=exact).values_list("pk", flat=True))
        rows = NameToken.objects.filter(token__in=query_tokens(words), case__in=case_ids)
        named.update(matches(words, rows.values_list("client_id", "verifier", "whole")))
    birth_date = parse_date(query)
    if birth_date is not None:
        digest = blind_index(birth_date, purpose="birth_date")
        named.update(persons.filter(birth_date_bidx=digest).values_list("pk", flat=True))
    elif any(ch.isdigit() for ch in query):
        number = blind_index(query, purpose="document", normaliser=normalise_identifier)
        named.update(
            ResidenceStatus.objects.filter(
                client__case__in=case_ids, document_number_bidx=number
            ).values_list("client_id", flat=True)
        )
        named.update(
            ClientReference.objects.filter(
                client__case__in=case_ids, number_bidx=number
            ).values_list("client_id", flat=True)
        )
    return named


def person_search(*, user: User, query: str) -> PersonSearch:
    """The persons the query finds in the DPO's carriers' cases, best first; logged."""
    query = query.strip()
    if not query:
        return PersonSearch([], more=False)
    cases = cases_for_dpo(user=user)
    found = case_search(cases, query).order_by("search_rank", "-opened_on", "-pk")
    ranked = list(found.values_list("pk", flat=True)[: MAX_HITS + 1])
    named = _persons_named(ranked, query)
    persons = (
        Client.objects.filter(case__in=ranked)
        .select_related("case__team__organisation")
        .defer("phone", "email", "case__accommodation_address")
        .order_by("pk")
    )
    by_case: dict[int, list[Client]] = {}
    for person in persons:
        by_case.setdefault(person.case_id, []).append(person)
    hits: list[PersonHit] = []
    for case_id in ranked:
        household = by_case.get(case_id, [])
        # The case was found as a whole (its reference, a sound-alike name): its persons.
        chosen = [p for p in household if p.pk in named] or household
        hits.extend(PersonHit(person, person.case) for person in chosen)
    more = len(hits) > MAX_HITS or len(ranked) > MAX_HITS
    hits = hits[:MAX_HITS]
    _log_search(user, hits)
    return PersonSearch(hits, more=more)


def _log_search(user: User, hits: Iterable[PersonHit]) -> None:
    """One entry per searched carrier (how many persons it named there; never the query,
    which is a name or a birth date), and one per person named."""
    hits = list(hits)
    for organisation_id in sorted(dpo_organisation_ids(user)):
        named = sum(1 for hit in hits if hit.case.team.organisation_id == organisation_id)
        log_event(
            user=user,
            action="dpo.person_search",
            object_type="search",
            detail={"persons": named},
            organisation=organisation_id,
        )
    for hit in hits:
        log_access(
            user=user,
            action="dpo.person_found",
            obj=hit.person,
            label=hit.case.reference,
            organisation=hit.case.team.organisation_id,
        )
