"""A confirmed import is written in short batches under an import run (issue 35): nothing of
it is visible to caseworkers until the run is committed; an import interrupted after
batch k leaves nothing visible and is resumed to land whole, or undone to leave nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from cases.intake import importing
from cases.models import Case, CaseUserObjectPermission, Client, ImportedRow, ResidenceStatus
from cases.models.imports import ImportRun
from cases.selectors import case_list_for_user
from caseworks.models import AccessLog
from tests.cases.test_import import person, xlsx

BATCH = 4


def caseload(n: int = 20) -> bytes:
    """n persons, two a household (households never split across batches)."""
    return xlsx(
        [
            person(i, household=f"H-{(i + 1) // 2}", main="ja" if i % 2 else "nein")
            for i in range(1, n + 1)
        ]
    )


class Killed(Exception):
    pass


def kill_after(monkeypatch, k: int) -> None:
    """The import dies after its k-th batch committed (as a killed worker would)."""
    write = importing._write_batch
    done = []

    def dying(*args, **kwargs):
        if len(done) == k:
            raise Killed
        took = write(*args, **kwargs)
        done.append(1)
        return took

    monkeypatch.setattr(importing, "_write_batch", dying)


def test_batches_are_invisible_until_the_run_is_committed(monkeypatch, alice, adam, team_a):
    kill_after(monkeypatch, 2)
    with pytest.raises(Killed):
        importing.run(caseload(), filename="x.xlsx", user=adam, batch_rows=BATCH)
    run = ImportRun.objects.get()
    assert run.state == "running" and run.batches == 2 and run.persons_done == 2 * BATCH
    assert importing.is_interrupted(run)
    # Written, but no caseworker sees any of it: no permission granted yet.
    assert Client.objects.count() == 2 * BATCH
    assert not case_list_for_user(user=alice).exists()
    assert not CaseUserObjectPermission.objects.exists()
    assert not AccessLog.objects.filter(action="import.cases").exists()
    # Another file cannot start meanwhile.
    with pytest.raises(importing.ValidationError, match="not finished"):
        importing.run(xlsx([person(99)]), filename="y.xlsx", user=adam)


def test_an_interrupted_import_resumes_and_lands_whole(monkeypatch, alice, adam, team_a):
    kill_after(monkeypatch, 3)
    with pytest.raises(Killed):
        importing.run(caseload(), filename="x.xlsx", user=adam, batch_rows=BATCH)
    monkeypatch.undo()
    run = ImportRun.objects.get()
    assert importing.advance(run, user=adam, batch_rows=BATCH) is True
    run.refresh_from_db()
    assert run.state == "done" and run.persons_done == 20 and run.data is None
    # Each source row once: 10 households, 20 persons, one status each.
    assert Case.objects.count() == 10 and Client.objects.count() == 20
    assert ImportedRow.objects.filter(run=run).count() == 20
    assert ResidenceStatus.objects.count() == 20
    assert all(c.clients.count() == 2 for c in Case.objects.all())
    assert case_list_for_user(user=alice).count() == 10
    assert AccessLog.objects.get(action="import.cases").detail["persons"] == 20


def test_an_interrupted_import_is_undone_to_nothing(monkeypatch, alice, adam, team_a):
    kill_after(monkeypatch, 2)
    with pytest.raises(Killed):
        importing.run(caseload(), filename="x.xlsx", user=adam, batch_rows=BATCH)
    monkeypatch.undo()
    run = ImportRun.objects.get()
    importing.undo(run, user=adam, batch_rows=3)
    run.refresh_from_db()
    assert run.state == "undone" and run.data is None
    assert not (Case.objects.exists() or Client.objects.exists() or ImportedRow.objects.exists())
    assert not ResidenceStatus.objects.exists()
    # The file can be imported afresh.
    importing.run(caseload(), filename="x.xlsx", user=adam, batch_rows=BATCH)
    assert Client.objects.count() == 20


def test_undo_keeps_the_earlier_import_a_household_joined(monkeypatch, alice, adam, team_a):
    """Persons the run added to a household imported before are deleted, the earlier case
    and its person stay."""
    importing.run(xlsx([person(1)]), filename="a.xlsx", user=adam)
    kill_after(monkeypatch, 1)
    rows = [person(2, household="H-1", main="nein"), person(3), person(4)]
    with pytest.raises(Killed):
        importing.run(xlsx(rows), filename="b.xlsx", user=adam, batch_rows=1)
    monkeypatch.undo()
    assert Client.objects.count() == 2
    importing.undo(ImportRun.objects.get(state="running"), user=adam)
    assert Case.objects.count() == 1 and Client.objects.count() == 1


def test_the_page_continues_an_import_over_several_requests(
    monkeypatch, client, alice, adam, team_a
):
    monkeypatch.setattr(importing, "BATCH_ROWS", BATCH)
    monkeypatch.setattr("cases.intake.views.WEB_BUDGET", 0.0)  # one batch a request
    client.force_login(adam)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    upload = io.BytesIO(caseload())
    upload.name = "liste.xlsx"
    client.post("/manage/import/", {"file": upload})
    token = client.session["cases.import"]["token"]
    response = client.post("/manage/import/confirm/", {"token": token}, follow=True)
    run = ImportRun.objects.get()
    assert run.batches == 1 and "4 von 20 Personen geschrieben" in response.content.decode()
    assert not case_list_for_user(user=alice).exists()
    # The upload page names the unfinished import.
    assert "Ein Import wurde unterbrochen" in client.get("/manage/import/").content.decode()
    for _n in range(10):
        response = client.post(f"/manage/import/run/{run.code}/continue/", follow=True)
        run.refresh_from_db()
        if run.state == "done":
            break
    assert run.state == "done" and "Import abgeschlossen" in response.content.decode()
    assert case_list_for_user(user=alice).count() == 10


def test_the_page_undoes_an_interrupted_import(monkeypatch, client, adam, alice, team_a):
    kill_after(monkeypatch, 1)
    with pytest.raises(Killed):
        importing.run(caseload(), filename="x.xlsx", user=adam, batch_rows=BATCH)
    run = ImportRun.objects.get()
    client.force_login(adam)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    response = client.post(f"/manage/import/run/{run.code}/undo/", follow=True)
    assert "Import rückgängig gemacht" in response.content.decode()
    assert not Client.objects.exists()


def test_a_caseworker_cannot_see_or_touch_a_run(monkeypatch, client, alice, adam, team_a):
    kill_after(monkeypatch, 1)
    with pytest.raises(Killed):
        importing.run(caseload(), filename="x.xlsx", user=adam, batch_rows=BATCH)
    run = ImportRun.objects.get()
    client.force_login(alice)
    assert client.get(f"/manage/import/run/{run.code}/").status_code == 404
    assert client.post(f"/manage/import/run/{run.code}/undo/").status_code == 404
    assert Client.objects.count() == BATCH


def test_a_refused_team_starts_no_run(alice, team_a):
    with pytest.raises(importing.ValidationError):
        importing.run(xlsx([person(1)]), filename="x.xlsx", user=alice)
    assert not ImportRun.objects.exists()


def test_the_command_resumes_an_interrupted_import(monkeypatch, tmp_path, alice, adam, team_a):
    kill_after(monkeypatch, 1)
    path = tmp_path / "liste.xlsx"
    path.write_bytes(caseload())
    with pytest.raises(Killed):
        call_command("import_cases", str(path), "--user", "adam", "--confirm", "--batch-size", "4")
    monkeypatch.undo()
    out = io.StringIO()
    call_command("import_cases", "--user", "adam", "--resume", stdout=out)
    assert "20 person(s)" in out.getvalue() and Client.objects.count() == 20
    with pytest.raises(CommandError, match="No import is unfinished"):
        call_command("import_cases", "--user", "adam", "--undo", stdout=io.StringIO())
