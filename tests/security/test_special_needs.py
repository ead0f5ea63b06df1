"""Special protection needs (Art. 21 Directive 2013/33/EU, Art. 9 DSGVO data) reach the
caseworkers of the case and its team's supervisors only: never office, volunteers, the
coordinator, the admin, a colleague covering with a reason, nor the DPO's pages other than
the person's own Art. 15 disclosure. A volunteer sees the caseworker's hint, not the need."""

import datetime
import io

from django.utils import timezone
from openpyxl import load_workbook

from cases.models import CoverAccess
from tests.helpers import TODAY, disclosure_pdf
from tests.referrals.conftest import pdf_text
from tests.security.test_markers import _text
from tests.security.world import MARKERS, VOLUNTEER_HINT, fill, walk_urls

SECRET = MARKERS["special_need_note"]
LABEL = "LGBTIQ*"  # the kind's label: the code itself is Art. 9 data
DISCLOSURES = {"disclosure", "documents:disclosure_zip"}


def _walk(client, user, objects, *, skip=()):
    client.force_login(user)
    # Another app's page failing (500) is its own test's business; it shows nothing here.
    client.raise_request_exception = False
    pages = []
    for pattern, name in walk_urls():
        if name == "logout" or name in skip:
            continue
        for side in objects:
            try:
                url = fill(name, pattern, side.params)
            except KeyError:  # a parameter the shared world does not build (yet)
                continue
            response = client.get(url, follow=True)
            if response.status_code == 200:
                pages.append((name, _text(response)))
    return pages


def test_no_one_but_caseworkers_and_supervisors_see_a_special_need(client, world):
    users, a, b = world
    for username in ("olga", "vera", "cody", "adam", "dora"):
        pages = _walk(client, users[username], (a, b), skip=DISCLOSURES)
        assert pages, username
        for name, text in pages:
            assert SECRET not in text, f"special need note shown to {username} on {name}"
            assert LABEL not in text, f"special need kind shown to {username} on {name}"


def test_the_volunteer_sees_the_hint_only(client, world):
    users, a, _b = world
    client.force_login(users["vera"])
    text = _text(client.get(f"/volunteer/{a.params['accompaniment_code']}/"))
    assert VOLUNTEER_HINT in text
    assert SECRET not in text and LABEL not in text


def test_a_colleague_covering_with_a_reason_does_not_see_them(client, world):
    users, a, _b = world
    CoverAccess.objects.create(
        case=a.params["_case"],
        user=users["bob"],
        reason="Vertretung",
        expires_at=timezone.now() + datetime.timedelta(hours=4),
    )
    client.force_login(users["bob"])
    assert client.get(f"/cases/{a.params['code']}/").status_code == 200  # the cover works
    for name, text in _walk(client, users["bob"], (a,)):
        assert SECRET not in text, f"special need shown to bob (cover) on {name}"
        assert LABEL not in text, f"special need kind shown to bob (cover) on {name}"
    url = f"/cases/{a.params['code']}/plan/special/{a.params['special_code']}/"
    assert client.get(url).status_code == 404


def test_the_caseworker_and_the_supervisor_see_them(client, world):
    users, a, _b = world
    for username in ("alice", "sam"):
        client.force_login(users[username])
        plan = _text(client.get(f"/cases/{a.params['code']}/plan/"))
        assert SECRET in plan and LABEL in plan, username
        detail = _text(client.get(f"/cases/{a.params['code']}/"))
        assert LABEL in detail, username


def test_the_dpo_sees_them_in_the_persons_disclosure_only(client, world):
    users, a, _b = world
    client.force_login(users["dora"])
    case, person = a.params["code"], a.params["client_code"]
    disclosure = _text(client.get(f"/cases/{case}/clients/{person}/disclosure.json"))
    assert SECRET in disclosure
    pdf = disclosure_pdf(client, f"/cases/{case}/clients/{person}/disclosure.pdf")
    assert SECRET in pdf_text(pdf).replace("\n", "")


def test_statistics_exports_carry_counts_only(client, world):
    users, a, _b = world
    client.force_login(users["sam"])
    period = f"start={TODAY.replace(month=1, day=1)}&end={TODAY}&teams={a.params['team']}"
    csv = client.get(f"/supervision/statistics/?{period}&format=csv").content.decode("utf-8-sig")
    assert SECRET not in csv
    assert "special protection needs" in csv.lower()
    # One person with the need in the team: suppressed.
    line = next(row for row in csv.splitlines() if LABEL in row)
    assert line.endswith(";x")
    xlsx = client.get(f"/supervision/statistics/?{period}&format=xlsx").content
    cells = [
        str(c.value)
        for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows()
        for c in row
        if c.value is not None
    ]
    assert SECRET not in " ".join(cells)
