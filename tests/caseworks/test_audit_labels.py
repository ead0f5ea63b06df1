"""Issue 36, item 8: the access log reads in words — a German label for every action code and
role, local times in German format — not in codes and UTC."""

import datetime
import re
from pathlib import Path

import time_machine
from django.test import Client as Browser

from caseworks.access.roles import Role
from caseworks.audit.labels import ACTIONS, ROLES, local_time
from caseworks.models import AccessLog

ROOT = Path(__file__).resolve().parents[2]
APPS = ("caseworks", "cases", "visits", "referrals", "documents", "volunteers", "community")
PREFIXES = (
    "user|role|manage|case|client|intake|import|document|letter|referral|visit|volunteer|"
    "tandem|event|accompaniment|appointment|consent|info_sheet|special_need|dpo|retention|"
    "directory"
)
# A dotted string that is an action code: passed as an action, or as _log_user's/_log's.
CODE = re.compile(rf'"((?:{PREFIXES})\.[a-z_]+(?:\.[a-z_]+)?)"')
NOT_ACTIONS = {"cases.import", "cases.view_case", "plan.need_sources", "plan.need_servers"}


def codes_in_sources() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for line in path.read_text().splitlines():
                if "getLogger" in line or "Registry(" in line:
                    continue
                found.update(CODE.findall(line))
    return {code for code in found if not code.endswith(".") and code not in NOT_ACTIONS}


def test_it_has_a_label_for_every_action_code_the_code_writes():
    codes = codes_in_sources()
    assert {"case.viewed", "user.roles_changed", "manage.user.roles_changed"} <= codes
    assert codes - set(ACTIONS) == set(), "label these codes in caseworks/audit/labels.py"


def test_it_names_every_role_and_times_in_german():
    assert set(Role.values) | {"dpo"} == set(ROLES)
    moment = datetime.datetime(2026, 12, 9, 22, 0, tzinfo=datetime.UTC)
    assert local_time(moment) == "09.12.2026, 23:00"
    assert local_time("2026-12-09T22:00+00:00") == "09.12.2026, 23:00"


def test_the_access_log_shows_labels_roles_and_local_times(dora, adam, alice):
    with time_machine.travel(datetime.datetime(2026, 12, 9, 22, 0, tzinfo=datetime.UTC)):
        AccessLog.objects.create(
            user=adam,
            username="adam",
            action="user.roles_changed",
            object_type="user",
            object_label="alice",
            detail={"added": ["caseworker", "dpo"], "removed": ["supervisor"]},
        )
    AccessLog.objects.create(
        user=adam,
        username="adam",
        action="user.enrolment_code_issued",
        object_type="user",
        object_label="alice",
        detail={"valid_until": "2026-12-09T22:00+00:00"},
    )
    AccessLog.objects.create(
        user=alice, username="alice", action="case.viewed", object_type="case", object_label="X"
    )
    browser = Browser(HTTP_ACCEPT_LANGUAGE="de")
    browser.force_login(dora)
    page = browser.get("/audit/").content.decode()
    assert "Rollen geändert" in page and "Fallakte geöffnet" in page
    assert "hinzugefügt: Fachkraft, Datenschutzbeauftragte/r" in page
    assert "entfernt: Leitung" in page
    assert "09.12.2026, 23:00" in page and "gültig bis 09.12.2026, 23:00" in page
    for raw in ("case.viewed", "user.roles_changed", "caseworker", "+00:00"):
        assert raw not in page.split("<main", 1)[1], raw
