"""Every routed URL, for every role, on an object of team A and of team B.

The URL list comes from the resolver: a new view fails this test until its row is added to
EXPECTED. 200 shown; 302 sent on (anonymous users to the login, a team colleague to the
cover page, GET on the language switch); 404 not there for this user; 405 wrong method.

Only statuses and headers count here, so pages are loaded but not rendered (as pretix's
permission tests do; PDFs and mails still are): 4,000 requests in a fraction of the time. Every
page is rendered for real
elsewhere, for each role that may open it: tests/security/test_query_fuzz.py (every GET page
with status 200, then its forms parsed) and tests/security/test_markers.py (the caseworker's,
office's and volunteer's walks).
"""

import types

import django.shortcuts
import pytest
from django.template import loader
from django.template.response import SimpleTemplateResponse

from tests.security.test_markers import snapshot
from tests.security.world import MARKERS, fill, walk_urls

USERS = [
    *("anon", "alice", "bob", "charlie", "sam", "sue", "olga", "vera", "dora", "adam", "cody"),
    "dirk",
]
# Team A: alice owns the case, bob is her team colleague, sam supervises, olga prints for A,
# vera accompanies A's appointment. Team B: charlie owns the case, sue supervises.
# dora is the data protection officer of team A's carrier, dirk of team B's (no role: a column
# per carrier, issue 31); adam is the administrator; cody coordinates the volunteers (no case
# files).
R, X, M = 302, 404, 405
EVERYONE_SIGNED_IN = [R] + [200] * 11
# Caseworker and supervisor of the object's own team only.
OWN_TEAM = ([R, 200, X, X, 200, X, X, X, X, X, X, X], [R, X, X, 200, X, 200, X, X, X, X, X, X])
OWN_TEAM_AND_COORDINATOR = (
    [R, 200, X, X, 200, X, X, X, X, X, 200, X],
    [R, X, X, 200, X, 200, X, X, X, X, 200, X],
)
POST_ONLY = [R] + [M] * 11
ADMIN_ONLY = [R, X, X, X, X, X, X, X, X, 200, X, X]
COORDINATOR_ONLY = [R, X, X, X, X, X, X, X, X, X, 200, X]
# vera's own record, offer and tandem on team A's side; another volunteer's on team B's.
VERA_OWN = ([R, X, X, X, X, X, X, 200, X, X, X, X], [R] + [X] * 11)

EXPECTED = {
    # name: statuses on team A's objects, and on team B's where they differ
    "home": [R] * 12,  # dora: to the access log; adam: to the house setup; cody: volunteers
    "manage:index": ADMIN_ONLY,
    "manage_import:upload": ADMIN_ONLY,
    "manage_import:confirm": POST_ONLY,
    "manage_import:template": ADMIN_ONLY,
    # A finished run (world.py); continuing or undoing one is a POST.
    "manage_import:run": ADMIN_ONLY,
    "manage_import:run_continue": POST_ONLY,
    "manage_import:run_undo": POST_ONLY,
    "volunteers:register": COORDINATOR_ONLY,
    "volunteers:new": COORDINATOR_ONLY,
    "volunteers:detail": COORDINATOR_ONLY,
    "volunteers:edit": COORDINATOR_ONLY,
    "volunteers:pledge": COORDINATOR_ONLY,
    "volunteers:export": [R, X, X, X, X, X, X, X, 200, X, 200, 200],
    "volunteers:requests": COORDINATOR_ONLY,
    "volunteers:request_detail": (
        [R, 200, X, X, 200, X, X, X, X, X, 200, X],
        [R, X, X, 200, X, 200, X, X, X, X, 200, X],
    ),
    "volunteers_case:request_new": OWN_TEAM,
    "volunteers:tandems": COORDINATOR_ONLY,
    "volunteers:tandem_new": COORDINATOR_ONLY,
    "volunteers:tandem_detail": COORDINATOR_ONLY,
    "volunteers:figures": COORDINATOR_ONLY,
    "volunteers:me": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "volunteers:me_availability": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "volunteers:me_hours": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "volunteers:me_offer": VERA_OWN,
    "volunteers:me_tandem": VERA_OWN,
    # The language mediators' pool and bookings: the coordinator; a booking also for the case's
    # own team (booking needs the house's setting, off here); vera's own booking as mediator.
    "volunteers:mediators": COORDINATOR_ONLY,
    "volunteers:mediator_new": COORDINATOR_ONLY,
    "volunteers:mediator_edit": COORDINATOR_ONLY,
    "volunteers:mediator_active": COORDINATOR_ONLY,
    "volunteers:mediation": COORDINATOR_ONLY,
    "volunteers:booking": OWN_TEAM_AND_COORDINATOR,
    "volunteers:booking_book": COORDINATOR_ONLY,
    "volunteers:booking_record": COORDINATOR_ONLY,
    "volunteers:booking_cancel": OWN_TEAM_AND_COORDINATOR,
    "volunteers:me_interpreting": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "volunteers:me_interpreting_detail": VERA_OWN,
    "volunteers_case:mediation_visit": OWN_TEAM,
    "volunteers_case:mediation_accompaniment": OWN_TEAM,
    "volunteers_case:mediation_contact": OWN_TEAM,
    "volunteers_case:mediation_appointment": OWN_TEAM,
    "manage:user_list": ADMIN_ONLY,
    "manage:user_create": ADMIN_ONLY,
    "manage:user_detail": ADMIN_ONLY,
    "manage:user_deactivate": ADMIN_ONLY,
    "manage:user_activate": ADMIN_ONLY,
    "manage:user_password": ADMIN_ONLY,
    "manage:user_enrolment_code": ADMIN_ONLY,
    "manage:user_unlock": ADMIN_ONLY,
    # Requests wait for a second person: an administrator or a carrier's DPO has the list.
    # adam asked for a second DPO of each carrier (world.py): only that carrier's DPO decides
    # it; adam, who asked, and the other carrier's DPO get 404.
    "manage:request_list": [R, X, X, X, X, X, X, X, 200, 200, X, 200],
    "manage:request_detail": (
        [R, X, X, X, X, X, X, X, 200, X, X, X],
        [R, X, X, X, X, X, X, X, X, X, X, 200],
    ),
    "manage:organisation_list": ADMIN_ONLY,
    # A carrier's directory sign-in (world: none set up): the mappings page sends the
    # administrator to set it up; its public sign-in pages do not exist (404).
    "manage:directory_list": ADMIN_ONLY,
    "manage:directory_edit": ADMIN_ONLY,
    "manage:directory_mappings": [R, X, X, X, X, X, X, X, X, R, X, X],
    "directory_start": [X] * 12,
    "directory_callback": [X] * 12,
    "directory_backchannel_logout": [M] * 12,
    "manage:organisation_create": ADMIN_ONLY,
    "manage:organisation_edit": ADMIN_ONLY,
    "manage:team_list": ADMIN_ONLY,
    "manage:team_create": ADMIN_ONLY,
    "manage:team_edit": ADMIN_ONLY,
    "manage:language_list": ADMIN_ONLY,
    # Without ?text= (which text to decide) the administrator's answer is 404 too; the page
    # itself: tests/manage/test_languages.py.
    "manage:language_resolve": [R] + [X] * 11,
    "manage:service_list": ADMIN_ONLY,
    "manage:service_create": ADMIN_ONLY,
    "manage:service_edit": ADMIN_ONLY,
    "manage:service_deactivate": ADMIN_ONLY,
    "manage:service_activate": ADMIN_ONLY,
    "login": [200, R, R, R, R, R, R, R, R, R, R, R],
    "logout": [M] * 12,
    # "Stay signed in": a request that extends one's own session, 204 and nothing else.
    "session_alive": [R] + [204] * 11,
    "password_change": EVERYONE_SIGNED_IN,
    "password_change_done": EVERYONE_SIGNED_IN,
    "otp_verify": [R] * 12,  # second factor off in this run: sent to set-up
    "otp_setup": EVERYONE_SIGNED_IN,
    "security": EVERYONE_SIGNED_IN,
    "access_reset": [200] * 12,  # public: the mailed one-time code is the credential
    "set_language": [R] * 12,
    "cases:list": [R, 200, 200, 200, 200, 200, X, X, X, X, X, X],
    "cases:create": [R, 200, 200, 200, 200, 200, X, X, X, X, X, X],
    "cases:detail": ([R, 200, R, X, 200, X, X, X, X, X, X, X], OWN_TEAM[1]),
    "cases:history": OWN_TEAM,
    "moving:summary": OWN_TEAM,
    "moving:packet": OWN_TEAM,
    "moving:transfer_request": (
        [R, X, X, X, 200, X, X, X, X, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, X],
    ),
    "moving:transfer_list": [R, X, X, X, 200, 200, X, X, X, X, X, X],
    "moving:transfer_decide": (
        [R, X, X, X, 200, X, X, X, X, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, X],
    ),
    "moving:transfer_withdraw": POST_ONLY,
    # The sending carriers' records of hand-overs across carriers: the DPOs' (each reads
    # their own carrier's rows).
    "moving:transfer_records": [R, X, X, X, X, X, X, X, 200, X, X, 200],
    "cases:edit": OWN_TEAM,
    "cases:assign": (
        [R, X, X, X, 200, X, X, X, X, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, X],
    ),
    "cases:share": OWN_TEAM,
    "cases:close": ([R, X, X, X, 200, X, X, X, X, X, X, X], [R, X, X, X, X, 200, X, X, X, X, X, X]),
    "cases:cover": ([R, X, 200, X, X, X, X, X, X, X, X, X], [R] + [X] * 11),
    "cases:deadlines": OWN_TEAM,
    "cases:deadline_done": OWN_TEAM,
    "cases:deadline_undo": POST_ONLY,
    "cases:contact_new": OWN_TEAM,
    "cases:contact_edit": OWN_TEAM,
    "cases:task_new": OWN_TEAM,
    "cases:task_edit": OWN_TEAM,
    "cases:task_done": OWN_TEAM,
    "cases:appointment_new": OWN_TEAM,
    "cases:appointment_edit": OWN_TEAM,
    "cases:appointment_cancel": OWN_TEAM,
    "case_visits:visit_cancel": OWN_TEAM,
    "case_visits:accompaniment_detail": OWN_TEAM,
    "case_visits:accompaniment_outcome": OWN_TEAM,
    "case_visits:accompaniment_cancel": OWN_TEAM,
    "volunteer:did_not_take_place": ([R, X, X, X, X, X, X, 200, X, X, X, X], [R] + [X] * 11),
    "volunteer:did_not_take_place_undo": POST_ONLY,
    # The case is open: the supervisor's reopen page is read-only (cases.views.assignment).
    "cases:reopen": (
        [R, X, X, X, 200, X, X, X, X, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, X],
    ),
    "cases:unshare": POST_ONLY,
    "cases:client_add": OWN_TEAM,
    "cases:client_edit": OWN_TEAM,
    "cases:status_add": OWN_TEAM,
    "cases:client_references": OWN_TEAM,
    "cases:client_reference_edit": OWN_TEAM,
    # Each carrier's DPO discloses its own carrier's persons only.
    "disclosure": (
        [R, X, X, X, 200, X, X, X, 200, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, 200],
    ),
    # The PDF's page (world.py: asked for by sam on A, by dirk on B) is the requester's only,
    # even for the carrier's DPO or the team's supervisor who may ask themselves; while the
    # PDF waits to be built, nobody downloads it.
    "disclosure_status": (
        [R, X, X, X, 200, X, X, X, X, X, X, X],
        [R, X, X, X, X, X, X, X, X, X, X, 200],
    ),
    "disclosure_download": [R] + [X] * 11,
    "access_log": [R, X, X, X, X, X, X, X, 200, X, X, 200],
    # Every DPO has a retention page (sent to their carrier's report); each carrier's report
    # is its DPO's only.
    "retention_reports": [R, X, X, X, X, X, X, X, R, X, X, R],
    "retention_report": (
        [R, X, X, X, X, X, X, X, 200, X, X, X],
        [R, X, X, X, X, X, X, X, X, X, X, 200],
    ),
    # The DPO's person search (issue 36) and their carrier's retention run: a dry run is a
    # POST; the run for real asks for a confirmation first.
    "dpo_people": [R, X, X, X, X, X, X, X, 200, X, X, 200],
    "retention_dry_run": POST_ONLY,
    "retention_run": (
        [R, X, X, X, X, X, X, X, 200, X, X, X],
        [R, X, X, X, X, X, X, X, X, X, X, 200],
    ),
    "joint_arrangement": [R, X, X, X, X, X, X, X, 200, 200, X, 200],
    "case_visits:visit_new": OWN_TEAM,
    "case_visits:visit_detail": OWN_TEAM,
    "case_visits:visit_edit": OWN_TEAM,
    "case_visits:check_done": POST_ONLY,
    "case_visits:accompaniment_new": OWN_TEAM,
    "case_visits:accompaniment_edit": OWN_TEAM,
    "referrals_case:consent_new": OWN_TEAM,
    "referrals_case:consent_revoke": OWN_TEAM,
    "referrals_case:referral_new": OWN_TEAM,
    "referrals_case:referral_detail": OWN_TEAM,
    "referrals_case:referral_transition": POST_ONLY,
    "referrals_case:referral_preview": OWN_TEAM,
    "referrals_case:referral_print": POST_ONLY,
    "referrals_case:printouts": OWN_TEAM,
    "referrals_case:info_sheet": POST_ONLY,
    "referrals_case:consent_form": OWN_TEAM,
    "referrals_case:consent_signed": POST_ONLY,
    "referrals_case:accompaniment_slip": OWN_TEAM,
    "referrals_case:appointment_slip": OWN_TEAM,
    # Reminders by SMS and e-mail: the case's opt-ins and log, the opt-in, the opt-out.
    "referrals_case:reminders": OWN_TEAM,
    "referrals_case:reminder_opt_in": OWN_TEAM,
    "referrals_case:reminder_opt_out": OWN_TEAM,
    # The DPO's message log of their carrier (metadata only).
    "dpo_reminder_log": [R, X, X, X, X, X, X, X, 200, X, X, 200],
    # The SMS gateway's callbacks: the secret in the URL is the credential (a wrong one: 404).
    "sms_webhook": [X] * 12,
    "referrals_manage:index": ADMIN_ONLY,
    "referrals_manage:letter_text_new": ADMIN_ONLY,
    "referrals_manage:letter_text_edit": ADMIN_ONLY,
    "referrals_manage:print_texts_edit": ADMIN_ONLY,
    "referrals:list": [R, 200, 200, 200, 200, 200, X, X, X, X, X, X],
    "referrals:letter_archive": [R, X, X, X, X, X, 200, X, X, X, X, X],
    "referrals:print_queue": [R, X, X, X, X, X, 200, X, X, X, X, X],
    "referrals:letter_pdf": ([R, 200, X, X, 200, X, 200, X, X, X, X, X], OWN_TEAM[1]),
    "supervision:dashboard": [R, X, X, X, 200, 200, X, X, X, X, X, X],
    "supervision:drilldown": (
        [R, X, X, X, 200, X, X, X, X, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, X],
    ),
    "supervision:reassign": (
        [R, X, X, X, 200, X, X, X, X, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, X],
    ),
    "supervision:statistics": [R, X, X, X, 200, 200, X, X, X, X, X, X],
    "supervision:cover_approve": POST_ONLY,
    "visits:week": [R, 200, 200, 200, 200, 200, X, X, X, X, X, X],
    "visits:calendar": EVERYONE_SIGNED_IN,
    "visits:calendar_feed": [200] * 12,  # the secret in the URL is the credential
    # Visits without signal (visits.offline): the shell, the day's references and the drafts'
    # key for those who record visits; the worker and the manifest hold nobody's data.
    "visits:offline": [R, 200, 200, 200, 200, 200, X, X, X, X, X, X],
    "visits:offline_day": [R, 200, 200, 200, 200, 200, X, X, X, X, X, X],
    "visits:offline_session": [R, 200, 200, 200, 200, 200, X, X, X, X, X, X],
    "visits:offline_send": POST_ONLY,
    "visits:offline_sw": [200] * 12,
    "visits:offline_manifest": [200] * 12,
    "documents:list": OWN_TEAM,
    "documents:upload": OWN_TEAM,
    "documents:detail": OWN_TEAM,
    "documents:file": OWN_TEAM,
    "documents:download": OWN_TEAM,
    "documents:version_download": OWN_TEAM,
    "documents:replace": OWN_TEAM,
    "documents:delete": OWN_TEAM,
    "documents:deadlines": OWN_TEAM,
    "documents:disclosure_zip": (
        [R, X, X, X, 200, X, X, X, 200, X, X, X],
        [R, X, X, X, X, 200, X, X, X, X, X, 200],
    ),
    "plan:plan": OWN_TEAM,
    "plan:need_new": OWN_TEAM,
    "plan:need_edit": OWN_TEAM,
    "plan:need_finish": OWN_TEAM,
    "plan:special_new": OWN_TEAM,
    "plan:special_edit": OWN_TEAM,
    "plan:activity_new": OWN_TEAM,
    "plan:activity_edit": OWN_TEAM,
    "plan:category_list": ADMIN_ONLY,
    "plan:category_new": ADMIN_ONLY,
    "plan:category_edit": ADMIN_ONLY,
    "volunteer:list": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "volunteer:detail": ([R, X, X, X, X, X, X, 200, X, X, X, X], [R] + [X] * 11),
    # Events and newsletter (community): the coordinator's pages, vera's own, public pages.
    "events:list": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "events:new": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "events:figures": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "events:detail": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "events:edit": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "events:attendance": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "events:mine": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "events:mine_detail": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "events:invitation": [R, X, X, X, X, X, X, 200, X, X, 200, X],
    "events:registration_cancel": POST_ONLY,
    # A: vera's own attended registration; B: another volunteer's.
    "events:certificate": (
        [R, X, X, X, X, X, X, 200, X, X, 200, X],
        [R, X, X, X, X, X, X, X, X, X, 200, X],
    ),
    "newsletter:list": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "newsletter:new": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "newsletter:detail": [R, X, X, X, X, X, X, X, X, X, 200, X],
    "newsletter:edit": [R, X, X, X, X, X, X, X, X, X, 200, X],
    # The confirmation before sending; the world's issue has nobody to send to: its page.
    "newsletter:send": [R, X, X, X, X, X, X, X, X, X, R, X],
    "newsletter:me": [R, X, X, X, X, X, X, 200, X, X, X, X],
    "newsletter:subscribe": [200] * 12,  # public
    "newsletter:subscribe_sent": [200] * 12,
    "newsletter:confirm": [200] * 12,  # the token in the URL is the credential
    "newsletter:unsubscribe": [200] * 12,
}


def _page_loaded_not_rendered(template_name, context=None, request=None, using=None) -> str:
    loader.select_template([template_name] if isinstance(template_name, str) else template_name)
    return ""


@pytest.fixture(autouse=True)
def statuses_only(monkeypatch):
    """A page's template loads (a syntax error still fails) but renders as an empty page:
    through django.shortcuts.render and TemplateResponse. What views render themselves (a
    letter's PDF, a mail) stays as it is."""
    pages = types.SimpleNamespace(render_to_string=_page_loaded_not_rendered)
    monkeypatch.setattr(django.shortcuts, "loader", pages)
    monkeypatch.setattr(
        SimpleTemplateResponse,
        "rendered_content",
        property(lambda self: self.resolve_template(self.template_name) and ""),
    )


def _expected(name, side):
    value = EXPECTED[name]
    if isinstance(value, tuple):
        return value[0] if side == "A" else value[1]
    return value


def test_every_url_for_every_role(client, world):
    users, a, b = world
    urls = walk_urls()
    assert {name for _p, name in urls} == set(EXPECTED), "add the new URL to EXPECTED"
    wrong = []
    for pattern, name in urls:
        for side, objects in (("A", a), ("B", b)):
            url = fill(name, pattern, objects.params)
            for username, expected in zip(USERS, _expected(name, side), strict=True):
                client.logout()
                if username != "anon":
                    client.force_login(users[username])
                response = client.get(url)
                if response.status_code != expected:
                    wrong.append(
                        f"{name} {side} {username}: {response.status_code}, expected {expected}"
                    )
                if response.status_code == 200:
                    # Every page: no copy in any cache, a strict CSP.
                    if "no-store" not in response.get("Cache-Control", ""):
                        wrong.append(f"{name} {side} {username}: no Cache-Control: no-store")
                    if "default-src 'none'" not in response.get("Content-Security-Policy", ""):
                        wrong.append(f"{name} {side} {username}: no CSP")
    assert not wrong, "\n".join(wrong)


def test_another_teams_caseworker_cannot_post_to_anything(client, world):
    """A POST (with the fields the forms expect, empty) to team A's objects by team B's
    caseworker, and by office and volunteer users, changes nothing: 404 or 405."""
    users, a, _b = world
    before = snapshot()
    for username in ("charlie", "olga", "vera", "dora", "dirk"):
        client.force_login(users[username])
        for pattern, name in walk_urls():
            if "<" not in pattern and name not in ("supervision:reassign", "access_log"):
                continue  # pages of the user's own (lists, account): nothing of team A
            url = fill(name, pattern, a.params)
            if name in ("newsletter:confirm", "newsletter:unsubscribe") or (
                (name, username)
                in (("events:mine_detail", "vera"), ("events:registration_cancel", "vera"))
            ):
                continue  # the token, or her own registration, allows it (tests/community)
            if (name, username) == ("manage:request_detail", "dora"):
                continue  # her carrier's request is hers to decide (tests/manage)
            if (name, username) in (("retention_dry_run", "dora"), ("retention_run", "dora")):
                continue  # her carrier's retention (tests/caseworks/test_dpo_retention.py)
            response = client.post(url, {"reason": "x", "note": "x", "to": users["charlie"].pk})
            expected = {404, 405}
            if name == "disclosure" and username != "dora":  # dora may ask for A's PDF
                # Asking for the PDF is a POST that records an export: 404 as the page.
                pdf = client.post(fill(name, pattern, {**a.params, "fmt": "pdf"}))
                assert pdf.status_code == 404, (name, "pdf", username, pdf.status_code)
            if (name, username) in (
                ("access_log", "dora"),
                ("access_log", "dirk"),
                ("referrals:letter_pdf", "olga"),
            ):
                expected = {405}  # their own pages, read-only
            if (name, username) in (
                ("volunteer:detail", "vera"),
                ("volunteer:did_not_take_place", "vera"),
                ("volunteers:me_offer", "vera"),
            ):
                expected = {200}  # her accompaniment: its forms, re-shown with errors
            if (name, username) == ("volunteer:did_not_take_place_undo", "vera"):
                expected = {302}  # her accompaniment, not reported: nothing to take back
            assert response.status_code in expected, (name, username, response.status_code)
    assert snapshot() == before
    assert MARKERS  # the world carried the markers through every table
