"""Retention a batch at a time (cases.privacy.retention, issue 35) and per carrier (issue 31):
the run counts per carrier what it deleted; a batch is deleted whole or not at all; the
statistics residue stays exact; no history row outlives its case."""

import datetime

import pytest

from cases import services as case_services
from cases.models import Case, Client, StatisticsResidue
from cases.privacy import retention
from cases.privacy.retention import apply_retention
from caseworks.models import AccessLog, RetentionRun
from tests.cases.test_residue import published, year_data  # noqa: F401 (a fixture)
from tests.helpers import TODAY, open_case

YEAR = datetime.timedelta(days=365)


def closed_case(actor, supervisor, team, name, *, years_ago=5):
    case = open_case(actor, team, last_name=name, opened_on=TODAY - (years_ago + 1) * YEAR)
    case_services.case_close(
        actor=supervisor, case=case, reason="moved_away", closed_on=TODAY - years_ago * YEAR
    )
    return case


def test_it_counts_each_carriers_part_of_a_run(alice, sam, charlie, sue, team_a, team_b):
    for i in range(3):
        closed_case(alice, sam, team_a, f"Alt{i}")
    for i in range(2):
        closed_case(charlie, sue, team_b, f"Old{i}")
    young = closed_case(alice, sam, team_a, "Jung", years_ago=1)

    dry, _totals = apply_retention(dry_run=True)
    assert dry.organisation_counts[str(team_a.organisation_id)]["cases"] == 3
    assert dry.organisation_counts[str(team_b.organisation_id)]["cases"] == 2

    run, totals = apply_retention(dry_run=False, batch_cases=2)
    a = run.organisation_counts[str(team_a.organisation_id)]
    b = run.organisation_counts[str(team_b.organisation_id)]
    assert (a["cases"], b["cases"], totals["cases"]) == (3, 2, 5)
    # The parts add up to the house's counts, key by key.
    assert {key: a.get(key, 0) + b.get(key, 0) for key in totals} == totals
    assert a["persons"] == 3 and a["history rows"] > 0
    assert list(Case.objects.all()) == [young]


def test_the_dpo_reads_the_real_figures_of_their_carrier(
    client, alice, sam, charlie, sue, team_a, team_b, dora
):
    for i in range(2):
        closed_case(alice, sam, team_a, f"Alt{i}")
    closed_case(charlie, sue, team_b, "Old")
    apply_retention(dry_run=False)
    client.force_login(dora)
    page = client.get(
        f"/audit/retention/{team_a.organisation.code}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "cases: 2" in page  # the template labels each count: "<what>: <n>"


def test_an_interrupted_run_leaves_whole_batches(alice, sam, team_a, monkeypatch):
    """Batches of two: the second batch dies half-way through its deletions; the first
    stays deleted and counted, the second is whole again (rolled back as one)."""
    cases = [closed_case(alice, sam, team_a, f"Fall{i}") for i in range(4)]
    real_purge = retention.purge_cases
    calls = []

    def purge_then_die(batch):
        calls.append([case.pk for case in batch])
        if len(calls) == 2:
            Client.objects.filter(case=batch[0]).delete()  # half of it gone ...
            raise KeyboardInterrupt
        return real_purge(batch)

    monkeypatch.setattr(retention, "purge_cases", purge_then_die)
    with pytest.raises(KeyboardInterrupt):
        apply_retention(dry_run=False, batch_cases=2)
    assert calls == [[cases[0].pk, cases[1].pk], [cases[2].pk, cases[3].pk]]
    run = RetentionRun.objects.get()
    assert run.status == RetentionRun.Status.INTERRUPTED and run.finished_at is None
    assert run.counts["cases"] == 2
    assert run.organisation_counts[str(team_a.organisation_id)]["cases"] == 2
    assert not Case.objects.filter(pk__in=calls[0]).exists()
    # ... but the batch is whole: its deletion was rolled back as one, residue included.
    for case in cases[2:]:
        assert Case.objects.filter(pk=case.pk).exists()
        assert Client.objects.filter(case=case).exists()

    monkeypatch.setattr(retention, "purge_cases", real_purge)
    done, totals = apply_retention(dry_run=False, batch_cases=2)
    assert done.status == RetentionRun.Status.FINISHED and totals["cases"] == 2
    assert not Case.objects.exists()


def test_no_history_row_outlives_its_case_and_others_keep_theirs(alice, sam, team_a, client):
    old = open_case(alice, team_a, last_name="Altfall", opened_on=TODAY - 6 * YEAR)
    person = old.clients.get()
    case_services.client_update(
        actor=alice, client=person, expected_version=person.version, data={"nationality": "SY"}
    )
    case_services.case_close(actor=sam, case=old, reason="moved_away", closed_on=TODAY - 5 * YEAR)
    client.force_login(sam)
    assert client.get(f"/cases/{old.code}/").status_code == 200  # an access log entry
    keep = open_case(alice, team_a, last_name="Offen")
    kept_history = Client.history.filter(id=keep.clients.get().pk).count()

    run, totals = apply_retention(dry_run=False)
    assert totals["cases"] == 1 and totals["history rows"] >= 3
    assert not Case.history.filter(id=old.pk).exists()
    assert not Client.history.filter(id=person.pk).exists()  # no "deleted" row either
    assert not AccessLog.objects.filter(object_code=old.code).exists()
    assert Client.history.filter(id=keep.clients.get().pk).count() == kept_history
    # History is recorded again after the run.
    case_services.client_update(
        actor=alice,
        client=keep.clients.get(),
        expected_version=keep.clients.get().version,
        data={"nationality": "AF"},
    )
    assert Client.history.filter(id=keep.clients.get().pk).count() == kept_history + 1


def test_a_case_reopened_after_it_was_measured_stays_and_the_residue_stays_exact(
    client,
    sam,
    team_a,
    year_data,  # noqa: F811 (the fixture imported above)
    monkeypatch,
):
    """Measured outside the deleting transaction: a case reopened in between is not
    deleted, and the batch is measured again under the lock."""
    client.force_login(sam)
    before = published(client, team_a, year=year_data[0].opened_on.year)
    reopened = year_data[1]
    real_measure = retention.Folder.measure
    measured = []

    def measure_then_reopen(folder, cases, today=None):
        measured.append(sorted(c.pk for c in cases))
        contribution = real_measure(folder, cases, today)
        if len(measured) == 1:
            case_services.case_reopen(
                actor=sam, case=Case.objects.get(pk=reopened.pk), reason="returned"
            )
        return contribution

    monkeypatch.setattr(retention.Folder, "measure", measure_then_reopen)
    apply_retention(dry_run=False)
    assert Case.objects.filter(pk=reopened.pk).exists()
    assert len(measured) == 2 and reopened.pk not in measured[1]
    assert Case.objects.filter(pk__in=[c.pk for c in year_data[:3]]).count() == 1
    assert StatisticsResidue.objects.exists()
    assert published(client, team_a, year=year_data[0].opened_on.year) == before
