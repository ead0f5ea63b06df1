"""The age groups count the birth year kept in the clear (Client.birth_year): set whenever
the birth date is saved, and nothing decrypted to count (issue 37, docs/statistics.md)."""

import datetime

import pytest

from cases import services as case_services
from cases.models import Client
from caseworks.fields import EncryptedDateField
from tests.helpers import TODAY, open_case

DAY = datetime.timedelta(days=1)


def test_the_birth_year_follows_the_birth_date(alice, team_a):
    person = open_case(alice, team_a, birth_date=datetime.date(1987, 3, 9)).clients.get()
    assert person.birth_year == 1987
    case_services.client_update(
        actor=alice,
        client=person,
        expected_version=person.version,
        data={"birth_date": datetime.date(2001, 12, 31)},
    )
    assert Client.objects.get(pk=person.pk).birth_year == 2001


def test_a_bulk_insert_sets_it_too(alice, team_a):
    case = open_case(alice, team_a)
    Client.objects.bulk_create(
        [
            Client(
                case=case,
                relationship="child",
                first_name="A",
                last_name="B",
                birth_date=datetime.date(2015, 6, 1),
            ),
            Client(case=case, relationship="child", first_name="C", last_name="D"),
        ]
    )
    years = set(Client.objects.filter(case=case).values_list("birth_year", flat=True))
    assert years == {1990, 2015, None}


def test_the_age_groups_decrypt_no_birth_date(client, sam, alice, team_a, monkeypatch):
    for born in (datetime.date(1990, 1, 1), datetime.date(TODAY.year - 10, 6, 15)):
        open_case(alice, team_a, birth_date=born, opened_on=TODAY - 50 * DAY)

    def refuse(*args, **kwargs):
        raise AssertionError("a birth date was decrypted")

    monkeypatch.setattr(EncryptedDateField, "from_db_value", refuse)
    client.force_login(sam)
    response = client.get(
        "/supervision/statistics/",
        {"start": str(TODAY - 100 * DAY), "end": str(TODAY), "teams": [team_a.pk]},
    )
    table = next(t["table"] for t in response.context["tables"] if t["table"].key == "age")
    assert dict(table.rows) == {"6–11": 1, "27–44": 1}


LAST_YEAR = TODAY.year - 1


@pytest.mark.parametrize(
    ("born", "group"),
    [
        (datetime.date(LAST_YEAR - 18, 1, 1), "18–26"),
        (datetime.date(LAST_YEAR - 17, 12, 31), "12–17"),
    ],
)
def test_a_calendar_year_counts_the_age_on_its_last_day(client, sam, alice, team_a, born, group):
    """18 on 31 December of last year, born on 1 January; 17, born on 31 December."""
    open_case(alice, team_a, birth_date=born, opened_on=datetime.date(LAST_YEAR, 1, 1))
    client.force_login(sam)
    response = client.get(
        "/supervision/statistics/",
        {"start": f"{LAST_YEAR}-01-01", "end": f"{LAST_YEAR}-12-31", "teams": [team_a.pk]},
    )
    table = next(t["table"] for t in response.context["tables"] if t["table"].key == "age")
    assert dict(table.rows) == {group: 1}
