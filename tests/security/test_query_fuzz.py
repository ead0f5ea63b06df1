"""Property-based: every query-string parameter of every GET page, for the users who may
open it (one per role), fed random text — no answer is a 500. And the boundary values
outside testing found (the ends of the calendar, a malformed code).

The pages come from the URL resolver (tests/security/world.py walk_urls, and who may open
them from the EXPECTED table of test_authorization.py, which a new view must join): a new page
is fuzzed as soon as it is routed. A page's own parameters are the names of its GET forms,
the query keys of its links to itself, and the names it reads from request.GET (recorded
while it answers). Each gets a few examples of its own, the others at the values the page's
form shows, so that the fuzzed value reaches the code behind a valid filter (a date input
also gets the ends of the calendar). Then one value at a time goes under every name at once,
the project's fixed list of parameter names included. Derandomized, a few examples each:
about 20 s of CPU on top of building the world.
"""

import contextlib
import datetime
import uuid
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from caseworks.extensions.supervision import local_days
from caseworks.models import AccessLog
from tests.security.test_authorization import EXPECTED, USERS
from tests.security.test_fuzz_forms import NASTY, TEXT
from tests.security.world import fill, walk_urls

# Every query parameter the project's pages use somewhere (a page ignores the others).
FIXED = [
    "q",
    "page",
    "start",
    "end",
    "teams",
    "team",
    "caseworker",
    "figure",
    "status",
    "expiring",
    "order",
    "closed",
    "date_from",
    "date_to",
    "user",
    "reference",
    "client",
    "service",
    "sort",
    "dir",
    "entries",
    "format",
    "next",
]
# Values at the edges of what the types behind the parameters hold.
EDGES = [
    "9999-12-31",
    "0001-01-01",
    "1899-12-31",
    "2101-01-01",
    "0",
    "-1",
    "18446744073709551616",
    "1e309",
    "nan",
    "none",
    "desc",
    "csv",
    "xlsx",
    str(uuid.UUID(int=0)),
]
VALUE = st.one_of(
    TEXT, st.sampled_from(EDGES), st.lists(st.sampled_from(EDGES + NASTY), max_size=3)
)
# Sent under every name at once: without TEXT's long texts (two dozen of them make a URL of
# hundreds of kilobytes, which no proxy lets through; one parameter at a time gets them).
SHORT_VALUE = st.one_of(st.sampled_from(NASTY + EDGES), st.text(max_size=40))
ROLE_OF = {
    "alice": "caseworker",
    "bob": "caseworker",
    "charlie": "caseworker",
    "sam": "supervisor",
    "sue": "supervisor",
    "olga": "office",
    "vera": "volunteer",
    "dora": "data protection",
    "dirk": "data protection",  # of the other carrier
    "adam": "admin",
    "cody": "coordinator",
}

QUERY_FUZZ = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def openers(name: str) -> list[str]:
    """The signed-in users who may open the page (200 on team A's object), one per role;
    one user for a page every signed-in user may open (their own account, the calendar)."""
    statuses = EXPECTED[name]
    statuses = statuses[0] if isinstance(statuses, tuple) else statuses
    may = [u for u, status in zip(USERS, statuses, strict=True) if status == 200 and u != "anon"]
    if len(may) == len(USERS) - 1:
        return may[:1]
    seen, users = set(), []
    for username in may:
        if ROLE_OF[username] not in seen:
            seen.add(ROLE_OF[username])
            users.append(username)
    return users


GET_PAGES = {name: openers(name) for name in EXPECTED if openers(name)}


class GetForms(HTMLParser):
    """The GET forms and links inside <main>: their parameter names, the values the forms
    show (checked boxes, selected options), and the query keys of links to the page itself."""

    def __init__(self, path: str):
        super().__init__(convert_charrefs=True)
        self.path = path
        self.in_main = False
        self.in_get_form = False
        self.select: str | None = None
        self.first_option: tuple[str, str] | None = None
        self.selected = False
        self.names: set[str] = set()
        self.dates: set[str] = set()
        self.values: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        if tag == "form":
            self.in_get_form = a.get("method", "get").lower() == "get"
        elif tag == "a" and "?" in a.get("href", ""):
            href = urlsplit(a["href"])
            if href.path in ("", self.path):
                self.names.update(k for k, _v in parse_qsl(href.query, keep_blank_values=True))
        elif self.in_get_form and tag in ("input", "select", "textarea", "button") and "name" in a:
            name, kind = a["name"], a.get("type", "text").lower()
            self.names.add(name)
            if kind == "date":
                self.dates.add(name)
            if tag == "select":
                self.select, self.first_option, self.selected = name, None, False
            elif tag == "input" and kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.append((name, a.get("value", "on")))
            elif tag == "input" and kind not in ("submit", "button", "reset", "file", "image"):
                self.values.append((name, a.get("value", "")))
        elif tag == "option" and self.select:
            option = (self.select, a.get("value", ""))
            self.first_option = self.first_option or option
            if "selected" in a:
                self.values.append(option)
                self.selected = True

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        elif tag == "form":
            self.in_get_form = False
        elif tag == "select" and self.select:
            if not self.selected and self.first_option:
                self.values.append(self.first_option)
            self.select = None


@contextlib.contextmanager
def recording_reads():
    """The names a view reads from a QueryDict (request.GET) while the block runs."""
    read: set[str] = set()

    def recorder(original):
        def wrapped(self, key, *args, **kwargs):
            read.add(key)
            return original(self, key, *args, **kwargs)

        return wrapped

    with pytest.MonkeyPatch.context() as patch:
        for method in ("get", "getlist", "__getitem__", "__contains__"):
            patch.setattr(QueryDict, method, recorder(getattr(QueryDict, method)))
        yield read


def get_ok(client, path, query) -> None:
    response = client.get(path, query)  # the test client raises a view's exception
    assert response.status_code in (200, 302, 400, 404), (path, query, response.status_code)


def fuzz_one(client, path, base, parameter, *, date=False) -> None:
    """A few random values for one parameter, the others as the page's form shows them; a
    date also gets the ends of the calendar."""

    @QUERY_FUZZ
    @given(value=VALUE)
    def one(value):
        get_ok(client, path, {**base, parameter: value})

    if date:
        one = example(value="9999-12-31")(example(value="0001-01-01")(one))
    one()


def fuzz_together(client, path, base, names) -> None:
    """A few random values, each sent under every name at once."""

    @QUERY_FUZZ
    @given(value=SHORT_VALUE)
    def together(value):
        get_ok(client, path, {**base, **dict.fromkeys(names, value)})

    together()


@pytest.mark.parametrize("name", sorted(GET_PAGES))
def test_every_query_parameter_of_every_page_survives_random_text(client, world, name):
    users, team_a_objects, _b = world
    pattern = dict((n, p) for p, n in walk_urls())[name]
    url = urlsplit(fill(name, pattern, team_a_objects.params))
    for n, who in enumerate(GET_PAGES[name]):
        client.force_login(users[who])
        with recording_reads() as read:
            page = client.get(url.path + ("?" + url.query if url.query else ""))
        assert page.status_code == 200, (name, who, page.status_code)

        # The query the page's links and forms produce: a fuzzed value replaces one name.
        base: dict[str, list[str]] = {}
        for key, value in parse_qsl(url.query, keep_blank_values=True):
            base.setdefault(key, []).append(value)
        parser = GetForms(url.path)
        if "html" in page.get("Content-Type", ""):
            parser.feed(page.content.decode())
        for key, value in parser.values:
            base.setdefault(key, []).append(value)
        if parser.values:  # with its form submitted, a page reads more (an export format)
            with recording_reads() as more:
                client.get(url.path, {**base, "probe": "1"})
            read |= more
        own = sorted((parser.names | read | set(base)) - {"probe"})

        for parameter in own:
            fuzz_one(client, url.path, base, parameter, date=parameter in parser.dates)
        # Then every name at once, the fixed list's too (for one user, when the page reads
        # nothing from the query string: it answers every user alike).
        if own or n == 0:
            fuzz_together(client, url.path, base, sorted(set(own) | set(FIXED)))


# --- the boundary values found by outside testing ---------------------------------------------


def test_statistics_refuse_a_period_at_the_end_of_the_calendar(client, world):
    users, a, _b = world
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    client.force_login(users["sam"])
    for start, end in (("2025-01-01", "9999-12-31"), ("0001-01-01", "2025-12-31")):
        response = client.get(
            "/supervision/statistics/", {"start": start, "end": end, "teams": a.params["team"]}
        )
        assert response.status_code == 200
        assert "Bitte ein Datum zwischen 01.01.1900 und 31.12.2100 eingeben." in (
            response.content.decode()
        )
        assert response.context["tables"] == []


def test_the_access_log_refuses_dates_at_the_ends_of_the_calendar(client, world):
    users, _a, _b = world
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    client.force_login(users["dora"])
    for query in ({"date_from": "0001-01-01"}, {"date_to": "9999-12-31"}):
        response = client.get("/audit/", query)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Bitte ein Datum zwischen 01.01.1900 und 31.12.2100 eingeben." in html
        assert 'min="1900-01-01"' in html and 'max="2100-12-31"' in html


def test_local_days_does_not_overflow_at_the_ends_of_the_calendar(db):
    first, after = local_days(datetime.date.min, datetime.date.max)
    assert first < after
    # The instants can be compared in the database (converted to UTC there).
    assert AccessLog.objects.filter(at__gte=first, at__lt=after).count() >= 0
    assert local_days(datetime.date.max, datetime.date.max)[0] < after
    assert local_days(datetime.date.min, datetime.date.min)[1] > first
    ordinary = local_days(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert ordinary[1] - ordinary[0] == datetime.timedelta(days=31)


def test_the_print_queue_refuses_a_malformed_code(client, world):
    users, a, _b = world
    client.force_login(users["olga"])
    for chosen in (["not-a-uuid"], ["\x00"], [str(a.params["referral_code"]), "x" * 40]):
        for action in ("print", "sent"):
            response = client.post(
                "/referrals/print-queue/", {"referral": chosen, "action": action}
            )
            assert response.status_code == 302, (chosen, action)
            assert response["Location"] == "/referrals/print-queue/"
    page = client.get("/referrals/print-queue/")
    assert "UUID" in page.content.decode()  # Django's own message, in German
