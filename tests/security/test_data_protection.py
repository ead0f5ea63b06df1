"""Disclosure (Art. 15), retention, and the data protection officer's access log."""

import datetime
import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from cases import services as case_services
from cases.models import Case, Client, DisclosureExport
from cases.privacy import exports, pdf, views
from cases.privacy.retention import apply_retention
from caseworks.extensions.personal_data import (
    not_person_data,
    person_data,
    person_data_held_in_bulk,
    person_data_sources,
)
from caseworks.fields import BlindIndexField, EncryptedMixin, LanguageCodesField
from caseworks.models import AccessLog, RetentionRun
from referrals.models import Letter, Referral
from referrals.services import letter_issue
from tests.helpers import TODAY, consent, disclosure_pdf, open_case, refer
from tests.referrals.conftest import pdf_text
from tests.visits.conftest import plan, record
from visits.models import Visit

YEAR = datetime.timedelta(days=365)


PROJECT_APPS = {
    "caseworks",
    "cases",
    "documents",
    "visits",
    "referrals",
    "volunteers",
    "community",
    "demo",
}


def unclassified_models() -> list[str]:
    """Models of the project's apps that no app registered, neither as a source of personal
    data nor as holding none (nor as holding it in bulk for a while)."""
    listed = {s.label for s in person_data_sources()} | not_person_data()
    listed |= person_data_held_in_bulk()
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        if model.__name__.startswith("Historical") or model._meta.auto_created:
            continue
        if "UserObjectPermission" in model.__name__ or "GroupObjectPermission" in model.__name__:
            continue
        if model._meta.label not in listed:
            missing.append(model._meta.label)
    return missing


def test_every_model_is_registered_as_person_data_or_not(db):
    """Each app registers its models in AppConfig.ready(): a new model that no app declares
    (as a source of personal data, or as holding none) fails here."""
    assert unclassified_models() == []


def test_each_model_is_classified_once(db):
    """A model is a source, free of client data, or holds it in bulk: never two of these."""
    sources = {s.label for s in person_data_sources()}
    free, bulk = not_person_data(), person_data_held_in_bulk()
    assert not sources & free and not sources & bulk and not free & bulk
    # The import run's file and a disclosure PDF waiting for its download are client data
    # (issue 35): not declared free of it.
    assert {"cases.ImportRun", "cases.DisclosureExport"} <= bulk
    assert "caseworks.AccountRequest" in free  # staff accounts, like the access log's


# --- disclosure -------------------------------------------------------------------------------


@pytest.fixture
def person(alice, alice_case, mbe):
    client = alice_case.clients.get()
    case_services.client_update(
        actor=alice,
        client=client,
        expected_version=client.version,
        data={
            "phone": "0151 1234567",
            "email": "ahmad@example.org",
            "gender": "male",
            "nationality": "AF",
            "languages": "Dari, Paschtu",
            "interpreter_needed": True,
        },
    )
    client.refresh_from_db()
    case_services.client_reference_save(
        actor=alice, client=client, data={"kind": "bamf", "number": "8123456-423"}
    )
    record(alice, alice_case, kind=Visit.Kind.FIRST, present=[client], notes="Notiz Kolibri")
    plan(
        alice,
        alice_case,
        when=datetime.datetime.now(datetime.UTC) + YEAR / 52,
        purpose="Termin Hausarzt Lavendel",
    )
    consent(alice, alice_case, mbe)
    referral = refer(alice, alice_case, mbe)
    from referrals.services import referral_transition

    referral = referral_transition(actor=alice, referral=referral, to="ready")
    letter_issue(actor=alice, referral=referral)
    return client


def test_the_disclosure_holds_every_stored_field_of_the_person(client, sam, person):
    client.force_login(sam)
    assert client.get(f"/cases/{person.case.code}/").status_code == 200  # logged
    response = client.get(f"/cases/{person.case.code}/clients/{person.code}/disclosure.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    stored = Client.objects.get(pk=person.pk)
    for field in Client._meta.concrete_fields:
        if isinstance(field, BlindIndexField):
            assert field.name not in data["person"]
            continue
        value = getattr(stored, field.attname)
        shown = data["person"][field.name]
        if field.name == "case":
            assert shown == str(stored.case)
        elif field.choices:
            assert shown == str(getattr(stored, f"get_{field.name}_display")())
        elif isinstance(field, LanguageCodesField):
            assert value == ["prs", "pus"] and shown == "Dari, Pashto"  # names, not codes
        elif isinstance(value, datetime.datetime):
            assert shown[:16] == value.astimezone().isoformat()[:16]
        elif isinstance(value, datetime.date):
            assert shown == value.isoformat()
        else:
            assert shown == (value if isinstance(value, bool | int) else str(value)), field.name
    text = json.dumps(data, ensure_ascii=False)
    for expected in (
        "Notiz Kolibri",
        "Termin Hausarzt Lavendel",
        "8123456-423",
        "Geheimer Grund Quarzsand",
        "Migrationsberatung MBE",
        "Vermittlung",
    ):
        assert expected in text, expected
    assert data["residence_statuses"] and data["letters"] and data["consents"]
    changes = {(h["record"], h["change"]) for h in data["history"]}
    assert ("client", "Created") in changes and ("client", "Changed") in changes
    viewed = [e for e in data["access_log"] if e["action"] == "case.viewed"]
    assert viewed and viewed[0]["by"] == "sam"
    # The export itself is logged.
    assert AccessLog.objects.filter(action="client.disclosure.json", username="sam").exists()


def test_the_disclosure_pdf_reads_as_text(client, sam, person):
    client.force_login(sam)
    url = f"/cases/{person.case.code}/clients/{person.code}/disclosure.pdf"
    text = pdf_text(disclosure_pdf(client, url))
    for expected in ("Art. 15", "Karimi", "0151 1234567", "Notiz Kolibri", "8123456-423"):
        assert expected in text, expected


@pytest.mark.parametrize("fmt", ["pdf", "json"])
def test_the_export_is_logged_only_once_it_succeeded(client, sam, person, monkeypatch, fmt):
    def fail(*args, **kwargs):
        raise RuntimeError("the export failed (a worker timeout, say)")

    if fmt == "pdf":
        monkeypatch.setattr(pdf, "render_pdf", fail)
    else:
        monkeypatch.setattr(views, "disclosure_json", fail)
    client.force_login(sam)
    client.raise_request_exception = False
    url = f"/cases/{person.case.code}/clients/{person.code}/disclosure.{fmt}"
    if fmt == "pdf":  # built by the worker: it fails there, and there is nothing to download
        status_url = client.post(url)["Location"]
        built = exports.export_build_next()
        assert built is not None and built.status == DisclosureExport.Status.FAILED
        assert client.get(f"{status_url}auskunft.pdf").status_code == 404
    else:
        assert client.get(url).status_code == 500
    assert not AccessLog.objects.filter(action=f"client.disclosure.{fmt}").exists()
    monkeypatch.undo()
    if fmt == "pdf":
        assert disclosure_pdf(client, url).startswith(b"%PDF")
    else:
        assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(action=f"client.disclosure.{fmt}").count() == 1


def _visits(case, person, user, n, start=0):
    """n visits of `person` with their history rows, written in bulk (as the city data)."""
    from simple_history.utils import bulk_create_with_history

    visits = bulk_create_with_history(
        [
            Visit(
                case=case,
                kind=Visit.Kind.FOLLOW_UP,
                date=TODAY - datetime.timedelta(days=start + i + 1),
                notes=f"Besuch {start + i}",
                recorded_by=user,
            )
            for i in range(n)
        ],
        Visit,
        default_user=user,
    )
    through = Visit.present.through
    through.objects.bulk_create([through(visit_id=v.pk, client_id=person.pk) for v in visits])


def test_the_disclosure_needs_no_query_a_row(client, sam, alice, alice_case):
    """The queries do not grow with the visits (a person with 2,000 visits timed out)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    person = alice_case.clients.get()
    url = f"/cases/{alice_case.code}/clients/{person.code}/disclosure.json"
    client.force_login(sam)
    counts = []
    for start, n in ((0, 3), (3, 30)):
        _visits(alice_case, person, alice, n, start=start)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert len(json.loads(response.content)["visits"]) == 33
    assert counts[0] == counts[1], counts


def test_only_the_teams_supervisor_and_the_dpo_may_export(
    client, person, alice, charlie, sue, olga, vera, dora
):
    url = f"/cases/{person.case.code}/clients/{person.code}/disclosure.json"
    for user in (alice, charlie, sue, olga, vera):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.username
    client.force_login(dora)
    assert client.get(url).status_code == 200
    assert client.get(url.replace(".json", ".xml")).status_code == 404


# --- retention --------------------------------------------------------------------------------


def _closed_case(alice, sam, team, years_ago, name):
    opened = TODAY - (years_ago + 1) * YEAR
    case = open_case(alice, team, last_name=name, opened_on=opened)
    case_services.case_close(
        actor=sam, case=case, reason="moved_away", closed_on=TODAY - years_ago * YEAR
    )
    return case


def test_retention_removes_an_old_case_with_history_and_letters(alice, sam, team_a, mbe, client):
    old = open_case(alice, team_a, last_name="Altfall", opened_on=TODAY - 5 * YEAR)
    record(
        alice,
        old,
        kind=Visit.Kind.FIRST,
        date=TODAY - 5 * YEAR + YEAR / 12,
        present=[old.clients.get()],
        notes="alt",
    )
    consent(alice, old, mbe, signed_on=TODAY - 5 * YEAR + YEAR / 12)
    from referrals.services import referral_transition

    referral = referral_transition(actor=alice, referral=refer(alice, old, mbe), to="ready")
    letter_issue(actor=alice, referral=referral)
    client.force_login(alice)
    assert client.get(f"/cases/{old.code}/").status_code == 200  # an access log entry
    # The ready referral is still open: the supervisor acknowledges it when closing.
    case_services.case_close(
        actor=sam,
        case=old,
        reason="moved_away",
        closed_on=TODAY - 4 * YEAR,
        acknowledged=[item.key for item in case_services.case_open_items(old)],
    )
    young = _closed_case(alice, sam, team_a, 2, "Jungfall")
    current = open_case(alice, team_a, last_name="Offen")
    old_clients = list(old.clients.values_list("pk", flat=True))

    # A dry run counts and deletes nothing.
    run, totals = apply_retention(dry_run=True)
    assert totals["cases"] == 1 and totals["letters"] == 1 and totals["visits"] == 1
    assert Case.objects.filter(pk=old.pk).exists() and run.dry_run

    call_command("apply_retention", stdout=__import__("io").StringIO())
    assert not Case.objects.filter(pk=old.pk).exists()
    assert not Case.history.filter(id=old.pk).exists()
    assert not Client.history.filter(id__in=old_clients).exists()
    assert not Letter.objects.exists() and not Referral.history.exists()
    assert not Visit.history.exists()
    assert not AccessLog.objects.filter(object_code=old.code).exists()
    # The younger closed case and the open one stay, history included.
    for case in (young, current):
        assert Case.objects.filter(pk=case.pk).exists()
        assert Client.history.filter(id=case.clients.get().pk).exists()
    # Every run is recorded, with counts only.
    real = RetentionRun.objects.get(dry_run=False)
    assert real.counts["cases"] == 1 and real.counts["history rows"] > 5
    assert all(isinstance(v, int) for v in real.counts.values())
    assert "Altfall" not in json.dumps(real.counts) + json.dumps(real.cutoffs)


def test_the_organisations_retention_period_decides(alice, sam, team_a, org_a):
    case = _closed_case(alice, sam, team_a, 2, "Zweijahre")
    apply_retention(dry_run=False)
    assert Case.objects.filter(pk=case.pk).exists()
    org_a.retention_years = 1
    org_a.save()
    apply_retention(dry_run=False)
    assert not Case.objects.filter(pk=case.pk).exists()


def test_an_interrupted_retention_run_stays_visible_and_leaves_whole_cases(
    alice, sam, team_a, monkeypatch
):
    """A run is recorded when it starts; one that dies half-way stays visible as unfinished,
    with the counts of what it did delete: whole cases, each batch in its own transaction
    (here a batch of one case; tests/cases/test_retention_batches.py: larger batches)."""
    from cases.privacy import retention

    first = _closed_case(alice, sam, team_a, 5, "Erstfall")
    second = _closed_case(alice, sam, team_a, 5, "Zweitfall")
    real_purge = retention.purge_cases
    seen_running = []

    def purge_then_die(cases):
        seen_running.append(RetentionRun.objects.filter(finished_at__isnull=True).count())
        if any(case.pk == second.pk for case in cases):
            # Half of the case is gone when the process dies ...
            second.clients.get().statuses.all().delete()
            raise KeyboardInterrupt
        return real_purge(cases)

    monkeypatch.setattr(retention, "purge_cases", purge_then_die)
    with pytest.raises(KeyboardInterrupt):
        apply_retention(dry_run=False, batch_cases=1)
    assert seen_running == [1, 1]  # recorded before the first deletion
    run = RetentionRun.objects.get()
    assert run.finished_at is None and run.status != RetentionRun.Status.FINISHED
    assert run.counts["cases"] == 1  # what it did delete
    assert not Case.objects.filter(pk=first.pk).exists()
    # ... but the case is whole again: its deletion was rolled back as one.
    assert Case.objects.filter(pk=second.pk).exists()
    assert second.clients.get().statuses.exists()

    monkeypatch.setattr(retention, "purge_cases", real_purge)
    warnings = __import__("io").StringIO()
    call_command("apply_retention", dry_run=True, stdout=warnings, stderr=warnings)
    assert "did not finish" in warnings.getvalue()
    done, totals = apply_retention(dry_run=False)
    assert done.status == RetentionRun.Status.FINISHED and done.finished_at is not None
    assert done.started_at <= done.finished_at and totals["cases"] == 1
    assert not Case.objects.filter(pk=second.pk).exists()
    # The interrupted run is still there, still unfinished.
    assert RetentionRun.objects.get(pk=run.pk).finished_at is None


def test_retention_leaves_a_case_reopened_since_it_was_found(alice, sam, team_a, monkeypatch):
    from cases.privacy import retention

    case = _closed_case(alice, sam, team_a, 5, "Wiederoffen")
    real_expired = retention.expired_cases

    def expired_then_reopened(today=None):
        for organisation, cutoff, cases in real_expired(today):
            found = list(cases)
            Case.objects.filter(pk=case.pk).update(closed_on=None, closing_reason="")  # reopened
            yield organisation, cutoff, found

    monkeypatch.setattr(retention, "expired_cases", expired_then_reopened)
    _run, totals = apply_retention(dry_run=False)
    assert Case.objects.filter(pk=case.pk).exists()
    assert totals.get("cases", 0) == 0


# --- the access log viewer --------------------------------------------------------------------


def _cell(text: str, page: str) -> bool:
    return re.search(rf"<td(?: [^>]*)?>{re.escape(text)}</td>", page) is not None


def test_the_dpo_reads_and_filters_the_access_log(
    client, alice, alice_case, charlie_case, charlie, dora, sam
):
    for user, case in ((alice, alice_case), (charlie, charlie_case)):
        client.force_login(user)
        client.get(f"/cases/{case.code}/")
    client.force_login(dora)
    page = client.get("/audit/").content.decode()
    # The action in words, not its code (issue 36: caseworks.audit.labels).
    assert "alice" in page and "charlie" in page and "case file opened" in page
    page = client.get("/audit/", {"user": alice.pk}).content.decode()
    # A table cell (its data-label names the column on a phone), not the filter's options.
    assert _cell("alice", page) and not _cell("charlie", page)
    page = client.get("/audit/", {"reference": charlie_case.reference}).content.decode()
    assert charlie_case.reference in page and alice_case.reference not in page
    bad = client.get("/audit/", {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert b"before its start" in bad.content
    # Read-only: no way to change or delete an entry.
    assert client.post("/audit/").status_code == 405
    entry = AccessLog.objects.first()
    with pytest.raises(Exception, match="append-only"):
        entry.delete()
    with pytest.raises(Exception, match="append-only"):
        AccessLog.objects.all().delete()
    # Nobody else gets the page.
    for user in (alice, sam):
        client.force_login(user)
        assert client.get("/audit/").status_code == 404


def test_encrypted_fields_are_all_disclosed(db):
    """Every encrypted field belongs to a model the disclosure or the log covers."""
    covered = {s.label for s in person_data_sources()} | {
        "cases.Case",
        "caseworks.AccessLog",
        "caseworks.KeyCanary",
        "caseworks.AuthenticatorDevice",  # a staff member's TOTP seed, not client data
        "caseworks.DirectoryProvider",  # a carrier's client secret for its directory
        "caseworks.DirectoryIdentity",  # a staff member's refresh token from that directory
        "volunteers.Volunteer",  # a volunteer's contact: their own export, volunteers.export
        # A paid mediator's or agency's business contact (a volunteer mediator's is in the
        # register): the coordinator's pool page shows all of it; no client data.
        "volunteers.Mediator",
        # A newsletter subscriber's own address: community.export (and the volunteer's export)
        "community.Subscriber",
        # An address from the public newsletter page, queued until send_newsletter takes it
        # (within a minute; one no worker took is deleted after 7 days): a reader's, not a
        # client's, and not in community.export while it waits.
        "community.SubscribeRequest",
        # The file being imported, until its run is finished or undone (then emptied:
        # tests/cases/test_import_runs.py); the persons it made are disclosed as their rows.
        "cases.ImportRun",
        # The Art. 15 PDF itself, kept for the one who asked until it is downloaded, 7 days
        # at most (tests/cases/test_disclosure_export.py), and deleted with the person
        # (CASCADE): a copy of what the disclosure finds, not found by it.
        "cases.DisclosureExport",
    }
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):
            continue
        if any(isinstance(f, EncryptedMixin) for f in model._meta.concrete_fields):
            assert model._meta.label in covered, model._meta.label


def test_an_unregistered_model_fails_the_check(db):
    """The check above can fail: without the cases app's registration of its residence
    statuses, that model is reported."""
    saved = person_data["cases.ResidenceStatus"]
    person_data.unregister(saved)
    try:
        assert unclassified_models() == ["cases.ResidenceStatus"]
    finally:
        person_data.register(saved)


def test_sources_come_from_every_app_that_keeps_person_data(db):
    apps_registering = {s.label.split(".")[0] for s in person_data_sources()}
    assert apps_registering == {"cases", "documents", "visits", "referrals", "volunteers"}
