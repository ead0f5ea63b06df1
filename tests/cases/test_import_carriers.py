"""An import stays within the importing team's carrier (issue 31, docs/carriers.md): the same
household key or source id in two carriers' lists are two households, and an import never
adds a person to another carrier's case nor says that it exists."""

import pytest

from cases.intake import importing
from cases.models import Case, ImportedRow
from caseworks.models import Team
from tests.cases.test_import import person, xlsx


def test_the_same_household_key_in_two_carriers_lands_in_two_cases(
    adam, alice, charlie, team_a, team_b
):
    assert team_a.organisation_id != team_b.organisation_id
    importing.run(xlsx([person(1, household="1")]), filename="awo.xlsx", user=adam)
    # The Caritas list numbers its households and rows the same way.
    caritas = xlsx(
        [person(2, household="1", caseworker="charlie", team="Team B", **{"Quell-ID": "S-1"})]
    )
    plan = importing.plan(caritas, filename="caritas.xlsx", user=adam, check_duplicates=False)
    assert plan.ok
    (row,) = plan.rows
    # A new case: neither "imported before" nor "added to the household" of the AWO case.
    assert row.action == "case"
    assert row.warnings == [] and plan.cases == {}
    importing.run(caritas, filename="caritas.xlsx", user=adam)
    cases = list(Case.objects.order_by("pk"))
    assert [c.team for c in cases] == [team_a, team_b]
    assert [c.clients.count() for c in cases] == [1, 1]
    # And each carrier's next row of household "1" joins its own carrier's case.
    importing.run(xlsx([person(3, household="1", main="nein")]), filename="a2.xlsx", user=adam)
    assert [c.clients.count() for c in Case.objects.order_by("pk")] == [2, 1]


def test_rows_imported_before_the_keys_named_the_carrier_count_for_their_carrier_only(
    adam, alice, charlie, team_a, team_b
):
    awo = xlsx([person(1, household="1")])
    importing.run(awo, filename="awo.xlsx", user=adam)
    # As an import before this change wrote it: house-wide keys.
    ImportedRow.objects.update(
        key=importing._key("row", "S-1"), household=importing._key("household", "1")
    )
    again = importing.plan(awo, filename="awo.xlsx", user=adam, check_duplicates=False)
    assert [r.action for r in again.rows] == ["known"]
    more = importing.plan(
        xlsx([person(5, household="1", main="nein")]), filename="a.xlsx", user=adam
    )
    assert [r.action for r in more.rows] == ["person"]
    assert more.cases == {more.rows[0].household: Case.objects.get().pk}
    caritas = xlsx(
        [person(2, household="1", caseworker="charlie", team="Team B", **{"Quell-ID": "S-1"})]
    )
    other = importing.plan(caritas, filename="c.xlsx", user=adam, check_duplicates=False)
    assert [r.action for r in other.rows] == ["case"] and other.cases == {}


def test_a_household_of_another_team_of_the_carrier_is_refused(adam, alice, team_a):
    importing.run(xlsx([person(1, household="1")]), filename="a.xlsx", user=adam)
    Team.objects.create(organisation=team_a.organisation, name="Team A2")
    data = xlsx([person(2, household="1", main="nein", caseworker="", team="Team A2")])
    with pytest.raises(importing.NotImported) as refused:
        importing.run(data, filename="a2.xlsx", user=adam)
    (row,) = refused.value.plan.rows
    assert "imported before into another team" in row.errors[0]
    assert Case.objects.get().clients.count() == 1
    assert ImportedRow.objects.count() == 1
