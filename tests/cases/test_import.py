"""Importing an existing caseload (cases.intake.importing, manage.py import_cases,
/manage/import/)."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from cases.intake import importing
from cases.models import (
    Case,
    CaseUserObjectPermission,
    Client,
    ClientReference,
    ImportedRow,
    NameToken,
    ResidenceStatus,
)
from caseworks.models import AccessLog
from tests.helpers import open_case

HEADER_DE = [
    "Quell-ID",
    "Haushalt",
    "Hauptkontakt",
    "Vorname",
    "Nachname",
    "Geburtsdatum",
    "Geschlecht",
    "Staatsangehörigkeit",
    "Sprachen",
    "Dolmetschbedarf",
    "Aufenthaltsstatus",
    "Status gültig ab",
    "Status gültig bis",
    "BAMF-Az",
    "Fallverantwortliche",
    "Team",
    "Zuweisungsdatum",
]


def xlsx(rows, header=HEADER_DE) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def person(n, *, household=None, main="ja", caseworker="alice", team="Team A", **over):
    row = {
        "Quell-ID": f"S-{n}",
        "Haushalt": household or f"H-{n}",
        "Hauptkontakt": main,
        "Vorname": f"Vorname{n}",
        "Nachname": f"Nachname{n}",
        "Geburtsdatum": datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
        "Geschlecht": "w" if n % 2 else "m",
        "Staatsangehörigkeit": "SY" if n % 3 else "Afghanistan",
        "Sprachen": "Arabisch",
        "Dolmetschbedarf": "ja",
        "Aufenthaltsstatus": "Aufenthaltsgestattung",
        "Status gültig ab": "01.03.2025",
        "Status gültig bis": "31.08.2026",
        "BAMF-Az": f"{1000000 + n}-475",
        "Fallverantwortliche": caseworker,
        "Team": team,
        "Zuweisungsdatum": "2025-02-15",
    }
    row.update(over)
    return [row[h] for h in HEADER_DE]


def test_it_reads_german_headers_and_plans_without_saving(alice, adam, team_a):
    data = xlsx([person(1), person(2, household="H-1", main="nein")])
    plan = importing.plan(data, filename="liste.xlsx", user=adam)
    assert plan.ok, [(r.number, r.errors) for r in plan.rows]
    assert [r.action for r in plan.rows] == ["case", "person"]
    assert (plan.new_cases, plan.new_persons) == (1, 2)
    assert not Case.objects.exists() and not ImportedRow.objects.exists()


def test_it_reports_every_problem_with_its_row_number(alice, adam, team_a):
    rows = [
        person(1),
        person(2, **{"Aufenthaltsstatus": "Blauer Pass"}),
        person(3, **{"Geburtsdatum": "31.02.1990"}),
        person(4, caseworker="nobody"),
        person(5, team="Team Z"),
    ]
    plan = importing.plan(xlsx(rows), filename="x.xlsx", user=adam)
    errors = {r.number: " ".join(r.errors) for r in plan.rows if r.errors}
    assert set(errors) == {3, 4, 5, 6}
    assert "Unknown residence status" in errors[3]
    assert "not a date" in errors[4]
    assert "Unknown caseworker" in errors[5]
    assert "Unknown team" in errors[6]
    with pytest.raises(importing.NotImported):
        importing.run(xlsx(rows), filename="x.xlsx", user=adam)
    # One transaction per file: the good row 2 is not saved either.
    assert not Case.objects.exists() and not Client.objects.exists()


def test_it_flags_a_possible_duplicate_with_the_intakes_phonetic_check(alice, adam, team_a):
    open_case(alice, team_a, first_name="Mohammed", last_name="Al-Hassan")
    row = person(1, **{"Vorname": "Muhammad", "Nachname": "Al-Hassan"})
    plan = importing.plan(xlsx([row]), filename="x.xlsx", user=adam)
    assert plan.rows[0].duplicates and "Team A" in plan.rows[0].warnings[0]
    importing.run(xlsx([row]), filename="x.xlsx", user=adam)
    imported = ImportedRow.objects.get().case
    assert imported.duplicate_check == "dismissed"


def test_it_imports_through_the_services_and_names_the_importer(alice, adam, team_a):
    data = xlsx([person(1), person(2, household="H-1", main="nein"), person(3, caseworker="")])
    plan = importing.run(data, filename="x.xlsx", user=adam)
    assert (plan.new_cases, plan.new_persons) == (2, 3)
    case = ImportedRow.objects.get(key=plan.rows[0].key).case
    assert case.assigned_to == alice and case.team == team_a
    assert case.allocated_on == datetime.date(2025, 2, 15)
    assert case.clients.count() == 2
    main = case.clients.get(relationship="main_contact")
    assert main.first_name == "Vorname1" and main.nationality == "SY" and main.interpreter_needed
    assert ResidenceStatus.objects.filter(client=main, kind="permission_to_reside").exists()
    assert ClientReference.objects.get(client=main, kind="bamf").number == "1000001-475"
    # Search rows and blind indexes as for an intake; permissions follow the assignment.
    assert NameToken.objects.filter(client=main).exists() and main.last_name_bidx
    assert alice.has_perm("cases.view_case", case)
    # History names the importing user.
    assert case.history.get().history_user == adam
    assert main.history.get().history_user == adam
    log = AccessLog.objects.get(action="import.cases")
    assert log.user == adam and log.detail["persons"] == 3


def test_nothing_is_saved_without_confirmation_on_the_page(client, alice, adam, team_a):
    client.force_login(adam)
    data = xlsx([person(1), person(2)])
    upload = io.BytesIO(data)
    upload.name = "liste.xlsx"
    response = client.post("/manage/import/", {"file": upload})
    assert response.status_code == 200
    assert b"Row" in response.content and not Case.objects.exists()
    stash = client.session["cases.import"]
    # Kept encrypted: no name in the stash.
    assert b"Vorname1" not in stash["data"].encode() and "PK" not in stash["data"][:10]
    token = stash["token"]
    response = client.post("/manage/import/confirm/", {"token": token, "discard": "1"})
    assert response.status_code == 302 and not Case.objects.exists()
    # The stash is gone: the token cannot import any more.
    client.post("/manage/import/confirm/", {"token": token})
    assert not Case.objects.exists()


def test_the_page_imports_after_confirmation(client, alice, adam, team_a):
    client.force_login(adam)
    upload = io.BytesIO(xlsx([person(1)]))
    upload.name = "liste.xlsx"
    client.post("/manage/import/", {"file": upload})
    token = client.session["cases.import"]["token"]
    response = client.post(
        "/manage/import/confirm/", {"token": token}, follow=True, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200 and Case.objects.count() == 1
    assert "Import abgeschlossen" in response.content.decode()


def test_csv_with_semicolons_and_bom(alice, adam, team_a):
    lines = [";".join(HEADER_DE)]
    for n in (1, 2):
        cells = person(n)
        cells[5] = cells[5].strftime("%d.%m.%Y")
        lines.append(";".join(str(c) for c in cells))
    data = ("\ufeff" + "\r\n".join(lines)).encode("utf-8")
    plan = importing.run(data, filename="liste.csv", user=adam)
    assert plan.new_cases == 2
    births = {c.first_name: c.birth_date for c in Client.objects.all()}
    assert births["Vorname1"] == datetime.date(1980, 1, 2)


def test_csv_with_commas_and_english_headers(alice, adam, team_a):
    data = (
        b"household,first name,last name,date of birth,team,residence status,status valid from\n"
        b"H1,Amina,Test,1990-01-02,Team A,toleration,2025-01-01\n"
    )
    plan = importing.run(data, filename="list.csv", user=adam)
    assert plan.new_cases == 1
    assert ResidenceStatus.objects.get().kind == "toleration"


def test_the_template_is_downloadable_and_reads_back(client, adam, alice, team_a):
    client.force_login(adam)
    response = client.get("/manage/import/template/")
    assert response.status_code == 200
    # The example row names the demo's caseworker1, unknown here: the only problem.
    plan = importing.plan(response.content, filename="t.xlsx", user=adam)
    assert [r.errors for r in plan.rows] == [["Unknown caseworker “caseworker1”."]]
    csv_response = client.get("/manage/import/template/?format=csv")
    plan = importing.plan(csv_response.content, filename="t.csv", user=adam)
    assert [r.errors for r in plan.rows] == [["Unknown caseworker “caseworker1”."]]


def test_the_command_dry_runs_then_confirms(tmp_path, alice, adam, team_a):
    path = tmp_path / "liste.xlsx"
    path.write_bytes(xlsx([person(1), person(2, **{"Geburtsdatum": "gestern"})]))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cases", str(path), "--user", "adam", stdout=out)
    assert "row 3:" in out.getvalue() and "Vorname" not in out.getvalue()
    path.write_bytes(xlsx([person(1)]))
    call_command("import_cases", str(path), "--user", "adam", stdout=io.StringIO())
    assert not Case.objects.exists()
    call_command("import_cases", str(path), "--user", "adam", "--confirm", stdout=io.StringIO())
    assert Case.objects.count() == 1


def test_a_caseworker_cannot_import(alice, team_a):
    with pytest.raises(importing.ValidationError):
        importing.run(xlsx([person(1)]), filename="x.xlsx", user=alice)
    assert not Case.objects.exists()


def test_2000_rows_import_in_one_run_and_a_second_run_adds_nothing(alice, bob, adam, team_a):
    rows = []
    for n in range(1, 2001):
        household = f"H-{(n + 1) // 2}"  # two persons a household
        rows.append(
            person(
                n,
                household=household,
                main="ja" if n % 2 else "nein",
                caseworker="alice" if n % 4 < 2 else "bob",
            )
        )
    data = xlsx(rows)
    plan = importing.run(data, filename="gross.xlsx", user=adam)
    assert (plan.new_cases, plan.new_persons) == (1000, 2000)
    assert Case.objects.count() == 1000 and Client.objects.count() == 2000
    again = importing.run(data, filename="gross.xlsx", user=adam)
    assert (again.new_cases, again.new_persons, again.known) == (0, 0, 2000)
    assert Case.objects.count() == 1000 and Client.objects.count() == 2000


def _written_for(case):
    """What a household's import wrote, free of ids and times: history, permissions,
    blind indexes and search rows."""
    clients = list(case.clients.order_by("relationship"))
    statuses = ResidenceStatus.objects.filter(client__in=clients)
    references = ClientReference.objects.filter(client__in=clients)
    return {
        "case": [
            (h.history_type, h.history_user_id, h.team_id, h.assigned_to_id, h.duplicate_check)
            for h in case.history.all()
        ],
        "clients": [
            (
                c.relationship,
                c.first_name_bidx,
                c.last_name_bidx,
                c.full_name_bidx,
                c.birth_date_bidx,
                c.first_name_phon,
                c.last_name_phon,
                [(h.history_type, h.history_user_id) for h in c.history.all()],
                # Search rows: as many (padded with random rows), the same tokens of the
                # whole name parts (verifiers are keyed with the person's id).
                NameToken.objects.filter(client=c, case=case).count(),
                sorted(
                    NameToken.objects.filter(client=c, case=case, whole=True).values_list(
                        "token", flat=True
                    )
                ),
            )
            for c in clients
        ],
        "statuses": sorted(
            (s.client.relationship, s.kind, h.history_type, h.history_user_id)
            for s in statuses
            for h in s.history.all()
        ),
        "references": sorted(
            (r.client.relationship, r.kind, r.number_bidx, h.history_type, h.history_user_id)
            for r in references
            for h in r.history.all()
        ),
        "permissions": sorted(
            CaseUserObjectPermission.objects.filter(content_object=case).values_list(
                "user_id", "permission__codename"
            )
        ),
    }


def test_the_batch_writes_what_the_single_case_services_write(alice, adam, team_a):
    """One household through services.case_import and friends (the path per case), and the
    same household through importing.run (CaseImportBatch): the same rows."""
    from django.db import transaction

    from cases import services

    data = xlsx([person(1), person(2, household="H-1", main="nein")])
    plan = importing.plan(data, filename="x.xlsx", user=adam)
    head, other = plan.households[plan.rows[0].household]
    with transaction.atomic():
        single = services.case_import(
            actor=adam,
            team=head.team,
            client={k: v for k, v in head.person.items() if k != "relationship"},
            status=head.status,
            assigned_to=head.caseworker,
            opened_on=head.opened_on,
            allocated_on=head.allocated_on,
            references=head.references,
        )
        client = services.client_create(actor=adam, case=single, data=other.person)
        services.residence_status_add(actor=adam, client=client, data=other.status)
        for kind, number in other.references:
            services.client_reference_save(
                actor=adam, client=client, data={"kind": kind, "number": number}
            )
        expected = _written_for(single)
        transaction.set_rollback(True)
    importing.run(data, filename="x.xlsx", user=adam)
    batch = ImportedRow.objects.get(key=head.key).case
    assert _written_for(batch) == expected
    assert expected["permissions"] == [(alice.pk, "change_case"), (alice.pk, "view_case")]
    assert len(expected["clients"]) == 2 and all(c[-1] for c in expected["clients"])


def test_the_batched_duplicate_check_answers_as_possible_duplicates(alice, adam, team_a):
    from cases.selectors import possible_duplicates

    open_case(alice, team_a, first_name="Mohammed", last_name="Al-Hassan")
    known = Client.objects.get()
    known.birth_date = datetime.date(1990, 5, 1)
    known.save()
    people = [
        ("Muhammad", "Al-Hassan", None),  # sounds alike
        ("Mohammed", "Al-Hassan", None),  # the same name
        ("Aisha", "Al-Hassan", datetime.date(1990, 5, 1)),  # last name and birth date
        ("Aisha", "Al-Hasan", datetime.date(1990, 5, 1)),  # sound and birth date
        ("Aisha", "Al-Hasan", datetime.date(1990, 5, 2)),  # none
        ("Vorname9", "Nachname9", None),  # none
    ]
    rows = [
        importing.Row(number=n, person={"first_name": f, "last_name": la, "birth_date": b})
        for n, (f, la, b) in enumerate(people)
    ]
    expected = []
    for f, la, b in people:
        found = possible_duplicates(user=adam, first_name=f, last_name=la, birth_date=b)
        teams = found["other_teams"] + [c.team.name for c in found["cases"]]
        expected.append(sorted(set(teams)) or None)
    assert importing.duplicate_teams(rows) == expected
    assert expected[:4] == [["Team A"]] * 4 and expected[4:] == [None, None]
