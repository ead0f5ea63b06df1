"""`make loadtest`: a bounded, realistic load test of gunicorn + Caseworks on this machine.

    .venv/bin/python tests/load/loadtest.py            # SQLite, var/loadtest/
    DATABASE_URL=postgres://postgres@127.0.0.1:54330/caseworks_loadtest \\
        .venv/bin/python tests/load/loadtest.py        # that (local, *loadtest*) PostgreSQL

1. A fresh database: SQLite in var/loadtest/ (the instance folder of the run: its keys and
   gunicorn's log), or the PostgreSQL database DATABASE_URL names (dropped and created again;
   refused unless it is local and named *loadtest*). `migrate`, `seed_demo --clients N`, and
   distinct users for every virtual user (tests/load/db.py).
2. gunicorn with LOADTEST_WORKERS (4) sync workers on 127.0.0.1 and a free port, DEBUG=True
   (development keys from the instance folder), no second factor.
3. LOADTEST_USERS (30) virtual users, one thread each with their own session, for
   LOADTEST_SECONDS (120): caseworkers open their caseload, a case file, record a follow-up
   visit (the form's CSRF token and fields, a marker duration and a unique token in the notes)
   and edit a person's phone number (the form's version; a pair of colleagues shares its
   cases, so sometimes both edit the same person and one must get the conflict form);
   supervisors load the dashboard and the statistics; the office prints a batch of letters
   from the print queue; volunteers open their accompaniments.
4. A line per action, then one table: requests, req/s, median and 95th percentile,
   responses >= 500 (with requests that got no answer), and LOST WRITES: visits acknowledged
   (302 to the case file) but not in the database afterwards (read back through the ORM by
   their tokens), plus person edits acknowledged but lost (two saves acknowledged over the
   same version, or the database not holding the last acknowledged value). gunicorn is
   stopped. Exit status 1 on any of them, and on answers the driver did not expect (a 403,
   a redirect to the sign-in page: then the test itself proves nothing).

5. LOADTEST_SIDE=import,disclosure (either or both): side jobs while the users work, from
   LOADTEST_SIDE_DELAY (15) seconds on; the users work on until they are done. "import": an
   administrator imports a caseload of LOADTEST_IMPORT_ROWS (5,000) persons with `manage.py
   import_cases --confirm` (the batched import run of /manage/import/); on SQLite each of
   the import's transactions is timed from the write lock granted to its commit (median,
   p95, longest hold), a probe asks for the lock every 50 ms (its longest wait during the
   import and outside it), and the other users' writes during and outside the import are
   counted (failed, p50, p95, longest). "disclosure" (LOADTEST_DISCLOSURE_AFTER,
   30, seconds after the import's start, so that it meets its batches): a supervisor asks
   for the Art. 15 PDF of a person with 2,000 visits and 200 documents of about 2 MB
   (tests/bench/long_accompaniment.py), `manage.py build_disclosures` builds it as its
   timer would (time and the process's peak RSS), the PDF is downloaded, then the documents
   ZIP is streamed (time, files, and the gunicorn workers' peak RSS, /proc VmHWM).

LOADTEST_CLIENTS (400) sizes the house; LOADTEST_REUSE=1 drives the house the previous run
of the same database prepared (for working on the driver; the figures need a fresh one).

Plain Python, not locust: the standard library (threads, http.client, html.parser) does all of
this, so the test adds no dependency (locust would bring gevent, Flask and a web UI) and reads
like the rest of the suite. The price: the load generator shares the interpreter lock and
the machine's cores with the server, so req/s is a floor for the server, comparable between
runs and databases on one machine, not a capacity figure.

Traffic goes to 127.0.0.1 only; every loop ends by time and by count.
"""

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PASSWORD = "demo"
MARKER_MINUTES = 47  # a follow-up visit of 47 minutes: the demo data has 30/45/60/90 only
MAX_REQUESTS_PER_USER = 20_000  # a bound besides the clock
REQUEST_TIMEOUT = 60  # seconds; gunicorn's worker timeout is 120 (SQLite waits up to 20)
CONFLICT_TEXTS = ("while you were editing", "während Sie ihn bearbeitet")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        sys.exit(f"{name} must be a positive whole number, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# HTML: the links and forms a browser would see


class FormParser(HTMLParser):
    """Every <form> of a page with what a browser would submit by default."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            self.forms.append(
                {"method": method, "action": a.get("action", ""), "fields": [], "names": set()}
            )
        elif not self.forms:
            return
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self.forms[-1]["fields"].append((self._select, value))
                self._select_chosen = True
        elif tag in ("input", "select", "textarea", "button") and a.get("name"):
            self.forms[-1]["names"].add(a["name"])
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        if tag == "input":
            kind = a.get("type", "text").lower()
            checkable = kind in ("checkbox", "radio")
            if (checkable and "checked" not in a) or kind in ("submit", "button", "reset"):
                return
            value = a.get("value", "on" if checkable else "")
            self.forms[-1]["fields"].append((a["name"], value))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                self.forms[-1]["fields"].append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None


def parse(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def post_form(page: str, having: str) -> list[tuple[str, str]]:
    """The fields of the page's POST form that has the field `having` (pages also carry the
    log-out and language forms)."""
    for form in parse(page).forms:
        if form["method"] == "post" and having in form["names"]:
            return list(form["fields"])
    raise LookupError(f"no POST form with {having!r} on the page")


def own_post_form(page: str) -> list[tuple[str, str]]:
    """The fields of the page's POST form that posts to the page itself (no action)."""
    for form in parse(page).forms:
        if form["method"] == "post" and not form["action"]:
            return list(form["fields"])
    raise LookupError("no POST form to the page itself")


def replace(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    kept = [(k, v) for k, v in fields if k not in values]
    return kept + list(values.items())


# ---------------------------------------------------------------------------------------------
# One virtual user: a browser session (cookies, CSRF) and the requests it made


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Sample:
    action: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    ms: float
    unexpected: bool = False
    at: float = 0.0  # when it was sent (time.monotonic())


@dataclass
class Run:
    """What all virtual users did and were told (appended under a lock)."""

    samples: list[Sample] = field(default_factory=list)
    visits_acknowledged: list[str] = field(default_factory=list)  # tokens
    visits_refused: int = 0
    # client code -> [(version sent, phone sent)]
    edits_acknowledged: dict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    conflicts: int = 0
    edits_refused: int = 0
    letters_printed: int = 0
    errors: list[str] = field(default_factory=list)
    crashed: list[str] = field(default_factory=list)  # virtual users that died (driver bug)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set while side jobs (LOADTEST_SIDE) run: the virtual users work on until they are done.
    side_running: threading.Event = field(default_factory=threading.Event)


class Browser:
    def __init__(self, port: int, shared: Run) -> None:
        self.port = port
        self.shared = shared
        self.cookies: dict[str, str] = {}
        self.samples: list[Sample] = []

    def request(
        self, action: str, method: str, path: str, fields=None, expect=(200,), redirect_to=None
    ) -> Response | None:
        """One request; a status outside `expect` (or a redirect elsewhere than
        `redirect_to`, e.g. to the sign-in page; a `redirect_to` ending in "*" is a prefix)
        is recorded as unexpected."""
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "de"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urllib.parse.urlencode(fields or [], doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        began = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read())
            for header, value in raw.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if cookie_value in ('""', "") or "max-age=0" in value.lower():
                        self.cookies.pop(name.strip(), None)
                    else:
                        self.cookies[name.strip()] = cookie_value
        except (OSError, http.client.HTTPException) as e:
            self.samples.append(Sample(action, 0, (time.monotonic() - began) * 1000, True, began))
            with self.shared.lock:
                self.shared.errors.append(f"{action} {method} {path}: no answer ({e!r})")
            return None
        finally:
            conn.close()
        ms = (time.monotonic() - began) * 1000
        unexpected = response.status < 500 and response.status not in expect
        location = urllib.parse.urlsplit(response.headers.get("location", "")).path
        if response.status == 302 and redirect_to is not None:
            if redirect_to.endswith("*"):
                unexpected = unexpected or not location.startswith(redirect_to[:-1])
            else:
                unexpected = unexpected or location != redirect_to
        self.samples.append(Sample(action, response.status, ms, unexpected, began))
        if response.status >= 500 or unexpected:
            with self.shared.lock:
                self.shared.errors.append(f"{action} {method} {path}: {response.status}")
        return response

    def get(self, action: str, path: str) -> Response | None:
        response = self.request(action, "GET", path)
        return response if response is not None and response.status == 200 else None

    def download(self, action: str, path: str) -> "Download":
        """A GET whose body is read in pieces, counted and dropped (a ZIP of hundreds of
        megabytes), keeping its first bytes and its last 64 KB (a ZIP's end records)."""
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "de"}
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        began = time.monotonic()
        done = Download(status=0, began=began)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request("GET", path, headers=headers)
            raw = conn.getresponse()
            done.status = raw.status
            done.content_type = raw.getheader("content-type", "")
            while piece := raw.read(1 << 20):
                if not done.size:
                    done.first_byte = time.monotonic() - began
                    done.head = piece[:16]
                done.size += len(piece)
                done.tail = (done.tail + piece)[-65536:]
        except (OSError, http.client.HTTPException) as e:
            done.error = repr(e)
        finally:
            conn.close()
        done.seconds = time.monotonic() - began
        unexpected = done.status != 200 or bool(done.error)
        self.samples.append(Sample(action, done.status, done.seconds * 1000, unexpected, began))
        if unexpected:
            with self.shared.lock:
                self.shared.errors.append(f"{action} GET {path}: {done.status} {done.error}")
        return done

    def sign_in(self, username: str) -> bool:
        page = self.get("sign in (form)", "/accounts/login/")
        if page is None:
            return False
        fields = replace(post_form(page.text, "username"), username=username, password=PASSWORD)
        done = self.request(
            "sign in", "POST", "/accounts/login/", fields, expect=(302,), redirect_to="/"
        )
        return done is not None and done.status == 302 and not self.samples[-1].unexpected


@dataclass
class Download:
    status: int
    began: float = 0.0
    content_type: str = ""
    size: int = 0
    first_byte: float = 0.0  # seconds
    seconds: float = 0.0
    head: bytes = b""
    tail: bytes = b""
    error: str = ""

    def zip_entries(self) -> int | None:
        """The number of files the ZIP's end record names (ZIP64's when it has one)."""
        at = self.tail.rfind(b"PK\x05\x06")
        if at < 0 or len(self.tail) < at + 22:
            return None
        (entries,) = struct.unpack("<H", self.tail[at + 10 : at + 12])
        at64 = self.tail.rfind(b"PK\x06\x06")
        if entries == 0xFFFF and at64 >= 0:
            (entries,) = struct.unpack("<Q", self.tail[at64 + 32 : at64 + 40])
        return entries


def links(page: Response, prefix: str, suffix: str = "") -> list[str]:
    """Distinct links under `prefix`, of the form prefix<uuid>/suffix."""
    found = []
    for href in parse(page.text).links:
        rest = href[len(prefix) :] if href.startswith(prefix) else ""
        code, _, tail = rest.partition("/")
        if len(code) == 36 and tail == suffix and href not in found:
            found.append(href)
    return found


# ---------------------------------------------------------------------------------------------
# What each role does, one round at a time


class VirtualUser(threading.Thread):
    def __init__(self, port: int, run: Run, account: dict, deadline: float, seed: int) -> None:
        super().__init__(name=account["username"], daemon=True)
        self.browser = Browser(port, run)
        self.shared = run
        self.account = account
        self.deadline = deadline
        self.rng = random.Random(seed)
        self.run_id = uuid.uuid4().hex[:8]
        self.sequence = 0

    def pause(self, low: float = 0.1, high: float = 0.5) -> None:
        left = max(0.0, self.deadline - time.monotonic())
        if self.shared.side_running.is_set():
            left = high
        time.sleep(min(self.rng.uniform(low, high), left))

    def alive(self) -> bool:
        working = time.monotonic() < self.deadline or self.shared.side_running.is_set()
        return working and len(self.browser.samples) < MAX_REQUESTS_PER_USER

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, 2))  # people do not all sign in in the same second
        try:
            if not self.browser.sign_in(self.account["username"]):
                return
            round_ = getattr(self, f"round_{self.account['role']}")
            while self.alive():
                round_()
        except Exception as e:  # reported, never a silently dead thread
            with self.shared.lock:
                self.shared.crashed.append(f"{self.account['username']}: {type(e).__name__}: {e}")

    # caseworkers ------------------------------------------------------------------------------

    def round_caseworker(self) -> None:
        caseload = self.browser.get("caseload", "/cases/")
        cases = links(caseload, "/cases/") if caseload else []
        if not cases:
            return self.pause()
        self.pause()
        case = self.rng.choice(cases)
        case_file = self.browser.get("case file", case)
        if case_file is None or not self.alive():
            return
        self.pause()
        self.record_visit(case)
        if not self.alive():
            return
        self.pause()
        persons = links(case_file, f"{case}clients/", "edit/")
        hot = self.account.get("hot")
        if hot and self.rng.random() < 0.3:
            persons = [hot]
        if persons:
            self.edit_person(self.rng.choice(persons))
        self.pause()

    def record_visit(self, case: str) -> None:
        path = f"{case}visits/new/"
        form = self.browser.get("visit form", path)
        if form is None:
            return
        self.sequence += 1
        token = f"loadtest {self.run_id} {self.account['username']} {self.sequence}"
        fields = replace(
            post_form(form.text, "duration_minutes"),
            duration_minutes=str(MARKER_MINUTES),
            notes=token,
        )
        self.pause(0.2, 1.0)  # typing
        saved = self.browser.request(
            # A saved visit opens its own page (visits.views.visit_new).
            "visit save",
            "POST",
            path,
            fields,
            expect=(302, 200),
            redirect_to=f"{case}visits/*",
        )
        if saved is None or self.browser.samples[-1].unexpected:
            return
        with self.shared.lock:
            if saved.status == 302:
                self.shared.visits_acknowledged.append(token)
            elif saved.status == 200:
                self.shared.visits_refused += 1  # the form again: a rule said no (never a write)

    def edit_person(self, path: str) -> None:
        form = self.browser.get("person form", path)
        if form is None:
            return
        fields = post_form(form.text, "client-version")
        version = int(dict(fields)["client-version"])
        self.sequence += 1
        phone = f"0151 {self.rng.randrange(10**7):07d} {self.sequence}"
        self.pause(0.5, 2.0)  # typing: a colleague may save the same person meanwhile
        case = path.split("clients/")[0]
        fields = replace(fields, **{"client-phone": phone})
        saved = self.browser.request(
            "person save", "POST", path, fields, expect=(302, 200), redirect_to=case
        )
        if saved is None or self.browser.samples[-1].unexpected:
            return
        client_code = path.rstrip("/").split("/")[-2]
        with self.shared.lock:
            if saved.status == 302:
                self.shared.edits_acknowledged[client_code].append((version, phone))
            elif saved.status == 200 and any(t in saved.text for t in CONFLICT_TEXTS):
                self.shared.conflicts += 1
            elif saved.status == 200:
                self.shared.edits_refused += 1

    # the others --------------------------------------------------------------------------------

    def round_supervisor(self) -> None:
        self.browser.get("supervision", "/supervision/")
        self.pause(0.5, 2.0)
        if self.alive():
            self.browser.get("statistics", "/supervision/statistics/")
        self.pause(0.5, 2.0)

    def round_office(self) -> None:
        queue = self.browser.get("print queue", "/referrals/print-queue/")
        codes = parse_checkboxes(queue.text) if queue else []
        self.pause(0.5, 2.0)
        if queue is None or not codes or not self.alive():
            return
        token = [(k, v) for k, v in post_form(queue.text, "referral") if k == "csrfmiddlewaretoken"]
        batch = self.rng.sample(codes, k=min(len(codes), self.rng.randint(1, 5)))
        fields = token + [("action", "print")] + [("referral", code) for code in batch]
        printed = self.browser.request(
            "print batch", "POST", "/referrals/print-queue/", fields, expect=(200, 302)
        )
        if printed is not None and printed.status == 200:
            with self.shared.lock:
                if printed.headers.get("content-type") == "application/pdf":
                    self.shared.letters_printed += len(batch)
                else:  # the queue again with a message: a batch that printed nothing
                    self.browser.samples[-1].unexpected = True
                    self.shared.errors.append("print batch: 200 without a PDF")
        self.pause(1.0, 3.0)  # envelopes

    def round_volunteer(self) -> None:
        page = self.browser.get("volunteer", "/volunteer/")
        self.pause(0.5, 2.0)
        items = links(page, "/volunteer/") if page else []
        if items and self.alive():
            self.browser.get("volunteer detail", self.rng.choice(items))
        self.pause(0.5, 2.0)


def parse_checkboxes(html: str) -> list[str]:
    """The referral codes a print queue offers (its checkboxes, unchecked by default)."""
    codes = []
    for part in html.split('name="referral" value="')[1:]:
        codes.append(part.split('"', 1)[0])
    return codes


# ---------------------------------------------------------------------------------------------
# Side jobs (LOADTEST_SIDE=import,disclosure): what an administrator and a supervisor start
# while the virtual users work, each measured from the outside

SIDE_JOBS = ("import", "disclosure")
WRITES = ("visit save", "person save", "print batch")  # the virtual users' writes


@dataclass
class Process:
    """A child process that ended: its exit status, wall seconds and peak RSS (its own
    ru_maxrss, from wait4)."""

    returncode: int
    began: float
    ended: float
    peak_mb: float

    @property
    def seconds(self) -> float:
        return self.ended - self.began


def run_measured(command: list[str], env: dict[str, str], log: Path) -> Process:
    began = time.monotonic()
    with open(log, "ab") as out:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by Popen
    return Process(child.returncode, began, time.monotonic(), usage.ru_maxrss / 1024)


def manage(*args: str) -> list[str]:
    return [str(PYTHON), "manage.py", *args]


class WriteLockProbe(threading.Thread):
    """Every 50 ms, how long a writer waits for SQLite's write lock: BEGIN IMMEDIATE (as the
    app's connections begin: settings.py) and ROLLBACK at once, on a connection of its own
    with a busy timeout like theirs. While the import runs, its longest wait bounds how long
    one of the import's batches held the lock (plus the other writes queued before it)."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="write-lock probe", daemon=True)
        self.path = path
        self.waits: list[tuple[float, float]] = []  # (asked at, seconds waited)
        self.failed: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            while not self.stop.wait(0.05):
                began = time.monotonic()
                try:
                    conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as e:  # waited 60 s: the very failure sought
                    self.failed.append(f"{e} after {time.monotonic() - began:.1f} s")
                    continue
                self.waits.append((began, time.monotonic() - began))
                conn.execute("ROLLBACK")
        finally:
            conn.close()

    def longest(self, window: tuple[float, float], *, inside: bool = True) -> float:
        low, high = window
        return max((wait for at, wait in self.waits if (low <= at <= high) == inside), default=0.0)


class SideJob(threading.Thread):
    """A side job's thread: waits for its start, records an error instead of dying."""

    def __init__(self, name: str, start_at: float) -> None:
        super().__init__(name=name, daemon=True)
        self.start_at = start_at
        self.error = ""

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        try:
            self.work()
        except Exception as e:  # reported in the table and failing the run
            self.error = f"{type(e).__name__}: {e}"

    def work(self) -> None:
        raise NotImplementedError


class ImportJob(SideJob):
    """The administrator imports a large caseload: `manage.py import_cases FILE --confirm`,
    the batched import run that /manage/import/'s confirmation starts too (the page writes
    batches for 15 s a request; the command writes them all), as a process of its own, run
    by tests/load/db.py, which times how long each of its transactions holds SQLite's write
    lock (the command's own output goes to import-command.log)."""

    def __init__(self, env: dict[str, str], side: dict, start_at: float, log: Path) -> None:
        super().__init__("import", start_at)
        self.env, self.side, self.log = env, side, log
        self.process: Process | None = None
        self.locks: dict = {}

    def work(self) -> None:
        command = [
            str(PYTHON),
            str(Path(__file__).with_name("db.py")),
            "import",
            self.side["import_file"],
            f"--user={self.side['importer']}",
            f"--log={self.log.with_name('import-command.log')}",
        ]
        self.process = run_measured(command, self.env, self.log)
        if self.process.returncode:
            raise RuntimeError(f"the import exited {self.process.returncode}; see {self.log}")
        self.locks = json.loads(self.log.read_text().strip().splitlines()[-1])

    def window(self) -> tuple[float, float] | None:
        return (self.process.began, self.process.ended) if self.process else None


class DisclosureJob(SideJob):
    """A supervisor's Art. 15 disclosure of the long accompaniment (a person with 2,000
    visits and 200 documents): the PDF asked for on its page, built by the background
    builder (`manage.py build_disclosures`, started once as its timer would), then
    downloaded; and the documents ZIP, streamed by a gunicorn worker, whose peak RSS is
    read from /proc (VmHWM, reset just before where the kernel allows it)."""

    def __init__(
        self, port: int, run: Run, env: dict[str, str], side: dict, start_at: float, log: Path
    ) -> None:
        super().__init__("disclosure", start_at)
        self.browser = Browser(port, run)
        self.env, self.side, self.log = env, side, log
        self.server_pid = 0
        self.idle: Process | None = None
        self.builder: Process | None = None
        self.pdf: Download | None = None
        self.zip: Download | None = None
        self.worker_peak_mb = 0.0
        self.worker_before_mb = 0.0
        self.peaks_reset = False

    def work(self) -> None:
        case, person = self.side["case"], self.side["person"]
        if not self.browser.sign_in(self.side["supervisor"]):
            raise RuntimeError("the side supervisor could not sign in")
        build = manage("build_disclosures", "--max-seconds", "0")
        # The builder with nothing to build: what a run of its timer costs anyway.
        self.idle = run_measured(build, self.env, self.log)
        path = f"/cases/{case}/clients/{person}/disclosure.pdf"
        page = self.browser.get("side: disclosure PDF page", path)
        if page is None:
            raise RuntimeError(f"GET {path} failed")
        asked = self.browser.request(
            "side: ask for the PDF",
            "POST",
            path,
            own_post_form(page.text),
            expect=(302,),
            redirect_to=f"/cases/{case}/clients/{person}/disclosure/*",
        )
        if asked is None or self.browser.samples[-1].unexpected:
            raise RuntimeError("asking for the PDF failed")
        status = urllib.parse.urlsplit(asked.headers["location"]).path
        self.builder = run_measured(build, self.env, self.log)
        ready = self.browser.get("side: PDF status", status)
        offered = parse(ready.text).links if ready else []
        download = [href for href in offered if href.endswith("auskunft.pdf")]
        if self.builder.returncode or not download:
            raise RuntimeError(f"the PDF was not built (builder exit {self.builder.returncode})")
        self.pdf = self.browser.download("side: PDF download", download[0])
        if not self.pdf.head.startswith(b"%PDF"):
            raise RuntimeError(f"the download is no PDF ({self.pdf.status})")

        workers = gunicorn_workers(self.server_pid)
        self.peaks_reset = all(reset_peak(pid) for pid in workers)
        self.worker_before_mb = max((memory(pid, "VmRSS") for pid in workers), default=0.0)
        self.zip = self.browser.download(
            "side: documents ZIP", f"/cases/{case}/documents/disclosure/{person}.zip"
        )
        self.worker_peak_mb = max((memory(pid, "VmHWM") for pid in workers), default=0.0)
        expected = self.side["documents"] + 2  # the note and the JSON
        if self.zip.status != 200 or self.zip.zip_entries() != expected:
            raise RuntimeError(
                f"the ZIP: {self.zip.status}, {self.zip.zip_entries()} files, not {expected}"
            )


def gunicorn_workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    try:
        return [int(pid) for pid in children.read_text().split()]
    except OSError:
        return []


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its current RSS (Linux: clear_refs 5)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def memory(pid: int, key: str) -> float:
    """VmRSS or VmHWM of a process, in MB (0 when it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def during(window: tuple[float, float] | None, began: float, ended: float) -> str:
    if window is None:
        return "?"
    low, high = window
    if began >= low and ended <= high:
        return "during the import"
    if ended < low or began > high:
        return "not during the import"
    return "partly during the import"


def side_report(
    jobs: dict[str, SideJob], probe: WriteLockProbe | None, samples: list[Sample], imports: list
) -> list[str]:
    """The side jobs' figures (printed after the table), and the problems among them."""
    problems = [f"side job {name}: {job.error}" for name, job in jobs.items() if job.error]
    print("\nside jobs")
    window = None
    importer = jobs.get("import")
    if isinstance(importer, ImportJob) and importer.process is not None:
        process = importer.process
        window = importer.window()
        run = imports[-1] if imports else {}
        print(
            f"  import of {importer.side['import_rows']} rows (manage.py import_cases "
            f"--confirm): {process.seconds:.1f} s in all, exit {process.returncode}, "
            f"peak RSS {process.peak_mb:.0f} MB; the run: {run.get('state', 'missing')}, "
            f"{run.get('persons_done', 0)} persons in {run.get('batches', 0)} batches over "
            f"{run.get('seconds')} s, longest batch transaction {run.get('longest_batch_ms', 0)} "
            f"ms (recorded by the import)"
        )
        if run.get("state") != "done" or run.get("persons_done") != importer.side["import_rows"]:
            problems.append(f"the import did not land whole: {run}")
        locks = importer.locks
        if locks.get("transactions"):
            print(
                f"  the import's {locks['transactions']} transactions held the write lock: "
                f"median {locks['hold_median_ms']} ms, p95 {locks['hold_p95_ms']} ms, longest "
                f"{locks['hold_longest_ms']} ms; its longest wait for it "
                f"{locks['wait_longest_ms']} ms"
            )
        for inside in (True, False):
            writes = [
                s
                for s in samples
                if s.action in WRITES and (window[0] <= s.at <= window[1]) == inside
            ]
            failed = sum(s.status >= 500 or s.status == 0 for s in writes)
            unexpected = sum(s.unexpected and s.status > 0 for s in writes)
            ms = [s.ms for s in writes]
            print(
                f"  other users' writes {'during' if inside else 'outside'} the import: "
                f"{len(writes)}, {failed} failed (>=500 or no answer), {unexpected} unexpected; "
                f"p50 {percentile(ms, 0.5):.0f} ms, p95 {percentile(ms, 0.95):.0f} ms, longest "
                f"{max(ms, default=0):.0f} ms"
            )
        if probe is not None:
            longest = probe.longest(window)
            print(
                f"  write lock (a probe's BEGIN IMMEDIATE every 50 ms): longest wait "
                f"{longest * 1000:.0f} ms during the import, "
                f"{probe.longest(window, inside=False) * 1000:.0f} ms outside it; "
                f"{len(probe.waits)} probes, {len(probe.failed)} failed"
            )
            problems += [f"write-lock probe: {failure}" for failure in probe.failed]
    disclosure = jobs.get("disclosure")
    if isinstance(disclosure, DisclosureJob) and disclosure.builder and disclosure.idle:
        builder, idle = disclosure.builder, disclosure.idle
        print(
            f"  disclosure PDF of a person with {disclosure.side['visits']} visits "
            f"(manage.py build_disclosures, one export): {builder.seconds:.1f} s, peak RSS "
            f"{builder.peak_mb:.0f} MB ({during(window, builder.began, builder.ended)}); the "
            f"builder with nothing to build: {idle.seconds:.1f} s, {idle.peak_mb:.0f} MB"
        )
        if disclosure.pdf is not None:
            print(
                f"  the PDF: {disclosure.pdf.size / 1024:.0f} KB, downloaded in "
                f"{disclosure.pdf.seconds * 1000:.0f} ms"
            )
    if isinstance(disclosure, DisclosureJob) and disclosure.zip is not None:
        zipped = disclosure.zip
        mb = zipped.size / 1024 / 1024
        reset = "reset before" if disclosure.peaks_reset else "lifetime peak: not reset"
        print(
            f"  documents ZIP ({disclosure.side['documents']} documents): {mb:.0f} MB, "
            f"{zipped.zip_entries()} files, first byte after {zipped.first_byte * 1000:.0f} ms, "
            f"all in {zipped.seconds:.1f} s "
            f"({during(window, zipped.began, zipped.began + zipped.seconds)})"
        )
        print(
            f"  gunicorn workers' peak RSS while it streamed: {disclosure.worker_peak_mb:.0f} MB "
            f"(VmHWM, {reset}; {disclosure.worker_before_mb:.0f} MB before)"
        )
    return problems


# ---------------------------------------------------------------------------------------------
# The run: database, server, users, table


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django(env: dict[str, str], *args: str) -> object:
    """tests/load/db.py with the server's environment; its last output line is JSON."""
    done = subprocess.run(
        [str(PYTHON), str(Path(__file__).with_name("db.py")), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"tests/load/db.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [
        str(GUNICORN),
        "caseworks.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--timeout=120",
        "--graceful-timeout=10",
        f"--error-logfile={log}",
        "--capture-output",
        "--log-level=warning",
    ]
    with open(log, "ab") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn did not start (exit {server.returncode}); see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/", headers={"Host": f"127.0.0.1:{port}"})
            if conn.getresponse().status == 200:
                conn.close()
                return server
            conn.close()
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    sys.exit(f"gunicorn did not answer within 120 s; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # the master stops its workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)  # the session we started, nothing else
        server.wait(timeout=10)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def lost_edits(acknowledged: dict, in_database: dict) -> int:
    """Acknowledged person edits that did not stick: two saves acknowledged over the same
    version (one overwrote the other unseen), or the database behind the last one."""
    lost = 0
    for code, saves in acknowledged.items():
        versions = Counter(version for version, _phone in saves)
        lost += sum(n - 1 for n in versions.values())
        version, phone = max(saves)
        db_version, db_phone = in_database.get(code, (0, None))
        if db_version < version + 1 or (db_version == version + 1 and db_phone != phone):
            lost += 1
    return lost


def main() -> int:
    seconds = env_int("LOADTEST_SECONDS", 120)
    users = env_int("LOADTEST_USERS", 30)
    clients = env_int("LOADTEST_CLIENTS", 400)
    workers = env_int("LOADTEST_WORKERS", 4)
    sides = [name for name in os.environ.get("LOADTEST_SIDE", "").split(",") if name]
    if set(sides) - set(SIDE_JOBS):
        sys.exit(f"LOADTEST_SIDE names side jobs of {', '.join(SIDE_JOBS)}, got {sides}")
    import_rows = env_int("LOADTEST_IMPORT_ROWS", 5000)
    side_delay = env_int("LOADTEST_SIDE_DELAY", 15)
    var = ROOT / "var" / "loadtest"
    var.mkdir(parents=True, exist_ok=True)
    var.chmod(0o700)
    env = {
        **os.environ,
        "DEBUG": "True",
        "CASEWORKS_VAR_DIR": str(var),
        "CASEWORKS_REQUIRE_2FA": "False",
        "AXES_FAILURE_LIMIT": "1000",
        "LOG_LEVEL": "ERROR",
    }
    database = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    path = var / "caseworks.sqlite3"
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{path}"
    print(
        f"loadtest: {database}, {clients} clients, {users} users, {seconds} s, "
        f"{workers} gunicorn workers" + (f"; side jobs: {', '.join(sides)}" if sides else ""),
        flush=True,
    )
    # LOADTEST_REUSE=1: the previous run's house (writes accumulate; counts are this run's).
    roster_file = var / f"roster-{database}.json"
    import_file = var / f"import-{import_rows}.xlsx"
    if os.environ.get("LOADTEST_REUSE") == "1" and roster_file.exists():
        house = json.loads(roster_file.read_text())
    else:
        roster_file.unlink(missing_ok=True)
        if database == "sqlite":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        began = time.monotonic()
        prepared = django(
            env,
            "prepare",
            f"--clients={clients}",
            f"--users={users}",
            f"--side={','.join(sides)}",
            f"--import-rows={import_rows}",
            f"--import-file={import_file}",
        )
        house = prepared if isinstance(prepared, dict) else {"roster": prepared, "side": {}}
        roster_file.write_text(json.dumps(house))
        print(f"prepared in {time.monotonic() - began:.0f} s", flush=True)
    roster, side = house["roster"], house["side"]
    missing = {"import": "import_file", "disclosure": "case"}
    if any(missing[name] not in side for name in sides):
        sys.exit("LOADTEST_REUSE: the previous house was prepared without these side jobs")
    print(", ".join(f"{n} {r}s" for r, n in Counter(a["role"] for a in roster).items()))

    log = var / "gunicorn.log"
    for name in ("gunicorn.log", "import.log", "import-command.log", "disclosure.log"):
        (var / name).unlink(missing_ok=True)
    port = free_port()
    server = start_server(env, port, workers, log)
    run = Run()
    jobs: dict[str, SideJob] = {}
    probe = None
    if database == "sqlite" and "import" in sides:
        probe = WriteLockProbe(path)
        probe.start()
    try:
        since = datetime.now(UTC)
        start = time.monotonic()
        deadline = start + seconds
        threads = [
            VirtualUser(port, run, account, deadline, seed=i) for i, account in enumerate(roster)
        ]
        side_start = start + side_delay
        if "import" in sides:
            jobs["import"] = ImportJob(env, side, side_start, var / "import.log")
        if "disclosure" in sides:
            # With the import: once it is past checking its file and writes its batches.
            after = env_int("LOADTEST_DISCLOSURE_AFTER", 30) if "import" in sides else 0
            disclosure = DisclosureJob(
                port, run, env, side, side_start + after, var / "disclosure.log"
            )
            disclosure.server_pid = server.pid
            jobs["disclosure"] = disclosure
        if jobs:
            run.side_running.set()
        for thread in [*threads, *jobs.values()]:
            thread.start()
        for job in jobs.values():
            job.join()
        run.side_running.clear()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 30)
        elapsed = time.monotonic() - start
    finally:
        stop_server(server)
        if probe is not None:
            probe.stop.set()
    for thread in threads:
        run.samples += thread.browser.samples
    if isinstance(jobs.get("disclosure"), DisclosureJob):
        run.samples += jobs["disclosure"].browser.samples
    stuck = [t.name for t in threads if t.is_alive()]

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(list(run.edits_acknowledged), f)
    try:
        found = django(
            env,
            "count",
            f"--since={since.isoformat()}",
            f"--marker-minutes={MARKER_MINUTES}",
            f"--clients={f.name}",
        )
    finally:
        os.unlink(f.name)
    assert isinstance(found, dict)
    in_database = set(found["visits"])
    lost_visits = len(set(run.visits_acknowledged) - in_database)
    unacknowledged = len(in_database - set(run.visits_acknowledged))
    lost_person_edits = lost_edits(run.edits_acknowledged, found["clients"])
    lost = lost_visits + lost_person_edits

    by_action: dict[str, list[Sample]] = defaultdict(list)
    for sample in run.samples:
        by_action[sample.action].append(sample)
    width = max(len(a) for a in by_action) if by_action else 10
    print(f"\n{'action':<{width}}  requests  p50 ms  p95 ms  >=500  no answer  unexpected")
    for action, samples in by_action.items():
        ms = [s.ms for s in samples]
        print(
            f"{action:<{width}}  {len(samples):>8}  {percentile(ms, 0.5):>6.0f}  "
            f"{percentile(ms, 0.95):>6.0f}  {sum(s.status >= 500 for s in samples):>5}  "
            f"{sum(s.status == 0 for s in samples):>9}  "
            f"{sum(s.unexpected and s.status > 0 for s in samples):>10}"
        )
    edits = sum(len(v) for v in run.edits_acknowledged.values())
    print(
        f"\nwrites: {len(run.visits_acknowledged)} visits acknowledged, {len(in_database)} in "
        f"the database ({unacknowledged} saved without an answer), {run.visits_refused} refused "
        f"by a rule; {edits} person edits acknowledged, {run.conflicts} conflict forms, "
        f"{run.edits_refused} refused; {run.letters_printed} letters printed in batches"
    )
    ms = [s.ms for s in run.samples]
    failures = sum(s.status >= 500 or s.status == 0 for s in run.samples)
    unexpected = sum(s.unexpected and s.status > 0 for s in run.samples)
    header = (
        "database",
        "users",
        "seconds",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        ">=500",
        "LOST WRITES",
    )
    row = (
        database,
        str(len(roster)),
        f"{elapsed:.0f}",
        str(len(ms)),
        f"{len(ms) / elapsed:.1f}",
        f"{percentile(ms, 0.5):.0f}",
        f"{percentile(ms, 0.95):.0f}",
        str(failures),
        str(lost),
    )
    widths = [max(len(h), len(c)) for h, c in zip(header, row, strict=True)]
    print("\n" + "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
    print(
        f"(>=500 includes {sum(s.status == 0 for s in run.samples)} requests without an "
        f"answer; LOST WRITES = {lost_visits} visits + {lost_person_edits} person edits)"
    )

    problems = []
    if failures:
        problems.append(f"{failures} responses >= 500 or without an answer")
    if lost:
        problems.append(f"{lost} lost writes")
    if unexpected:
        problems.append(f"{unexpected} unexpected answers (the driver or the app is broken)")
    if not run.visits_acknowledged:
        problems.append("no visit was recorded: the test proved nothing")
    if run.crashed:
        problems.append(f"virtual users crashed: {'; '.join(run.crashed)}")
    if jobs:
        problems += side_report(jobs, probe, run.samples, found["imports"])
    if stuck:
        problems.append(f"users still waiting at the end: {', '.join(stuck)}")
    if problems:
        for line in run.errors[:15]:
            print("  " + line)
        print(f"FAILED: {'; '.join(problems)}. Server log: {log}")
        print(f"(the first error: grep -n -m1 -A40 Traceback {log})")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
