"""Importing an existing caseload from a spreadsheet (CSV or XLSX; docs/import.md).

One row is one person; rows with the same household key form one case. `plan()` reads the
file and says per row what would be created and every problem, writing nothing (the dry
run). `run()` plans again and, when no row has an error, saves the whole file in one
transaction through the case services' batch (cases.services.CaseImportBatch: the rows
case_import and friends write, in bulk), so history rows name the importing user,
permissions follow the assignment, and blind indexes and search rows are written as for
any intake. The duplicate check is the intake's (possible_duplicates), one query per chunk
of rows (duplicate_teams).

Each row has a stable key: a keyed hash (the blind-index key) of its source id column, or of
household key, names and birth date. A key already imported is skipped, so importing the
same file again creates nothing twice; a new person of a known household joins its case.
"""

import csv
import datetime
import io
import re
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from openpyxl import Workbook

from cases import services
from cases.intake.reading import MAX_ROWS, UnreadableFile, read_rows, too_many_rows
from cases.law.status_names import ACCEPTED, StatusReading, read_status
from cases.models import (
    Case,
    Client,
    FictionSubtype,
    Gender,
    ImportedRow,
    ReferenceKind,
    Relationship,
    StatusKind,
)
from cases.models.imports import ImportRun
from cases.services.imports import check_import_rights, import_publish, import_undo
from caseworks import languages
from caseworks.audit.log import log_event
from caseworks.fields import blind_index, normalise, phonetic
from caseworks.models import Team

# (field, label in the template, other accepted headers). Headers are compared folded
# (case, accents, spaces and punctuation ignored), German and English alike.
COLUMNS: list[tuple[str, str, tuple[str, ...]]] = [
    ("source_id", "Quell-ID", ("source id", "import id", "id")),
    ("household", "Haushalt", ("household", "household key", "haushaltsschlüssel", "haushalt nr")),
    ("main_contact", "Hauptkontakt", ("main contact", "hauptansprechperson")),
    ("relationship", "Beziehung", ("relationship", "verwandtschaft")),
    ("first_name", "Vorname", ("first name", "vornamen", "given name")),
    ("last_name", "Nachname", ("last name", "familienname", "surname", "name")),
    ("birth_date", "Geburtsdatum", ("birth date", "date of birth", "geboren")),
    ("gender", "Geschlecht", ("gender", "sex")),
    ("nationality", "Staatsangehörigkeit", ("nationality", "nationalität", "staatsang")),
    ("languages", "Sprachen", ("languages", "sprache")),
    ("interpreter", "Dolmetschbedarf", ("interpreter needed", "interpreter", "dolmetscher")),
    ("phone", "Telefon", ("phone", "telefonnummer")),
    ("status", "Aufenthaltsstatus", ("residence status", "status")),
    ("status_from", "Status gültig ab", ("status valid from", "gültig ab", "valid from")),
    ("status_until", "Status gültig bis", ("status valid until", "gültig bis", "valid until")),
    ("bamf", "BAMF-Az", ("bamf", "bamf file number", "bamf aktenzeichen")),
    ("azr", "AZR-Nummer", ("azr", "azr number")),
    ("caseworker", "Fallverantwortliche", ("caseworker", "mitarbeiterin", "bearbeitung")),
    ("team", "Team", ("team name",)),
    ("allocated_on", "Zuweisungsdatum", ("allocation date", "allocated on", "zuweisung")),
    ("opened_on", "Fallbeginn", ("opened on", "case opened", "beginn")),
    ("address", "Unterkunft", ("accommodation address", "address", "adresse")),
]
REQUIRED = ("household", "first_name", "last_name", "team")
# The team is the household's (its main contact's row names it): the other rows may leave it empty.
REQUIRED_IN_EVERY_ROW = ("household", "first_name", "last_name")

GENDERS = {
    "w": Gender.FEMALE,
    "weiblich": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "m": Gender.MALE,
    "männlich": Gender.MALE,
    "male": Gender.MALE,
    "d": Gender.DIVERSE,
    "divers": Gender.DIVERSE,
    "diverse": Gender.DIVERSE,
}
YES = {"ja", "j", "yes", "y", "x", "1", "true", "wahr"}
NO = {"nein", "n", "no", "0", "false", "falsch", ""}
RELATIONSHIPS = {
    "ehepartner": Relationship.SPOUSE,
    "partner": Relationship.SPOUSE,
    "ehefrau": Relationship.SPOUSE,
    "ehemann": Relationship.SPOUSE,
    "kind": Relationship.CHILD,
    "sohn": Relationship.CHILD,
    "tochter": Relationship.CHILD,
    "elternteil": Relationship.PARENT,
    "mutter": Relationship.PARENT,
    "vater": Relationship.PARENT,
    "geschwister": Relationship.SIBLING,
    "bruder": Relationship.SIBLING,
    "schwester": Relationship.SIBLING,
    "verwandt": Relationship.OTHER_RELATIVE,
    "sonstige": Relationship.OTHER,
}


def fold_header(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


HEADERS: dict[str, str] = {}
for _field, _label, _others in COLUMNS:
    for _name in (_field.replace("_", " "), _label, *_others):
        HEADERS.setdefault(fold_header(_name), _field)


# --- checking ------------------------------------------------------------------------------------


@dataclass
class Row:
    """One row as planned: what it will create, or why it cannot."""

    number: int  # as the spreadsheet program shows it (the header is row 1)
    household: str = ""  # the keyed hash of the household key (_set_keys)
    key: str = ""
    source_household: str = ""  # the household key as written
    identity: str = ""  # what the row's key is a hash of
    team_named: bool = False  # the row's own team cell is filled
    status_problem: bool = False  # its status is not understood, or could be several
    person: dict = field(default_factory=dict)
    status: dict | None = None
    references: list[tuple[str, str]] = field(default_factory=list)
    team: Team | None = None
    caseworker: object = None
    allocated_on: datetime.date | None = None
    opened_on: datetime.date | None = None
    address: str = ""
    main: bool = False
    # The keys as written before they named the carrier (house-wide): an earlier row or
    # household under such a key counts only when its case belongs to this row's carrier.
    legacy_key: str = ""
    legacy_household: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    duplicates: bool = False
    action: str = ""  # "case", "person", "known" (imported before) or "" (an error)

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, ACTIONS[""]))

    @property
    def status_label(self) -> str:
        """The residence status the row records, as the case file will name it."""
        if self.status is None:
            return ""
        label = str(StatusKind(self.status["kind"]).label)
        if self.status.get("fiction_subtype"):
            label += " – " + str(FictionSubtype(self.status["fiction_subtype"]).label)
        return label


ACTIONS = {
    "case": gettext_lazy("new case with this person"),
    "person": gettext_lazy("person added to the household"),
    "known": gettext_lazy("imported before: nothing to do"),
    "": gettext_lazy("not imported"),
}


@dataclass
class Plan:
    rows: list[Row]
    problems: list[str] = field(default_factory=list)  # about the whole file
    unknown_columns: list[str] = field(default_factory=list)
    # household key -> its rows, the one that opens the case first
    households: dict[str, list[Row]] = field(default_factory=dict)
    # household key -> the case an earlier import of the same carrier opened for it
    cases: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return len(self.problems) + sum(1 for r in self.rows if r.errors)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)

    @property
    def new_cases(self) -> int:
        return self.count("case")

    @property
    def new_persons(self) -> int:
        return self.count("case") + self.count("person")

    @property
    def known(self) -> int:
        return self.count("known")

    @property
    def duplicates(self) -> int:
        return sum(1 for r in self.rows if r.duplicates)

    @property
    def status_problems(self) -> int:
        return sum(1 for r in self.rows if r.status_problem)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def parse_date(value) -> datetime.date | None:
    """ISO (2024-03-01), German (01.03.2024, 1.3.24) or an XLSX date; "" is None. Raises
    ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _country(value: str) -> str | None:
    if not value:
        return ""
    code = countries.alpha2(value)
    if code:
        return code
    for language in ("de", "en"):
        code = countries.by_name(value, language=language)
        if code:
            return code
    return None


def _key(kind: str, text: str, carrier: int | None = None) -> str:
    """The keyed hash of a row's identity or household key. Each carrier is its own
    controller (docs/carriers.md): its keys name it, so the same household key or source id
    in another carrier's list is another household and another person. Without a carrier,
    the house-wide key written before (Row.legacy_key)."""
    purpose = f"import.{kind}" if carrier is None else f"import.{kind}.{carrier}"
    return blind_index(text, purpose=purpose)


class _Lookups:
    """Teams and caseworkers by name, each looked up once per file."""

    def __init__(self):
        self.teams = {fold_header(t.name): t for t in Team.objects.select_related("organisation")}
        self.users: dict[str, object] = {}
        self.caseworkers: dict[int, set[int]] = {}

    def user(self, username: str):
        if username not in self.users:
            self.users[username] = (
                get_user_model().objects.filter(username__iexact=username, is_active=True).first()
            )
        return self.users[username]

    def works_in(self, user, team) -> bool:
        if team.pk not in self.caseworkers:
            self.caseworkers[team.pk] = set(
                services.caseworkers_of(team).values_list("pk", flat=True)
            )
        return user.pk in self.caseworkers[team.pk]


def _check_row(number: int, cells: dict, lookups: _Lookups, today: datetime.date) -> Row:
    row = Row(number=number, source_household=cells.get("household", ""))
    err = row.errors.append
    for name in REQUIRED_IN_EVERY_ROW:
        if not cells.get(name):
            err(_("“%(column)s” is empty.") % {"column": _label_of(name)})
    dates = {}
    for name in ("birth_date", "status_from", "status_until", "allocated_on", "opened_on"):
        try:
            dates[name] = parse_date(cells.get(name))
        except ValueError:
            err(
                _("“%(column)s” is not a date (DD.MM.YYYY or YYYY-MM-DD).")
                % {"column": _label_of(name)}
            )
            dates[name] = None
    birth = dates["birth_date"]
    if birth and birth > today:
        err(_("The date of birth is in the future."))
    gender: str | None = Gender.NOT_STATED
    if cells.get("gender"):
        gender = GENDERS.get(cells["gender"].casefold())
        if gender is None:
            err(_("Unknown gender “%(value)s”.") % {"value": cells["gender"]})
    nationality = _country(cells.get("nationality", ""))
    if nationality is None:
        err(_("Unknown nationality “%(value)s”.") % {"value": cells["nationality"]})
    interpreter = cells.get("interpreter", "").casefold()
    if interpreter not in YES | NO:
        err(_("“%(column)s” must be yes or no.") % {"column": _label_of("interpreter")})
    main = cells.get("main_contact", "").casefold()
    if main not in YES | NO:
        err(_("“%(column)s” must be yes or no.") % {"column": _label_of("main_contact")})
    row.main = main in YES
    relationship: str | None = RELATIONSHIPS.get(cells.get("relationship", "").casefold())
    if relationship is None:
        relationship = next(
            (v for v, label in Relationship.choices if cells.get("relationship") in (v, label)),
            Relationship.OTHER,
        )
    # Languages as codes (caseworks.languages); what names no language of the catalogue is kept
    # as typed, for the administrator to assign (/manage/languages/).
    codes, unknown = languages.parse_all(cells.get("languages", ""))
    row.person = {
        "first_name": cells.get("first_name", "")[:150],
        "last_name": cells.get("last_name", "")[:150],
        "birth_date": birth,
        "gender": gender or Gender.NOT_STATED,
        "nationality": nationality or "",
        "languages": codes,
        "languages_other": ", ".join(unknown)[:255],
        "interpreter_needed": interpreter in YES,
        "phone": cells.get("phone", "")[:40],
        "relationship": relationship,
    }
    if cells.get("status"):
        reading = read_status(cells["status"])
        row.status_problem = not reading.understood
        if reading.ambiguous:
            err(status_question(reading))
        elif not reading.understood:
            err(
                _(
                    "Unknown residence status “%(value)s”: write one of the accepted residence "
                    "statuses (listed on the page), e.g. “Duldung” or “§ 25 Abs. 2 AufenthG”."
                )
                % {"value": cells["status"]}
            )
        elif dates["status_from"] is None:
            err(_("A residence status needs the day it is valid from."))
        elif dates["status_until"] and dates["status_until"] < dates["status_from"]:
            err(_("The status ends before it begins."))
        else:
            row.status = {
                "kind": reading.kind,
                "fiction_subtype": reading.subtype,
                "valid_from": dates["status_from"],
                "valid_until": dates["status_until"],
            }
            if reading.kind == StatusKind.FICTIONAL_CERTIFICATE and not reading.subtype:
                row.warnings.append(
                    _(
                        "The type of the fictional certificate is not stated (§ 81 Abs. 3 S. 1, "
                        "Abs. 3 S. 2 or Abs. 4): it is recorded without one; add it in the case "
                        "file, only Abs. 4 allows travel."
                    )
                )
    for name, kind in (("bamf", ReferenceKind.BAMF), ("azr", ReferenceKind.AZR)):
        if cells.get(name):
            row.references.append((kind, cells[name][:80]))
    row.team_named = bool(cells.get("team"))
    if cells.get("team"):
        row.team = lookups.teams.get(fold_header(cells["team"]))
        if row.team is None:
            err(_("Unknown team “%(value)s”.") % {"value": cells["team"]})
    if cells.get("caseworker"):
        row.caseworker = lookups.user(cells["caseworker"])
        if row.caseworker is None:
            err(_("Unknown caseworker “%(value)s”.") % {"value": cells["caseworker"]})
        elif row.team and not lookups.works_in(row.caseworker, row.team):
            err(
                _("%(user)s is not a caseworker in team %(team)s.")
                % {"user": cells["caseworker"], "team": row.team.name}
            )
    row.allocated_on = dates["allocated_on"]
    row.opened_on = dates["opened_on"]
    for name in ("allocated_on", "opened_on"):
        day = dates[name]
        if day and day > today:
            err(_("“%(column)s” is in the future.") % {"column": _label_of(name)})
    row.address = cells.get("address", "")
    row.identity = cells.get("source_id") or "\x1f".join(
        [cells.get("household", ""), row.person["first_name"], row.person["last_name"], str(birth)]
    )
    return row


def status_question(reading: StatusReading) -> str:
    """The question an ambiguous status asks: the kinds it could be, each with how to
    write it so that it is that kind alone."""
    options = "; ".join(
        _("%(label)s: write %(written)s")
        % {
            "label": StatusKind(kind).label,
            "written": _("“%(text)s”") % {"text": ACCEPTED[kind][0]},
        }
        for kind in reading.candidates
    )
    return _(
        "Which residence status is “%(value)s”? It could be: %(options)s. Or write "
        "“ungeklärt” if it is not known."
    ) % {"value": reading.text, "options": options}


def _head(rows: list[Row]) -> Row:
    """The household's main contact: the row marked so, or its first row."""
    return next((r for r in rows if r.main), rows[0])


def _household_teams(rows: list[Row]) -> None:
    """Each household's team is its main contact's (docs/import.md): a row that leaves the
    team empty gets it; one that names another team is an error. Without a team on the
    main contact's row, the one team its other rows name."""
    households: dict[str, list[Row]] = {}
    for row in rows:
        households.setdefault(normalise(row.source_household), []).append(row)
    for household in households.values():
        head = _head(household)
        team = head.team
        if not head.team_named:
            named = {r.team for r in household if r.team is not None}
            team = named.pop() if len(named) == 1 else None
            if team is None and not any(r.team_named for r in household):
                head.errors.append(
                    _(
                        "“%(column)s” is empty: the household's team is named in its main "
                        "contact's row."
                    )
                    % {"column": _label_of("team")}
                )
        for r in household:
            if not r.team_named:
                r.team = team
            elif team is not None and r.team is not None and r.team != team:
                r.errors.append(
                    _("Another team than the household's main contact (row %(row)s).")
                    % {"row": head.number}
                )


def _set_keys(row: Row) -> None:
    carrier = _carrier(row)
    if row.source_household:
        row.legacy_household = _key("household", row.source_household)
        row.household = _key("household", row.source_household, carrier)
    row.legacy_key = _key("row", row.identity)
    row.key = _key("row", row.identity, carrier)


def _label_of(name: str) -> str:
    return next(label for f, label, _o in COLUMNS if f == name)


def plan(data: bytes, *, filename: str, user, check_duplicates: bool = True) -> Plan:
    """The dry run: every row checked, nothing written. The file is read a row at a time
    (cases.intake.reading) and only the known columns are kept."""
    rows = read_rows(data, filename)
    first = next(rows, None)
    if first is None:
        raise UnreadableFile(_("The file is empty."))
    titles = first[1]
    header = [HEADERS.get(fold_header(_text(c))) for c in titles]
    result = Plan(rows=[])
    result.unknown_columns = [
        _text(c) for c, name in zip(titles, header, strict=False) if name is None and _text(c)
    ]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        result.problems.append(
            _("Columns missing: %(columns)s.") % {"columns": ", ".join(map(_label_of, missing))}
        )
        return result
    lookups = _Lookups()
    today = timezone.localdate()
    seen_keys: dict[str, int] = {}
    for count, (number, values) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise too_many_rows()
        cells = {
            name: _text(value)
            for name, value in zip(header, values, strict=False)
            if name is not None
        }
        raw_dates = {
            name: value
            for name, value in zip(header, values, strict=False)
            if name in ("birth_date", "status_from", "status_until", "allocated_on", "opened_on")
            and isinstance(value, datetime.date)
        }
        if not any(cells.values()):
            continue  # nothing in the known columns
        result.rows.append(_check_row(number, {**cells, **raw_dates}, lookups, today))
    _household_teams(result.rows)
    for row in result.rows:
        _set_keys(row)
        if row.key in seen_keys:
            row.errors.append(_("The same person as in row %(row)s.") % {"row": seen_keys[row.key]})
        seen_keys.setdefault(row.key, row.number)
    _plan_households(result, user=user, check_duplicates=check_duplicates)
    return result


def _carrier(row: Row) -> int:
    return row.team.organisation_id if row.team else 0


def _earlier_imports(
    rows: list[Row],
) -> tuple[set[tuple[str, int]], dict[tuple[str, int], Mapping[str, Any]]]:
    """The rows and households earlier imports wrote, each with the carrier of its case:
    (key, carrier) and (household, carrier) -> its case's id and team. Only the importing
    row's own carrier counts (docs/carriers.md): another carrier's household of the same
    key is none of this import's business, and the plan says nothing about it."""
    keys = {r.key for r in rows} | {r.legacy_key for r in rows if r.legacy_key}
    known = {
        (found["key"], found["case__team__organisation_id"])
        for found in ImportedRow.objects.filter(key__in=keys).values(
            "key", "case__team__organisation_id"
        )
    }
    households = {r.household for r in rows} | {
        r.legacy_household for r in rows if r.legacy_household
    }
    cases: dict[tuple[str, int], Mapping[str, Any]] = {}
    for found in ImportedRow.objects.filter(household__in=households).values(
        "household", "case_id", "case__team_id", "case__team__organisation_id"
    ):
        cases.setdefault((found["household"], found["case__team__organisation_id"]), found)
    return known, cases


def _plan_households(result: Plan, *, user, check_duplicates: bool) -> None:
    known_rows, known_cases = _earlier_imports(result.rows)
    households: OrderedDict[str, list[Row]] = OrderedDict()
    to_check: list[Row] = []
    for row in result.rows:
        households.setdefault(row.household, []).append(row)
    for key, rows in households.items():
        head = _head(rows)
        for r in rows:
            if r.main and r is not head:
                r.errors.append(
                    _("A household has one main contact (see row %(row)s).") % {"row": head.number}
                )
        carrier = _carrier(head)
        earlier = known_cases.get((key, carrier)) or known_cases.get(
            (head.legacy_household, carrier)
        )
        has_case = earlier is not None
        if earlier is not None:
            result.cases[key] = earlier["case_id"]
            if head.team and earlier["case__team_id"] != head.team.pk:
                for r in rows:
                    r.errors.append(
                        _(
                            "This household was imported before into another team: import "
                            "its persons for that team."
                        )
                    )
        for r in rows:
            if r.errors:
                continue
            if (r.key, carrier) in known_rows or (r.legacy_key, carrier) in known_rows:
                r.action = "known"
                continue
            r.action = "case" if (r is head and not has_case) else "person"
            if r.action == "case":
                has_case = True
            if check_duplicates:
                to_check.append(r)
        # The head row is created first, whatever its place in the file.
        rows.sort(key=lambda r: (r is not head, r.number))
    for r, teams in zip(to_check, duplicate_teams(to_check), strict=True):
        if teams is not None:
            r.duplicates = True
            r.warnings.append(
                _("Possibly already known (team %(teams)s): check before confirming.")
                % {"teams": ", ".join(teams)}
            )
    result.rows = [r for rows in households.values() for r in rows]
    result.rows.sort(key=lambda r: r.number)
    result.households = dict(households)
    if check_duplicates and result.rows:
        # The dry run answers whether persons are known in the house, like the intake's
        # check (an oracle): each answer is in the access log, counts only.
        log_event(
            user=user,
            action="import.duplicate_check",
            object_type="import",
            label=str(result.duplicates),
            detail={"rows": len(result.rows), "possible_duplicates": result.duplicates},
        )


DUPLICATE_CHUNK = 500


@dataclass(frozen=True)
class _Sought:
    """The keys cases.selectors.possible_duplicates derives from one person's names."""

    name: str
    last: str
    last_sound: str
    first_sound: str
    born: str | None

    @classmethod
    def of(cls, person: dict) -> "_Sought":
        # Derived exactly as possible_duplicates does (same purposes and normalisers).
        first, last = person["first_name"], person["last_name"]
        birth = person["birth_date"]
        return cls(
            name=blind_index(f"{first} {last}", purpose="name"),
            last=blind_index(last, purpose="name"),
            last_sound=blind_index(last, purpose="phonetic", normaliser=phonetic),
            first_sound=blind_index(first, purpose="phonetic", normaliser=phonetic),
            born=None if birth is None else blind_index(birth, purpose="birth_date"),
        )

    def conditions(self) -> list[tuple]:
        """possible_duplicates' conditions, each as a key of the stored indexes (_stored)."""
        found = [("name", self.name), ("sounds", self.last_sound, self.first_sound)]
        if self.born is not None:
            found += [
                ("last born", self.last, self.born),
                ("sound born", self.last_sound, self.born),
            ]
        return found


def _stored(c: Mapping[str, Any]) -> list[tuple]:
    """The keys under which a stored person matches (_Sought.conditions)."""
    found = [
        ("name", c["full_name_bidx"]),
        ("sounds", c["last_name_phon"], c["first_name_phon"]),
    ]
    if c["birth_date_bidx"]:
        found += [
            ("last born", c["last_name_bidx"], c["birth_date_bidx"]),
            ("sound born", c["last_name_phon"], c["birth_date_bidx"]),
        ]
    return found


def duplicate_teams(rows: list[Row]) -> list[list[str] | None]:
    """For each row, the sorted names of the teams whose cases hold a person who may be the
    same (cases.selectors.possible_duplicates' matches, visible or not), or None.

    The same answer as possible_duplicates row by row, but one query per chunk of rows:
    every match shares the full name or the last name's index or sound with the row, so
    those narrow the candidates and the exact condition is checked here on their keys."""
    answers: list[list[str] | None] = []
    for start in range(0, len(rows), DUPLICATE_CHUNK):
        sought = [_Sought.of(r.person) for r in rows[start : start + DUPLICATE_CHUNK]]
        candidates = list(
            Client.objects.filter(
                Q(full_name_bidx__in={s.name for s in sought})
                | Q(last_name_bidx__in={s.last for s in sought})
                | Q(last_name_phon__in={s.last_sound for s in sought})
            ).values(
                "case_id",
                "case__team__name",
                "full_name_bidx",
                "last_name_bidx",
                "last_name_phon",
                "first_name_phon",
                "birth_date_bidx",
            )
        )
        teams_by: dict[tuple, set[str]] = {}
        for c in candidates:
            for k in _stored(c):
                teams_by.setdefault(k, set()).add(c["case__team__name"])
        for s in sought:
            teams = set().union(*(teams_by.get(k, ()) for k in s.conditions()))
            answers.append(sorted(teams) if teams else None)
    return answers


# --- saving --------------------------------------------------------------------------------------

# Persons a batch writes in its own short transaction (whole households: one may be more):
# at most BATCH_ROWS, fewer when a batch took longer than BATCH_TARGET seconds (a busy
# machine: the batch's validation, encryption and history rows are done while it holds the
# write lock, so its size is what keeps that hold short), never fewer than MIN_BATCH_ROWS.
BATCH_ROWS = 50
MIN_BATCH_ROWS = 5
BATCH_TARGET = 0.25
# After each batch on an SQLite file the import waits at least this long, and at least half
# as long as the batch held the lock, before it takes the write lock again: other writers
# waiting for it poll every 100 ms at most (SQLite's busy handler), and without the pause the
# next batch would take the lock before any of them polled.
BATCH_PAUSE = 0.1
# A worker holds the run this long past its last batch; then the run counts as interrupted.
LEASE = datetime.timedelta(seconds=60)


class NotImported(Exception):
    def __init__(self, plan: Plan):
        self.plan = plan
        super().__init__(f"{plan.errors} row(s) with errors")


def unfinished_run() -> ImportRun | None:
    """The import that is being written or was interrupted (at most one)."""
    return ImportRun.objects.filter(state=ImportRun.State.RUNNING).first()


def is_interrupted(run: ImportRun) -> bool:
    return run.state == ImportRun.State.RUNNING and (
        run.lease_until is None or run.lease_until < timezone.now()
    )


def _refuse_second_run() -> ValidationError:
    return ValidationError(
        _("Another import is not finished yet: continue or undo it first (Setup → Import).")
    )


def start(data: bytes, *, filename: str, user) -> tuple[ImportRun, Plan]:
    """Check the file and begin its import run (nothing of the file written yet), or raise
    NotImported (a row has an error) or ValidationError (no right, another run unfinished).
    Possible duplicates were shown in the dry run: importing means the user confirmed them
    as different persons (as at the intake, the case records that decision)."""
    result = plan(data, filename=filename, user=user)
    if not result.ok:
        raise NotImported(result)
    check_import_rights(user, [r.team for r in result.rows if r.team is not None])
    if unfinished_run() is not None:
        raise _refuse_second_run()
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                started_by=user, filename=filename[:100], data=data, persons=result.new_persons
            )
    except IntegrityError as e:  # started by someone else meanwhile (import_one_running)
        raise _refuse_second_run() from e
    return run, result


def run(data: bytes, *, filename: str, user, batch_rows: int | None = None) -> Plan:
    """Import the file whole (start, then every batch, then the commit of the run), or
    nothing of it (NotImported) when any row has an error."""
    import_run, result = start(data, filename=filename, user=user)
    advance(import_run, user=user, planned=result, batch_rows=batch_rows)
    return result


def _claim(import_run: ImportRun) -> None:
    """Hold the run for this worker (a short transaction), or say why not."""
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            ImportRun.objects.filter(pk=import_run.pk, state=ImportRun.State.RUNNING)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .update(lease_until=now + LEASE)
        )
    if not claimed:
        import_run.refresh_from_db()
        if import_run.state != ImportRun.State.RUNNING:
            raise ValidationError(_("This import is finished already."))
        raise ValidationError(_("This import is being written right now: wait a minute."))


def _release(import_run: ImportRun) -> None:
    with transaction.atomic():
        ImportRun.objects.filter(pk=import_run.pk).update(lease_until=None)


def next_batch_size(size: int, took: float, *, largest: int) -> int:
    """The next batch's size in persons after one of `size` took `took` seconds: about
    what takes BATCH_TARGET at that pace, growing at most twice over per batch, within
    MIN_BATCH_ROWS..largest."""
    if took <= 0:
        return largest
    wanted = int(size * BATCH_TARGET / took)
    return max(min(MIN_BATCH_ROWS, largest), min(largest, 2 * size, wanted))


@dataclass
class _Pace:
    """The size of the next batch and how long the last one took (seconds)."""

    size: int
    took: float = 0.0

    def next_size(self) -> int:
        return self.size


def _batches(
    households: dict[str, list[Row]], size: Callable[[], int]
) -> Iterator[list[tuple[str, list[Row]]]]:
    """The households with something to write, in batches of about `size()` persons, asked
    before each batch (a household is never split: its later persons join the case its head
    opens)."""
    chunk: list[tuple[str, list[Row]]] = []
    persons = 0
    for key, rows in households.items():
        todo = sum(1 for r in rows if r.action in ("case", "person"))
        if not todo:
            continue
        chunk.append((key, rows))
        persons += todo
        if persons >= size():
            yield chunk
            chunk, persons = [], 0
    if chunk:
        yield chunk


def advance(
    import_run: ImportRun,
    *,
    user,
    planned: Plan | None = None,
    batch_rows: int | None = None,
    budget: float | None = None,
) -> bool:
    """Write the run's next batches, each in its own short transaction, and commit the run
    after the last; True when the run is complete. `budget` (seconds) stops after the batch
    that crosses it (a web request must end before the worker's timeout); the run is then
    continued by the next call. Resuming an interrupted run plans its file again: the rows
    written before are "imported before" (ImportedRow), so each source row lands once."""
    _claim(import_run)
    started = time.monotonic()
    try:
        if planned is None:
            planned = plan(import_run.data or b"", filename=import_run.filename, user=user)
            if not planned.ok:
                raise NotImported(planned)
        largest = batch_rows or BATCH_ROWS
        pace = _Pace(size=largest)
        for number, chunk in enumerate(_batches(planned.households, pace.next_size)):
            if number:
                _let_others_write(pace.took)
            pace.took = _write_batch(import_run, chunk, planned.cases, user)
            pace.size = next_batch_size(pace.size, pace.took, largest=largest)
            if budget is not None and time.monotonic() - started > budget:
                return False
        _commit_run(import_run, user)
        return True
    finally:
        _release(import_run)


def _let_others_write(held: float) -> None:
    """The pause after a batch that held SQLite's write lock for `held` seconds."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and name != ":memory:" and "mode=memory" not in name:
        time.sleep(max(BATCH_PAUSE, held / 2))


def _write_batch(
    import_run: ImportRun, chunk: list[tuple[str, list[Row]]], cases: dict[str, int], user
) -> float:
    """One batch of households in one transaction, with the run's progress; returns how
    long it took (seconds). The persons are written with the intake's services in bulk
    (CaseImportBatch), without permissions: until the run is committed no caseworker sees
    its cases."""
    began = time.monotonic()
    with transaction.atomic():
        batch = services.CaseImportBatch(user)
        known_cases = Case.objects.in_bulk(
            [cases[key] for key, rows in chunk if rows[0].action != "case" and key in cases]
        )
        imported: list[ImportedRow] = []
        for key, rows in chunk:
            case = known_cases.get(cases[key]) if key in cases else None
            imported += _save_household(batch, key, rows, user, case)
        batch.finish(grant=False)
        for row in imported:
            row.run = import_run
        ImportedRow.objects.bulk_create(imported, batch_size=1000)
        took = round((time.monotonic() - began) * 1000)
        ImportRun.objects.filter(pk=import_run.pk).update(
            persons_done=F("persons_done") + len(imported),
            batches=F("batches") + 1,
            longest_batch_ms=Greatest("longest_batch_ms", took),
            lease_until=timezone.now() + LEASE,
        )
    return time.monotonic() - began


def _commit_run(import_run: ImportRun, user) -> None:
    """The run's last step, one small transaction: the caseworkers get their new cases, the
    run is done, its file forgotten."""
    with transaction.atomic():
        import_run.refresh_from_db()
        opened = Case.objects.filter(
            pk__in=ImportedRow.objects.filter(run=import_run, opened_case=True).values("case")
        )
        cases = list(opened.only("pk", "assigned_to_id", "closed_on"))
        import_publish(cases)
        import_run.state = ImportRun.State.DONE
        import_run.finished_at = timezone.now()
        import_run.data = None
        import_run.save(update_fields=["state", "finished_at", "data"])
        log_event(
            user=user,
            action="import.cases",
            object_type="import",
            label=f"{len(cases)}/{import_run.persons_done}",
            detail={
                "cases": len(cases),
                "persons": import_run.persons_done,
                "batches": import_run.batches,
                "longest_batch_ms": import_run.longest_batch_ms,
            },
        )


def undo(import_run: ImportRun, *, user, batch_rows: int | None = None) -> None:
    """Delete what an unfinished run wrote, a batch at a time (each its own short
    transaction; an interrupted undo is simply undone again), then mark it undone."""
    _claim(import_run)
    size = batch_rows or BATCH_ROWS
    try:
        rows = ImportedRow.objects.filter(run=import_run)
        while True:
            with transaction.atomic():
                cases = list(
                    Case.objects.filter(pk__in=rows.filter(opened_case=True).values("case")[:size])
                )
                persons = (
                    []
                    if cases
                    else list(
                        Client.objects.filter(
                            pk__in=rows.filter(opened_case=False).values("client")[:size]
                        )
                    )
                )
                if not cases and not persons:
                    break
                import_undo(cases, persons)
                ImportRun.objects.filter(pk=import_run.pk).update(
                    lease_until=timezone.now() + LEASE
                )
        with transaction.atomic():
            import_run.state = ImportRun.State.UNDONE
            import_run.finished_at = timezone.now()
            import_run.data = None
            import_run.save(update_fields=["state", "finished_at", "data"])
            log_event(
                user=user,
                action="import.undone",
                object_type="import",
                label=import_run.filename,
                detail={"persons": import_run.persons_done},
            )
    finally:
        _release(import_run)


def _save_household(batch, key: str, rows: list[Row], user, case) -> list[ImportedRow]:
    """The household's new persons through the batch of case services (the head row opens
    the case); the ImportedRow of each, to be saved by the caller."""
    imported = []
    for row in rows:
        if row.action == "known":
            continue
        if row.action == "case":
            head = {k: v for k, v in row.person.items() if k != "relationship"}
            case, client = batch.case(
                team=row.team,
                client=head,
                status=row.status,
                assigned_to=row.caseworker,
                opened_on=row.opened_on,
                allocated_on=row.allocated_on,
                accommodation_address=row.address,
                references=row.references,
                duplicates_seen=row.duplicates,
            )
        else:
            if case is None:  # cannot happen: the plan puts the head first
                raise ValidationError("household without a case")
            person = dict(row.person)
            if person["relationship"] == Relationship.MAIN_CONTACT:
                person["relationship"] = Relationship.OTHER
            client = batch.person(
                case=case, data=person, status=row.status, references=row.references
            )
        imported.append(
            ImportedRow(
                key=row.key,
                household=key,
                case=case,
                client=client,
                imported_by=user,
                opened_case=row.action == "case",
            )
        )
    return imported


# --- the template ---------------------------------------------------------------------------

EXAMPLE = {
    "source_id": "A-0001",
    "household": "H-17",
    "main_contact": "ja",
    "relationship": "",
    "first_name": "Amina",
    "last_name": "Beispiel",
    "birth_date": "01.02.1990",
    "gender": "w",
    "nationality": "SY",
    "languages": "Arabisch",
    "interpreter": "ja",
    "phone": "",
    "status": "Aufenthaltsgestattung",
    "status_from": "01.03.2025",
    "status_until": "31.08.2025",
    "bamf": "1234567-475",
    "azr": "",
    "caseworker": "caseworker1",
    "team": "Team A",
    "allocated_on": "15.02.2025",
    "opened_on": "",
    "address": "",
}


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Import"
    sheet.append([label for _f, label, _o in COLUMNS])
    sheet.append([EXAMPLE[f] for f, _label, _o in COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([label for _f, label, _o in COLUMNS])
    writer.writerow([EXAMPLE[f] for f, _label, _o in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
