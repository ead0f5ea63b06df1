"""The operations issue 8 names, on the city data set. See conftest.py; run `make bench`. The
pages themselves are timed against the floor page in test_pages.py (issue 37)."""

import datetime
from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client as HttpClient
from django.utils import timezone

from cases.models import Case, Client
from cases.privacy import exports
from caseworks import fields
from caseworks.access.roles import Role
from caseworks.crypto import keys
from caseworks.crypto.search import fold, matches, query_tokens
from caseworks.fields import blind_index, decrypt_str
from caseworks.models import Team
from caseworks.web.pdf import merge_pdfs
from referrals.letters import covering_consent, render_letter
from referrals.models import Referral
from tests.bench.conftest import (
    RESULTS,
    Row,
    big_case,
    busiest_caseworker,
    count_queries,
    measure,
    measure_pair,
    signed_in_get,
)
from tests.bench.long_accompaniment import add_visits

pytestmark = pytest.mark.django_db
User = get_user_model()
FREQUENT_CASE = "BENCH-2000V"
FREQUENT_VISITS = 2000


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """Who and what the operations use; extra rows are added once and kept."""
    with django_db_blocker.unblock():
        supervisor = User.objects.get(username="supervisor")
        team = Team.objects.filter(supervisors=supervisor).first()
        busiest = busiest_caseworker(team)
        big = big_case(busiest, team)
        _plain_table()
        letters = _ready_referrals(busiest, team)
        mains = Client.objects.filter(
            case__team=team, case__closed_on__isnull=True, relationship="main_contact"
        ).order_by("pk")
        person = mains[mains.count() // 2]
        frequent = Client.objects.filter(
            case__reference=FREQUENT_CASE
        ).first() or _person_with_visits(Team.objects.exclude(pk=team.pk).order_by("pk").first())
        return {
            "team": team,
            "supervisor": supervisor,
            "caseworker": busiest,
            "big": big,
            "letters": letters,
            "person": person,
            "frequent": frequent,
        }


def _person_with_visits(team):
    """A person with 2,000 visits (and their history rows, as the city's), in a team the
    other operations do not look at: the Art. 15 disclosure of a long accompaniment."""
    from cases import services

    caseworker = team.members.filter(groups__name=Role.CASEWORKER).order_by("pk").first()
    opened = timezone.localdate() - datetime.timedelta(days=3 * FREQUENT_VISITS)
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
    Case.objects.filter(pk=case.pk).update(reference=FREQUENT_CASE)
    person = case.clients.get()
    add_visits(case, person, caseworker, count=FREQUENT_VISITS, opened=opened, every=1)
    return person


def _plain_table():
    """The physical floor: the same names in plaintext, normalised, with an index."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "bench_plain_client" in tables:
            return
        cursor.execute(
            "CREATE TABLE bench_plain_client (id integer PRIMARY KEY, "
            "case_id integer NOT NULL, full_name varchar(300) NOT NULL)"
        )
        rows = [
            (c.pk, c.case_id, fold(f"{c.first_name} {c.last_name}"))
            for c in Client.objects.only("case_id", "first_name", "last_name").iterator(
                chunk_size=2000
            )
        ]
        cursor.executemany("INSERT INTO bench_plain_client VALUES (%s, %s, %s)", rows)
        cursor.execute("CREATE INDEX bench_plain_client_name ON bench_plain_client (full_name)")
        # Every name part on its own, for the prefix floor (a range scan on an index).
        cursor.execute(
            "CREATE TABLE bench_plain_part (client_id integer NOT NULL, "
            "case_id integer NOT NULL, part varchar(150) NOT NULL)"
        )
        parts = [(pk, case_id, part) for pk, case_id, name in rows for part in name.split()]
        cursor.executemany("INSERT INTO bench_plain_part VALUES (%s, %s, %s)", parts)
        cursor.execute("CREATE INDEX bench_plain_part_part ON bench_plain_part (part, case_id)")


def _ready_referrals(caseworker, team):
    ready = list(
        Referral.objects.filter(
            case__team=team, status="ready", case__closed_on__isnull=True
        ).select_related("client", "service", "case")[:50]
    )
    pairs = [(r, covering_consent(r)) for r in ready]
    pairs = [(r, c) for r, c in pairs if c is not None]
    assert len(pairs) >= 10, "the data set has too few printable referrals"
    return pairs


def record_page(name, get, goal_ms=None, rounds=20):
    median, samples = measure(get, rounds=rounds)
    row = Row(name, median, queries=count_queries(get), samples=samples)
    if goal_ms:
        row.goal, row.met = f"< {goal_ms} ms", median * 1000 < goal_ms
    RESULTS.append(row)
    return row


def test_name_search_page(city):
    """The search page with part and prefix search, against the same page searching full
    names only through the full-name blind index (the search as it was before issue 15),
    timed alternately in this run: goal within 10 %."""
    import cases.selectors as selectors

    person = city["person"]
    url = f"/cases/?q={person.first_name} {person.last_name}"
    get = signed_in_get(HttpClient(), city["supervisor"], url)
    assert person.case.reference in get().content.decode()
    row = record_page("name search, caseload page (supervisor)", get, goal_ms=100)

    def exact_only(cases, query, **_options):  # sounds_like (issue 36): ignored here
        digest = blind_index(query, purpose="name", normaliser=fold)
        return dict.fromkeys(
            Client.objects.filter(case__in=cases.values("pk"), full_name_bidx=digest).values_list(
                "case_id", flat=True
            ),
            selectors.EXACT,
        )

    def before():
        with mock.patch.object(selectors, "_name_ranks", exact_only):
            return get()

    assert person.case.reference in before().content.decode()
    t_now, t_before = measure_pair(get, before, rounds=20)
    RESULTS.append(Row("name search page, full names only (before issue 15)", t_before))
    RESULTS.append(
        Row(
            "name search page, parts and prefixes",
            t_now,
            baseline="full names only",
            ratio=t_now / t_before,
            goal="≤ 1.1×",
            met=t_now / t_before <= 1.1,
        )
    )
    del row


def test_birth_date_search_page(city):
    person = city["person"]
    url = f"/cases/?q={person.birth_date:%d.%m.%Y}"
    get = signed_in_get(HttpClient(), city["supervisor"], url)
    assert person.case.reference in get().content.decode()
    record_page("birth-date search, caseload page", get, goal_ms=100)


def test_one_letter(city):
    referral, consent = city["letters"][0]
    median, samples = measure(lambda: render_letter(referral, consent), rounds=10)
    assert render_letter(referral, consent).startswith(b"%PDF")
    RESULTS.append(
        Row("one referral letter PDF", median, goal="< 500 ms", met=median < 0.5, samples=samples)
    )


def test_disclosure_of_a_person_with_2000_visits(city):
    """Art. 15 export as the data protection officer: the JSON in the request, the PDF as the
    background worker builds it (cases.privacy.exports: it took 39 s in the request under
    load, past gunicorn's 30 s), each under 10 s (the requester waits for the PDF's page)."""
    person = city["frequent"]
    assert person.visits.count() == FREQUENT_VISITS
    # The DPO of the person's carrier: each carrier has its own (issue 31), and the person's
    # team is not the supervisor's, nor AWO's in the demo city ("datenschutz" got 404).
    dpo = person.case.team.organisation.data_protection_officers.order_by("pk").first()
    url = f"/cases/{person.case.code}/clients/{person.code}/disclosure.json"
    get = signed_in_get(HttpClient(), dpo, url)

    def build():
        pdf = exports.disclosure_pdf_bytes(person)
        assert pdf.startswith(b"%PDF")
        return pdf

    for fmt, run in (("JSON", get), ("PDF (worker)", build)):
        median, samples = measure(run, rounds=3, warmup=1)
        RESULTS.append(
            Row(
                f"disclosure, person with 2,000 visits, {fmt}",
                median,
                queries=count_queries(run),
                goal="< 10 s",
                met=median < 10,
                unit="s",
                samples=samples,
            )
        )


def test_batch_of_50_letters(city):
    pairs = city["letters"][:50]

    def batch():
        return merge_pdfs([render_letter(r, c) for r, c in pairs])

    median, samples = measure(batch, rounds=3, warmup=1)
    RESULTS.append(Row(f"batch of {len(pairs)} letters, merged", median, samples=samples))


def test_key_rotation_throughput(city, settings):
    settings.CASEWORKS_FIELD_KEYS = [Fernet.generate_key().decode(), *settings.CASEWORKS_FIELD_KEYS]
    result = keys.rotate(only={"cases.Client", "cases.HistoricalClient"}, batch_size=1000)
    assert result.values_rotated > 0
    RESULTS.append(
        Row("key rotation (persons + their history)", result.rows_per_second, unit="rows/s")
    )


# --- baselines --------------------------------------------------------------------------------


def test_name_search_against_its_baselines(city):
    person = city["person"]
    query = f"{person.first_name} {person.last_name}"
    target = fold(query)

    # Both through the same raw cursor, so the comparison is the index itself (and the
    # HMAC of the query); the ORM's constant overhead is the same for both in the app.
    def blind():
        digest = blind_index(query, purpose="name", normaliser=fold)
        with connection.cursor() as cursor:
            cursor.execute("SELECT case_id FROM cases_client WHERE full_name_bidx = %s", [digest])
            return [row[0] for row in cursor.fetchall()]

    def plaintext():
        with connection.cursor() as cursor:
            cursor.execute("SELECT case_id FROM bench_plain_client WHERE full_name = %s", [target])
            return [row[0] for row in cursor.fetchall()]

    def decrypt_all():
        return [
            c.case_id
            for c in Client.objects.only("case_id", "first_name", "last_name").iterator(
                chunk_size=2000
            )
            if fold(f"{c.first_name} {c.last_name}") == target
        ]

    assert sorted(blind()) == sorted(plaintext()) == sorted(decrypt_all())
    assert person.case_id in blind()
    t_blind, t_plain = measure_pair(blind, plaintext, rounds=300, warmup=20)
    t_all, _s = measure(decrypt_all, rounds=3, warmup=1)
    RESULTS.append(Row("name search: plaintext index (floor)", t_plain))
    RESULTS.append(
        Row(
            "name search: blind index",
            t_blind,
            baseline="plaintext index",
            ratio=t_blind / t_plain,
            goal="≤ 1.5× plaintext",
            met=t_blind / t_plain <= 1.5,
        )
    )
    RESULTS.append(
        Row(
            "name search: decrypt every name, filter",
            t_all,
            baseline="blind index",
            ratio=t_all / t_blind,
            goal="≥ 100× slower than blind",
            met=t_all / t_blind >= 100,
        )
    )


def test_list_page_encrypted_against_plaintext(city):
    """The same caseload page, once decrypting and once reading the values as they would be
    stored in plaintext columns (a lookup of the already known plaintext instead of the
    decryption): the difference is what encryption costs the page."""
    http = HttpClient()
    get = signed_in_get(http, city["caseworker"], "/cases/")
    known = {}
    real = fields.decrypt_str

    def remember(token, *, label="value"):
        known[token] = value = real(token, label=label)
        return value

    with mock.patch.object(fields, "decrypt_str", remember):
        get()

    def plaintext_read(token, *, label="value"):
        return known[token]

    def get_plain():
        with mock.patch.object(fields, "decrypt_str", plaintext_read):
            return get()

    t_encrypted, t_plain = measure_pair(get, get_plain, rounds=40)
    RESULTS.append(Row("caseload page reading plaintext columns", t_plain))
    RESULTS.append(
        Row(
            "caseload page with encrypted columns",
            t_encrypted,
            baseline="plaintext",
            ratio=t_encrypted / t_plain,
            goal="≤ 1.3× plaintext",
            met=t_encrypted / t_plain <= 1.3,
        )
    )


def test_queries_do_not_grow_with_the_data(city):
    """Informational: a small caseworker and the busiest need the same number of queries."""
    counts = {}
    for label, user in (
        ("busiest", city["caseworker"]),
        ("smallest", busiest_caseworker(city["team"], pick=min)),
    ):
        get = signed_in_get(HttpClient(), user, "/cases/")
        counts[label] = count_queries(get)
    assert counts["busiest"] == counts["smallest"]


def _scope_sql(user):
    """The user's visible open cases as SQL (ids), the same for every variant below."""
    from cases.selectors import case_list_for_user

    ids = list(case_list_for_user(user=user).values_list("pk", flat=True))
    return ids


def _common_prefixes(case_ids, n=20):
    """The three-letter starts of the n most frequent name parts among these cases."""
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT part FROM bench_plain_part WHERE case_id IN ({','.join(map(str, case_ids))})"  # noqa: S608
        )
        for (part,) in cursor.fetchall():
            if len(part) >= 3:
                counts[part] = counts.get(part, 0) + 1
    common = sorted(counts, key=counts.get, reverse=True)[:n]
    return sorted({part[:3] for part in common}), common


def test_part_and_prefix_search_against_its_baselines(city):
    """Issue 15: a part or a prefix of a name through the short tokens (caseworks.crypto.search),
    against an indexed plaintext prefix search on the same folded names (the floor), and
    against decrypting every visible name; and how many candidates a query decrypts."""
    _prefix_search_rows(city["caseworker"], "caseworker")
    _prefix_search_rows(city["supervisor"], "supervisor")


def _prefix_search_rows(who, label):
    from statistics import median, quantiles

    from cases.selectors import case_list_for_user, case_search

    scope = _scope_sql(who)
    prefixes, common = _common_prefixes(scope)
    in_scope = ",".join(str(i) for i in scope)

    def tokens(q):
        """The search rows themselves, through the same cursor as the floor: the candidates
        of the scope, checked by their keyed verifiers (what case_search does for names)."""
        words = fold(q).split()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT client_id, case_id, verifier, whole FROM cases_nametoken "  # noqa: S608
                f"WHERE token IN ({','.join(map(str, query_tokens(words)))}) "
                f"AND case_id IN ({in_scope})"
            )
            rows = cursor.fetchall()
        tokens.candidates = len({client_id for client_id, _c, _v, _w in rows})
        case_of = {client_id: case_id for client_id, case_id, _v, _w in rows}
        found = matches(words, [(client_id, v, w) for client_id, _c, v, w in rows])
        return sorted({case_of[client_id] for client_id in found})

    def selector(q):
        return sorted(case_search(case_list_for_user(user=who), q).values_list("pk", flat=True))

    def plaintext(q):
        word = fold(q)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT case_id FROM bench_plain_part WHERE part >= %s AND "  # noqa: S608
                f"part < %s AND case_id IN ({in_scope}) ORDER BY case_id",
                [word, word + "\uffff"],
            )
            return [row[0] for row in cursor.fetchall()]

    def plaintext_shown(q):
        """The floor for a result list: the plaintext index finds the matches, and their
        names are decrypted, as any page showing them must."""
        word = fold(q)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT c.case_id, c.first_name, c.last_name FROM bench_plain_part p "  # noqa: S608
                "JOIN cases_client c ON c.id = p.client_id WHERE p.part >= %s AND "
                f"p.part < %s AND p.case_id IN ({in_scope})",
                [word, word + "\uffff"],
            )
            rows = cursor.fetchall()
        return sorted(
            {case_id for case_id, first, last in rows if decrypt_str(first) and decrypt_str(last)}
        )

    def decrypt_all(q):
        word = fold(q)
        return sorted(
            {
                c.case_id
                for c in Client.objects.filter(case_id__in=scope).only(
                    "case_id", "first_name", "last_name"
                )
                if any(p.startswith(word) for p in fold(f"{c.first_name} {c.last_name}").split())
            }
        )

    # Candidates a query checks (persons with a row of each word's token in scope), and
    # names the search decrypts (none: the verifiers decide).
    candidates = []
    decrypted = []
    real_decrypt = fields.decrypt_str

    def counting(value, *args, **kwargs):
        counting.n += 1
        return real_decrypt(value, *args, **kwargs)

    for q in prefixes:
        found = tokens(q)
        candidates.append(tokens.candidates)
        counting.n = 0
        with mock.patch.object(fields, "decrypt_str", counting):
            assert selector(q) == found
        decrypted.append(counting.n)
        assert found == plaintext(q) == plaintext_shown(q) == decrypt_all(q), q
    q3 = prefixes[0]
    t_token, t_plain = measure_pair(lambda: tokens(q3), lambda: plaintext(q3), rounds=40)
    t_all, _s = measure(lambda: decrypt_all(q3), rounds=3, warmup=1)
    t_selector, _s = measure(lambda: selector(q3), rounds=20)
    t_token2, t_shown = measure_pair(lambda: tokens(q3), lambda: plaintext_shown(q3), rounds=40)
    RESULTS.append(Row(f"prefix search '{q3}…': plaintext index ({label})", t_plain))
    RESULTS.append(
        Row(
            f"prefix search '{q3}…': tokens ({label})",
            t_token,
            baseline="plaintext prefix",
            ratio=t_token / t_plain,
            goal="≤ 2× plaintext",
            met=t_token / t_plain <= 2,
        )
    )
    RESULTS.append(
        Row(f"prefix search '{q3}…': plaintext index + matches decrypted ({label})", t_shown)
    )
    RESULTS.append(
        Row(
            f"prefix search '{q3}…': tokens ({label}), against the floor with names",
            t_token2,
            baseline="plaintext + names",
            ratio=t_token2 / t_shown,
        )
    )
    RESULTS.append(
        Row(f"prefix search '{q3}…': the selector, scope included ({label})", t_selector)
    )
    RESULTS.append(
        Row(
            f"prefix search '{q3}…': decrypt every name ({label})",
            t_all,
            baseline="tokens",
            ratio=t_all / t_token,
        )
    )
    p95 = quantiles(candidates, n=20)[-1] if len(candidates) > 1 else candidates[0]
    RESULTS.append(
        Row(
            f"candidates checked a 3-letter prefix ({label}), median (p95 {p95:.0f})",
            median(candidates),
            unit="count",
        )
    )
    RESULTS.append(
        Row(
            f"names decrypted by a 3-letter prefix search ({label}), max",
            max(decrypted),
            unit="count",
            goal="≤ 50",
            met=max(decrypted) <= 50,
        )
    )
    part = common[0]
    t_part, t_part_plain = measure_pair(lambda: tokens(part), lambda: plaintext(part), rounds=40)
    RESULTS.append(
        Row(
            f"part search '{part}': tokens ({label})",
            t_part,
            baseline="plaintext prefix",
            ratio=t_part / t_part_plain,
            goal="≤ 2× plaintext",
            met=t_part / t_part_plain <= 2,
        )
    )
