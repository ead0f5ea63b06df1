"""The residence status an import records (issue 36, item 1): the ways offices write a status
are understood (cases.law.status_names), an ambiguous one is a question, not a guess; the dry
run shows per row the status it records and lists the accepted values; a household's other
rows take the team from its main contact's row."""

import io
import re
from pathlib import Path

import pytest

from cases.intake import importing
from cases.law.status_names import ACCEPTED, read_status
from cases.models import Case, Client, ResidenceStatus, StatusKind
from tests.cases.test_import import HEADER_DE, person, xlsx

K = StatusKind
DOCS = Path(__file__).resolve().parents[2] / "docs" / "import.md"


@pytest.mark.parametrize(
    ("kind", "written"), [(kind, w) for kind, ways in ACCEPTED.items() for w in ways]
)
def test_every_accepted_way_of_writing_reads_as_its_kind(kind, written):
    assert read_status(written).kind == kind


def test_every_kind_has_accepted_ways_and_the_docs_list_them():
    assert set(ACCEPTED) == set(K.values)
    docs = DOCS.read_text()
    for ways in ACCEPTED.values():
        for written in ways:
            assert f"`{written}`" in docs


@pytest.mark.parametrize(
    ("written", "kind", "subtype"),
    [
        ("§ 24 AufenthG", K.TEMPORARY_PROTECTION, ""),
        ("Aufenthaltserlaubnis (vorübergehender Schutz)", K.TEMPORARY_PROTECTION, ""),
        ("AE Ukraine", K.TEMPORARY_PROTECTION, ""),
        ("Aufenthaltserlaubnis (Asyl/Flüchtling)", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("Aufenthaltserlaubnis § 25 Abs. 1, 2 AufenthG", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("§ 25 Abs. 2", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("AE 25.2", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("AE25 II", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("§ 25 Abs. 2 S. 1 Alt. 2 AufenthG", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("subsidiärer Schutz", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("anerkannter Fluechtling", K.RESIDENCE_PERMIT_ASYLUM, ""),
        ("25 Abs. 3 AufenthG", K.RESIDENCE_PERMIT_DEPORTATION_BAN, ""),
        ("§§ 22, 23 AufenthG", K.RESIDENCE_PERMIT_HUMANITARIAN, ""),
        ("§§ 25a, 25b", K.INTEGRATION_PERMIT, ""),
        ("§ 60a", K.TOLERATION, ""),
        ("§60 a AufenthG", K.TOLERATION, ""),
        ("Duldung", K.TOLERATION, ""),
        ("DULDUNG", K.TOLERATION, ""),
        ("Duldung 60b", K.TOLERATION_UNCLEAR_IDENTITY, ""),
        ("Duldung light", K.TOLERATION_UNCLEAR_IDENTITY, ""),
        ("Beschaeftigungsduldung", K.EMPLOYMENT_TOLERATION, ""),
        ("Gestattung", K.PERMISSION_TO_RESIDE, ""),
        ("§§ 55, 63 AsylG", K.PERMISSION_TO_RESIDE, ""),
        ("BüMA", K.ARRIVAL_CERTIFICATE, ""),
        ("GÜB", K.BORDER_CROSSING_CERTIFICATE, ""),
        ("Fiktionsbescheinigung", K.FICTIONAL_CERTIFICATE, ""),
        ("Fiktionsbescheinigung § 81 Abs. 4", K.FICTIONAL_CERTIFICATE, "81_4"),
        ("§ 81 III 1 AufenthG", K.FICTIONAL_CERTIFICATE, "81_3_1"),
        ("Duldungsfiktion", K.FICTIONAL_CERTIFICATE, "81_3_2"),
        ("Chancen-Aufenthaltsrecht", K.OPPORTUNITY_RESIDENCE, ""),
        ("NE", K.SETTLEMENT_PERMIT, ""),
        ("ungeklärt", K.UNKNOWN, ""),
        # As Caseworks labels and codes them.
        ("Toleration (§ 60a AufenthG)", K.TOLERATION, ""),
        ("Aufenthaltserlaubnis (Integration, §§ 25a, 25b AufenthG)", K.INTEGRATION_PERMIT, ""),
        ("residence_permit_humanitarian", K.RESIDENCE_PERMIT_HUMANITARIAN, ""),
    ],
)
def test_it_reads_the_ways_offices_write_a_status(written, kind, subtype):
    reading = read_status(written)
    assert (reading.kind, reading.subtype, reading.candidates) == (kind, subtype, ())


@pytest.mark.parametrize(
    ("written", "candidates"),
    [
        (
            "Aufenthaltserlaubnis",
            {
                K.RESIDENCE_PERMIT_ASYLUM,
                K.RESIDENCE_PERMIT_DEPORTATION_BAN,
                K.RESIDENCE_PERMIT_HUMANITARIAN,
                K.TEMPORARY_PROTECTION,
                K.INTEGRATION_PERMIT,
                K.OPPORTUNITY_RESIDENCE,
            },
        ),
        (
            "§ 25 AufenthG",
            {
                K.RESIDENCE_PERMIT_ASYLUM,
                K.RESIDENCE_PERMIT_DEPORTATION_BAN,
                K.RESIDENCE_PERMIT_HUMANITARIAN,
            },
        ),
        (
            "(Asyl/Flüchtling)",
            {K.ARRIVAL_CERTIFICATE, K.PERMISSION_TO_RESIDE, K.RESIDENCE_PERMIT_ASYLUM},
        ),
        ("Asylbewerber", {K.ARRIVAL_CERTIFICATE, K.PERMISSION_TO_RESIDE}),
    ],
)
def test_a_status_that_could_be_several_kinds_is_a_question(written, candidates):
    reading = read_status(written)
    assert not reading.understood and reading.ambiguous
    assert set(reading.candidates) == candidates


@pytest.mark.parametrize(
    "written", ["Blauer Pass", "keine Duldung", "AE beantragt", "§ 30 AufenthG", "§ 63 AufenthG"]
)
def test_a_status_it_cannot_read_is_not_understood(written):
    reading = read_status(written)
    assert not reading.understood and not reading.ambiguous


def test_a_bare_residence_permit_is_asked_about_not_recorded_as_asylum(alice, adam, team_a):
    rows = [
        person(1, **{"Aufenthaltsstatus": "Aufenthaltserlaubnis"}),
        person(2, **{"Aufenthaltsstatus": "Aufenthaltserlaubnis (vorübergehender Schutz)"}),
        person(3, **{"Aufenthaltsstatus": "§ 24 AufenthG"}),
        person(4, **{"Aufenthaltsstatus": "Aufenthaltserlaubnis (Asyl/Flüchtling)"}),
        person(5, **{"Aufenthaltsstatus": "Fiktionsbescheinigung § 81 Abs. 4"}),
    ]
    plan = importing.plan(xlsx(rows), filename="x.xlsx", user=adam, check_duplicates=False)
    first, *others = plan.rows
    assert first.status is None and first.status_problem
    (question,) = first.errors
    assert question.startswith("Which residence status is “Aufenthaltserlaubnis”?")
    # Each kind it could be, with how to write it.
    assert "§ 25 (3) AufenthG): write “Aufenthaltserlaubnis (Abschiebungsverbot)”" in question
    assert "§ 24 AufenthG): write “Aufenthaltserlaubnis (vorübergehender Schutz)”" in question
    assert "“Aufenthaltserlaubnis (Asyl/Flüchtling)”" in question and "ungeklärt" in question
    assert [r.errors for r in others] == [[], [], [], []]
    assert [r.status["kind"] for r in others] == [
        K.TEMPORARY_PROTECTION,
        K.TEMPORARY_PROTECTION,
        K.RESIDENCE_PERMIT_ASYLUM,
        K.FICTIONAL_CERTIFICATE,
    ]
    with pytest.raises(importing.NotImported):
        importing.run(xlsx(rows), filename="x.xlsx", user=adam)
    assert not ResidenceStatus.objects.exists()
    importing.run(xlsx(rows[1:]), filename="x.xlsx", user=adam)
    recorded = {
        s.client.first_name: (s.kind, s.fiction_subtype)
        for s in ResidenceStatus.objects.select_related("client")
    }
    assert recorded == {
        "Vorname2": (K.TEMPORARY_PROTECTION, ""),
        "Vorname3": (K.TEMPORARY_PROTECTION, ""),
        "Vorname4": (K.RESIDENCE_PERMIT_ASYLUM, ""),
        "Vorname5": (K.FICTIONAL_CERTIFICATE, "81_4"),
    }


def test_a_fictional_certificate_without_its_type_is_recorded_with_a_note(alice, adam, team_a):
    rows = [person(1, **{"Aufenthaltsstatus": "Fiktionsbescheinigung"})]
    plan = importing.run(xlsx(rows), filename="x.xlsx", user=adam)
    (row,) = plan.rows
    assert "type of the fictional certificate is not stated" in row.warnings[0]
    status = ResidenceStatus.objects.get()
    assert (status.kind, status.fiction_subtype) == (K.FICTIONAL_CERTIFICATE, "")


def test_household_members_take_the_team_of_the_main_contacts_row(alice, adam, team_a, team_b):
    rows = [
        person(1, household="H-1"),
        person(2, household="H-1", main="nein", caseworker="", team=""),
        person(3, household="H-1", main="nein", caseworker="", team=""),
    ]
    plan = importing.run(xlsx(rows), filename="x.xlsx", user=adam)
    assert [r.action for r in plan.rows] == ["case", "person", "person"]
    case = Case.objects.get()
    assert case.team == team_a and case.clients.count() == 3
    # The main contact may also come later in the file, and the next import of the
    # household (members only, no team) joins the same case.
    more = [
        person(4, household="H-1", main="nein", caseworker="", team=""),
        person(1, household="H-1"),
    ]
    again = importing.run(xlsx(more), filename="y.xlsx", user=adam)
    assert [r.action for r in again.rows] == ["person", "known"]
    assert Case.objects.get().clients.count() == 4


def test_a_household_without_a_team_or_with_two_is_an_error(alice, charlie, adam, team_a, team_b):
    rows = [
        person(1, household="H-1", team="", caseworker=""),
        person(2, household="H-1", main="nein", team="", caseworker=""),
        person(3, household="H-2"),
        person(4, household="H-2", main="nein", team="Team B", caseworker=""),
    ]
    plan = importing.plan(xlsx(rows), filename="x.xlsx", user=adam, check_duplicates=False)
    errors = {r.number: r.errors for r in plan.rows}
    assert errors[2] == [
        "“Team” is empty: the household's team is named in its main contact's row."
    ]
    assert errors[3] == [] and errors[4] == []
    assert errors[5] == ["Another team than the household's main contact (row 4)."]
    assert not Client.objects.exists()


def test_a_windows_1252_csv_with_german_dates_and_a_trailing_empty_row(alice, adam, team_a):
    header = ";".join(HEADER_DE)

    def line(cells):
        return ";".join(c.strftime("%d.%m.%Y") if hasattr(c, "strftime") else str(c) for c in cells)

    rows = [
        person(1, household="H-1", **{"Aufenthaltsstatus": "Beschäftigungsduldung"}),
        person(
            2,
            household="H-1",
            main="nein",
            team="",
            caseworker="",
            **{"Aufenthaltsstatus": "§ 60 b"},
        ),
    ]
    text = "\r\n".join([header, *map(line, rows), ";" * (len(HEADER_DE) - 1), ""])
    for data in (text.encode("cp1252"), ("\ufeff" + text).encode("utf-8")):
        plan = importing.plan(data, filename="liste.csv", user=adam, check_duplicates=False)
        assert plan.ok, [r.errors for r in plan.rows]
        assert [r.status["kind"] for r in plan.rows] == [
            K.EMPLOYMENT_TOLERATION,
            K.TOLERATION_UNCLEAR_IDENTITY,
        ]
        assert [r.status["valid_from"].isoformat() for r in plan.rows] == ["2025-03-01"] * 2


def _dry_run(client, adam, rows):
    client.force_login(adam)
    upload = io.BytesIO(xlsx(rows))
    upload.name = "liste.xlsx"
    response = client.post("/manage/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 200
    return response.content.decode()


def test_the_dry_run_page_shows_each_rows_status_and_the_accepted_values(
    client, alice, adam, team_a
):
    page = _dry_run(
        client,
        adam,
        [
            person(1, **{"Aufenthaltsstatus": "§ 24 AufenthG"}),
            person(2, **{"Aufenthaltsstatus": "Duldung", "Status gültig bis": ""}),
            person(3, **{"Aufenthaltsstatus": ""}),
        ],
    )
    cells = re.findall(r'<td data-label="Erfasster Aufenthaltsstatus"[^>]*>(.*?)</td>', page)
    assert len(cells) == 3
    assert "Aufenthaltserlaubnis (vorübergehender Schutz, § 24 AufenthG)" in cells[0]
    assert "gültig vom 01.03.2025 bis 31.08.2026" in cells[0]
    assert "Duldung (§ 60a AufenthG)" in cells[1] and "gültig ab 01.03.2025" in cells[1]
    assert "kein Status" in cells[2]
    # The accepted values, closed while every status is understood.
    assert '<details class="import-statuses" id="statuses">' in page
    assert "Zulässige Aufenthaltsstatus" in page
    for written in ("§ 24 AufenthG", "Fiktionsbescheinigung", "Gestattung", "ungeklärt"):
        assert f"<code>{written}</code>" in page
    assert "Jetzt importieren" in page


def test_the_dry_run_page_asks_about_an_ambiguous_status(client, alice, adam, team_a):
    page = _dry_run(
        client,
        adam,
        [
            person(1, **{"Aufenthaltsstatus": "Aufenthaltserlaubnis"}),
            person(2, **{"Aufenthaltsstatus": "Blauer Pass"}),
        ],
    )
    assert "Welcher Aufenthaltsstatus ist „Aufenthaltserlaubnis“? Möglich sind:" in page
    assert (
        "Aufenthaltserlaubnis (Abschiebungsverbot, § 25 Abs. 3 AufenthG): schreiben Sie "
        "„Aufenthaltserlaubnis (Abschiebungsverbot)“;"
    ) in page
    assert "Unbekannter Aufenthaltsstatus „Blauer Pass“: Schreiben Sie einen der zulässigen" in page
    assert page.count("? siehe Hinweis") == 2
    # Opened where a status is in question; nothing to import.
    assert '<details class="import-statuses" id="statuses" open>' in page
    assert "Jetzt importieren" not in page and not Case.objects.exists()


def test_the_upload_page_lists_the_accepted_statuses(client, adam):
    client.force_login(adam)
    page = client.get("/manage/import/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Zulässige Aufenthaltsstatus" in page and "<code>§ 25 Abs. 2 AufenthG</code>" in page
