"""Two teams' worth of every kind of object, for the tests that walk all URLs."""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from cases import services as case_services
from cases.models import CoverAccess
from cases.models.imports import ImportRun
from cases.plan import services as plan_services
from cases.plan.models import NeedCategory
from cases.privacy import exports
from caseworks.house.services import organisation_save
from caseworks.models import AccountRequest
from documents import services as document_services
from documents.sanitise import sanitise
from referrals import services as referral_services
from referrals.models import LetterText
from referrals.reminders import services as reminder_services
from referrals.reminders import texts as reminder_texts
from tests.community.world import community_params  # events and newsletter
from tests.documents.conftest import photo as document_photo
from tests.helpers import TODAY, consent, make_user, open_case, refer
from tests.volunteers.world import add_volunteer_network
from visits import calendar
from visits import services as visit_services
from visits.models import Visit

# Text that must never reach office or volunteer users.
MARKERS = {
    "visit_notes": "MARKER-notiz-Kastanie",
    "referral_reason": "MARKER-grund-Holunder",
    "accompaniment_outcome": "MARKER-befund-Diagnose-Mistel",
    "consent_note": "MARKER-einwilligung-Wacholder",
    "checklist_note": "MARKER-check-Schlehe",
    "deadline_title": "MARKER-frist-Ginster",
    "contact_note": "MARKER-kontakt-Weissdorn",
    "task_title": "MARKER-wiedervorlage-Schneeball",
    "document_title": "MARKER-dokument-Mehlbeere",
    "need_notes": "MARKER-bedarf-Faulbaum",
    "special_need_note": "MARKER-schutz-Vogelbeere",
    # The case file's purpose of an accompaniment: the volunteer reads her own note instead.
    "accompaniment_purpose": "MARKER-zweck-Grenzuebertritt-Eibe",
}
# What the caseworker writes for the volunteer on the accompaniment (visits volunteer_note).
ACCOMPANIMENT_NOTE = "Hinweis-Linde: Treffpunkt am Haupteingang"
# The hint a caseworker writes for the volunteer (shown to her, unlike the need itself).
VOLUNTEER_HINT = "Hinweis-Holzapfel: bitte im Wartezimmer bleiben"


@dataclass
class Objects:
    """One team's objects; `params` fills every URL parameter."""

    params: dict


def walk_urls() -> list[tuple[str, str]]:
    """(pattern string, url name) for every routed URL except the admin's."""

    def walk(
        patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str | None = None
    ) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns == "admin":
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), (f"{namespace}:" if namespace else "") + str(p.name)

    return list(walk(get_resolver().url_patterns))


def fill(name: str, pattern: str, params: dict) -> str:
    if name == "referrals:letter_pdf":  # addressed by the referral's code
        params = {**params, "code": params["referral_code"]}
    if name.startswith("manage_import:run"):  # addressed by the import run's code
        params = {**params, "code": params["import_run_code"]}
    if name == "manage:request_detail":  # an account request, not a volunteer request
        params = {**params, "request_code": params["account_request_code"]}

    def value(match):
        return str(params[match.group(2)])

    url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, pattern)
    if name in ("supervision:drilldown", "supervision:reassign"):
        url += f"?team={params['team']}&caseworker={params['caseworker']}"
    return url


def _letter_text(actor, organisation):
    """The organisation's general letter text: written once, kept when build_team runs again
    for the same organisation (more households)."""
    existing = LetterText.objects.filter(organisation=organisation, category="").first()
    if existing is not None:
        return existing
    return referral_services.letter_text_save(
        actor=actor,
        text=LetterText(),
        organisation=organisation,
        category="",
        subject="Vermittlung: {name}",
        body="wir begleiten {name}.",
    )


def build_team(actor, supervisor, team, *, volunteer, service, last_name, marker=True):
    case = open_case(
        actor,
        team,
        last_name=last_name,
        opened_on=TODAY - datetime.timedelta(days=40),
        accommodation_address="Weg 1\n12345 Musterstadt",
    )
    client = case.clients.get()
    reference = case_services.client_reference_save(
        actor=actor, client=client, data={"kind": "bamf", "number": "1234567-423"}
    )
    visit = visit_services.visit_record(
        actor=actor,
        case=case,
        kind=Visit.Kind.FIRST,
        date=TODAY - datetime.timedelta(days=30),
        present=[client],
        duration_minutes=60,
        place="accommodation",
        topics=["housing"],
        notes=MARKERS["visit_notes"],
    )
    check = case.arrival_checks.first()
    visit_services.arrival_check_done(actor=actor, check=check, note=MARKERS["checklist_note"])
    accompaniment = visit_services.accompaniment_plan(
        actor=actor,
        case=case,
        data={
            "client": client,
            "destination_kind": "doctor",
            "destination_text": "Praxis Dr. Weiß",
            "appointment_at": timezone.now() - datetime.timedelta(hours=2),
            "purpose": MARKERS["accompaniment_purpose"],
            "volunteer_note": ACCOMPANIMENT_NOTE,
            "accompanied_by": volunteer,
        },
    )
    visit_services.accompaniment_update(
        actor=actor,
        accompaniment=accompaniment,
        expected_version=accompaniment.version,
        data={"outcome": MARKERS["accompaniment_outcome"]},
    )
    accompaniment.refresh_from_db()
    given = consent(actor, case, service)
    given.note = MARKERS["consent_note"]
    given._history_user = actor
    given.save()
    referral = refer(actor, case, service, reason=MARKERS["referral_reason"])
    referral = referral_services.referral_transition(actor=actor, referral=referral, to="ready")
    letter = referral_services.letter_issue(actor=actor, referral=referral)
    deadline = case_services.deadline_add(
        actor=actor,
        case=case,
        title=MARKERS["deadline_title"],
        due_on=TODAY + datetime.timedelta(days=5),
    )
    contact = case_services.contact_record(
        actor=actor, case=case, kind="phone", date=TODAY, note=MARKERS["contact_note"]
    )
    task = case_services.task_create(
        actor=actor, case=case, title=MARKERS["task_title"], due_on=TODAY
    )
    need = plan_services.need_create(
        actor=actor,
        case=case,
        category=NeedCategory.objects.get(key="housing"),
        goal="Wohnung",
        notes=MARKERS["need_notes"],
    )
    special = plan_services.special_need_create(
        actor=actor,
        client=client,
        kind="lgbtiq",
        note=MARKERS["special_need_note"],
        volunteer_hint=VOLUNTEER_HINT,
    )
    activity = plan_services.activity_create(
        actor=actor, client=client, kind="school", since=TODAY - datetime.timedelta(days=400)
    )
    appointment = case_services.appointment_create(
        actor=actor,
        case=case,
        persons=[client],  # whose it is: its slip names them (referrals.print_views)
        kind="school",
        starts_at=timezone.now() + datetime.timedelta(days=2),
    )
    # The person's opt-in to reminders by SMS (referrals.reminders).
    _shown, version, _reviewed = reminder_texts.opt_in_text(
        language="ar", organisation=team.organisation.name
    )
    opt_in = reminder_services.reminder_opt_in(
        actor=actor,
        client=client,
        channel="sms",
        language="ar",
        address="0170 1234567",
        text_version=version,
    )
    document = document_services.document_upload(
        actor=actor,
        case=case,
        upload=sanitise([document_photo()], max_bytes=20 * 1024 * 1024),
        kind="authority_letter",
        title=MARKERS["document_title"],
        client=client,
    )
    colleague = make_user(f"share-{last_name}", "caseworker")
    team.members.add(colleague)
    share = case_services.case_share(actor=actor, case=case, user=colleague)
    # A cover access waiting for a supervisor's approval (it opens nothing yet).
    # A hand-over waiting for the receiving team (a team nobody supervises here).
    transfer = case_services.case_transfer_request(
        actor=supervisor,
        case=case,
        to_team=type(team).objects.create(organisation=team.organisation, name=f"Nord {last_name}"),
        reason="Umverteilung nach Nord",
    )
    waiting = CoverAccess.objects.create(
        case=case,
        user=colleague,
        reason="Vertretung im Urlaub",
        expires_at=timezone.now(),
        awaiting_approval=True,
    )
    return Objects(
        params={
            "code": case.code,
            "client_code": client.code,
            "reference_code": reference.code,
            "visit_code": visit.code,
            "item": check.item,
            "accompaniment_code": accompaniment.code,
            "consent_code": given.code,
            "referral_code": referral.code,
            "deadline_code": deadline.code,
            "contact_code": contact.code,
            "task_code": task.code,
            "appointment_code": appointment.code,
            "document_code": document.code,
            "file_code": document.files.get().code,
            "share_code": share.code,
            "transfer_code": transfer.code,
            "cover_code": waiting.code,
            "opt_in_code": opt_in.code,
            "secret": "not-the-webhook-secret",
            "fmt": "json",
            "token": calendar.calendar_token_renew(user=actor),
            "_letter": letter,
            "_case": case,
            "team": team.pk,
            "caseworker": actor.pk,
            # The house setup (/manage/): a user, a team, an organisation, a service.
            "user_code": actor.manage_code.code,
            "team_code": team.code,
            "organisation_code": team.organisation.code,
            "service_code": service.code,
            # The case plan (issue 23).
            "need_code": need.code,
            "special_code": special.code,
            "activity_code": activity.code,
            "category_code": need.category.code,
            # Letter and printout texts (/manage/texts/, issue 18).
            "text_code": _letter_text(actor, team.organisation).code,
            "printout": "consent_form",
            "language": "ar",
        }
    )


def build_world(*, alice, bob, charlie, sam, sue, olga, vera, adam, cody, team_a, team_b, service):
    team_a.members.add(olga)  # the office prints for team A
    dora = make_user("dora")
    team_a.organisation.data_protection_officers.add(dora)
    # The other carrier's data protection officer (issue 31: a DPO per carrier).
    dirk = make_user("dirk")
    team_b.organisation.data_protection_officers.add(dirk)
    a = build_team(alice, sam, team_a, volunteer=vera, service=service, last_name="Karimi")
    b = build_team(charlie, sue, team_b, volunteer=None, service=service, last_name="Haile")
    for side, organisation, dpo in ((a, team_a.organisation, dora), (b, team_b.organisation, dirk)):
        # adam asks for a second DPO of the carrier: it waits for the carrier's DPO (issue 31,
        # separation of duties), whom alone of the cast the request page opens for.
        second = make_user(f"dpo-{organisation.pk}")
        organisation_save(actor=adam, organisation=organisation, data={}, dpos=[dpo, second])
        side.params["account_request_code"] = AccountRequest.objects.get(user=second).code
    # A finished caseload import (/manage/import/run/<code>/; its file is gone).
    run = ImportRun.objects.create(
        filename="umzug.csv",
        state=ImportRun.State.DONE,
        started_by=adam,
        finished_at=timezone.now(),
    )
    for side in (a, b):
        side.params["import_run_code"] = run.code
    # An Art. 15 PDF asked for and not built yet (cases.privacy.exports): by sam for team A's
    # person, by dirk (team B's carrier's DPO) for team B's. Only the one who asked sees its
    # page; nobody can download it while it waits.
    for side, requester in ((a, sam), (b, dirk)):
        person = side.params["_case"].clients.get()
        side.params["export_code"] = exports.export_request(actor=requester, person=person).code
    add_volunteer_network(a, b, alice=alice, charlie=charlie, vera=vera, cody=cody, service=service)
    a.params.update(community_params(cody=cody, volunteer=vera, side="a"))
    b.params.update(community_params(cody=cody, volunteer=None, side="b"))
    users = {
        u.username: u for u in (alice, bob, charlie, sam, sue, olga, vera, adam, cody, dora, dirk)
    }
    assert get_user_model().objects.filter(username="dora").exists()
    return users, a, b
