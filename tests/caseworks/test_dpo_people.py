"""Issue 36, item 4: the data protection officer finds a person of their carrier by name,
birth date or case reference — a minimal row, never the case file — and starts the Art. 15
disclosure from it; every search and every person shown is in the access log."""

import datetime

import pytest
from django.test import Client as Browser

from cases import services as case_services
from cases.models import DisclosureExport, Relationship
from caseworks.models import AccessLog
from tests.helpers import make_user, open_case


def as_user(user) -> Browser:
    browser = Browser(HTTP_ACCEPT_LANGUAGE="de")
    browser.force_login(user)
    return browser


@pytest.fixture
def household(alice, team_a):
    case = open_case(
        alice,
        team_a,
        first_name="Maryam",
        last_name="Rahimi",
        birth_date=datetime.date(1966, 5, 16),
    )
    son = case_services.client_create(
        actor=alice,
        case=case,
        data={
            "first_name": "Mustafa",
            "last_name": "Rahimi",
            "birth_date": datetime.date(2004, 2, 1),
            "relationship": Relationship.CHILD,
        },
    )
    return case, son


@pytest.fixture
def dirk(team_b):
    user = make_user("dirk")
    team_b.organisation.data_protection_officers.add(user)
    return user


def search(browser, query):
    return browser.post("/audit/people/", {"q": query})


def test_it_finds_a_person_by_name_birth_date_and_reference(client, dora, household):
    case, son = household
    browser = as_user(dora)
    assert browser.get("/audit/people/").status_code == 200

    by_name = search(browser, "Maryam Rahimi")
    assert [h.name for h in by_name.context["found"].hits] == ["Maryam Rahimi"]
    page = by_name.content.decode()
    assert "16.05.1966" in page and case.reference in page and "offen" in page
    assert f"/cases/{case.code}/clients/" in page and "disclosure.pdf" in page
    # The result row names nothing of the case file: no status, no address, no note.
    assert "Weg 1" not in page and "Aufenthalt" not in page

    by_birth = search(browser, "01.02.2004")
    assert [h.person.pk for h in by_birth.context["found"].hits] == [son.pk]

    # The reference finds the case as a whole: its household, the DPO chooses the person.
    by_reference = search(browser, case.reference)
    assert {h.name for h in by_reference.context["found"].hits} == {
        "Maryam Rahimi",
        "Mustafa Rahimi",
    }
    nobody = search(browser, "Quandt")
    assert nobody.context["found"].hits == []
    assert "Niemand gefunden" in nobody.content.decode()


def test_each_search_and_each_person_shown_is_logged_without_the_query(dora, household, team_a):
    case, _son = household
    seen = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    search(as_user(dora), "Rahimi")
    log = AccessLog.objects.filter(pk__gt=seen)
    searches = log.filter(action="dpo.person_search")
    assert [(e.organisation_id, e.detail) for e in searches] == [
        (team_a.organisation_id, {"persons": 2})
    ]
    found = log.filter(action="dpo.person_found")
    assert sorted(e.object_label for e in found) == [case.reference, case.reference]
    assert {e.organisation_id for e in found} == {team_a.organisation_id}
    for entry in log:  # the query (a name) is nowhere in the log
        assert "Rahimi" not in f"{entry.object_label} {entry.detail}"
    # Searching opens no case file.
    assert not log.filter(action="case.viewed").exists()


def test_another_carriers_dpo_finds_nobody_and_others_get_404(
    dora, dirk, alice, sam, household, charlie, team_b
):
    case, _son = household
    open_case(charlie, team_b, first_name="Maryam", last_name="Rahimi")
    hits = search(as_user(dirk), "Maryam Rahimi").context["found"].hits
    assert [h.case.team_id for h in hits] == [team_b.pk]  # only his carrier's Maryam
    for user in (alice, sam):
        browser = as_user(user)
        assert browser.get("/audit/people/").status_code == 404
        assert search(browser, "Rahimi").status_code == 404


def test_the_dpo_starts_the_disclosure_from_the_result(dora, household):
    case, _son = household
    browser = as_user(dora)
    hit = search(browser, "Maryam Rahimi").context["found"].hits[0]
    url = f"/cases/{case.code}/clients/{hit.person.code}/disclosure.pdf"
    assert browser.get(url).status_code == 200
    response = browser.post(url)
    assert response.status_code == 302
    export = DisclosureExport.objects.get(requested_by=dora)
    assert export.person == hit.person
    assert browser.get(response["Location"]).status_code == 200
    # The case file itself stays closed to the DPO.
    assert browser.get(f"/cases/{case.code}/").status_code == 404


def test_the_dpo_has_the_search_in_the_menu(dora, alice):
    assert 'href="/audit/people/"' in as_user(dora).get("/audit/").content.decode()
    assert 'href="/audit/people/"' not in as_user(alice).get("/cases/").content.decode()
