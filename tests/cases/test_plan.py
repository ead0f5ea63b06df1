"""The case plan: needs recorded, linked to a visit, reached and dropped; the catalogue; the
panel on the case file; statistics; history rows with ciphertext."""

import datetime
import re

import pytest
from django.db import connection

from cases.plan import services as plan_services
from cases.plan.models import Need, NeedCategory, NeedStatus, SpecialNeed
from caseworks.extensions.supervision import statistics_for
from tests.helpers import TODAY, open_case
from visits import services as visit_services
from visits.models import Visit


def category(key="housing"):
    return NeedCategory.objects.get(key=key)


def need(actor, case, key="housing", **data):
    return plan_services.need_create(actor=actor, case=case, category=category(key), **data)


def test_the_catalogue_is_seeded(db):
    keys = set(NeedCategory.objects.values_list("key", flat=True))
    assert {
        "housing",
        "health",
        "school",
        "language",
        "work",
        "benefits",
        "documents",
        "asylum",
        "family_reunification",
        "orientation",
    } <= keys


def test_it_records_a_need_with_one_save(client, alice, alice_case):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/plan/needs/new/"
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="submission" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "category": category("school").pk,
        "goal": "Kita-Platz für Zahra",
        "status": "open",
        "who_acts": "caseworker",
        "submission": token,
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert Need.objects.filter(case=alice_case).count() == 1
    again = client.post(url, data)
    assert Need.objects.filter(case=alice_case).count() == 1  # the same form twice: once
    # A double tap lands where the first tap went (issue 36), without a second save.
    assert (again.status_code, again["Location"]) == (302, response["Location"])
    html = client.get(f"/cases/{alice_case.code}/").content.decode()
    assert "Kita-Platz für Zahra" in html and "chip-open" in html


def test_it_marks_a_need_reached_and_back(client, alice, alice_case):
    n = need(alice, alice_case, goal="Wohnung")
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/plan/needs/{n.code}/finish/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "reached", "on": TODAY.isoformat()})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.status == NeedStatus.REACHED and n.finished_on == TODAY
    client.post(url, {"action": "reopen"})
    n.refresh_from_db()
    assert n.status == NeedStatus.IN_PROGRESS and n.finished_on is None


def test_dropping_needs_a_reason(client, alice, alice_case):
    n = need(alice, alice_case)
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/plan/needs/{n.code}/finish/"
    response = client.post(url, {"status": "dropped", "on": TODAY.isoformat()})
    assert response.status_code == 200
    n.refresh_from_db()
    assert n.status == NeedStatus.OPEN
    client.post(url, {"status": "dropped", "drop_reason": "moved", "on": TODAY.isoformat()})
    n.refresh_from_db()
    assert n.status == NeedStatus.DROPPED and n.drop_reason == "moved"


def test_a_need_of_another_household_person_is_refused(alice, alice_case, charlie, team_b):
    other = open_case(charlie, team_b, first_name="Yonas", last_name="Haile")
    with pytest.raises(Exception, match="household"):
        need(alice, alice_case, client=other.clients.get())


def test_it_records_a_need_from_a_visit_and_links_it(client, alice, alice_case):
    visit = visit_services.visit_record(
        actor=alice,
        case=alice_case,
        kind=Visit.Kind.FIRST,
        date=TODAY,
        present=list(alice_case.clients.all()),
        duration_minutes=30,
        place="accommodation",
        topics=["housing"],
    )
    client.force_login(alice)
    detail = client.get(f"/cases/{alice_case.code}/visits/{visit.code}/").content.decode()
    link = f"/cases/{alice_case.code}/plan/needs/new/?visit={visit.code}"
    assert link in detail
    page = client.get(link)
    assert "The need will be linked to" in page.content.decode()
    response = client.post(
        link,
        {"category": category("housing").pk, "status": "open", "who_acts": "caseworker"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{alice_case.code}/visits/{visit.code}/"
    created = Need.objects.get(case=alice_case)
    assert list(visit.needs.all()) == [created]
    # The visit's history records the link, by alice.
    assert visit.history.filter(history_type="~").exists() or visit.history.count() >= 2
    edit = client.get(f"/cases/{alice_case.code}/plan/needs/{created.code}/").content.decode()
    assert f"/visits/{visit.code}/" in edit


def test_the_visit_form_asks_which_needs_it_served(client, alice, alice_case):
    need(alice, alice_case, goal="Sprachkurs")
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/visits/new/").content.decode()
    assert 'name="needs"' in page and "Sprachkurs" in page


def test_a_visit_cannot_link_another_cases_need(alice, alice_case, team_a):
    other = open_case(alice, team_a, first_name="Omar", last_name="Nouri")
    foreign = need(alice, other)
    with pytest.raises(Exception, match="case"):
        visit_services.visit_record(
            actor=alice,
            case=alice_case,
            kind=Visit.Kind.FIRST,
            date=TODAY,
            duration_minutes=30,
            place="accommodation",
            needs=[foreign],
        )


def test_the_panel_is_short_open_needs_first(client, alice, alice_case):
    for i in range(7):
        need(alice, alice_case, goal=f"Ziel {i}", due_on=TODAY + datetime.timedelta(days=i))
    done = need(alice, alice_case, goal="Erledigt")
    plan_services.need_finish(actor=alice, need=done, status="reached")
    client.force_login(alice)
    html = client.get(f"/cases/{alice_case.code}/").content.decode()
    assert "Ziel 0" in html and "Ziel 4" in html and "Ziel 5" not in html
    assert "2 more open needs" in html and "Erledigt" not in html
    full = client.get(f"/cases/{alice_case.code}/plan/").content.decode()
    assert "Ziel 6" in full and "Erledigt" in full


def test_history_rows_hold_ciphertext(alice, alice_case):
    n = need(alice, alice_case, goal="GEHEIMZIEL-Birke", notes="NOTIZ-Erle")
    special = plan_services.special_need_create(
        actor=alice, client=alice_case.clients.get(), kind="lgbtiq", note="VERMERK-Esche"
    )
    with connection.cursor() as cursor:
        for table in ("cases_need", "cases_historicalneed"):
            cursor.execute(f"SELECT goal, notes FROM {table} WHERE id = %s", [n.pk])  # noqa: S608
            for row in cursor.fetchall():
                assert "GEHEIMZIEL" not in str(row) and "NOTIZ" not in str(row)
        for table in ("cases_specialneed", "cases_historicalspecialneed"):
            cursor.execute(
                f"SELECT kind, note FROM {table} WHERE id = %s",  # noqa: S608
                [special.pk],
            )
            rows = cursor.fetchall()
            assert rows
            for row in rows:
                assert "lgbtiq" not in str(row) and "VERMERK" not in str(row)
    assert SpecialNeed.objects.get(pk=special.pk).kind == "lgbtiq"


def test_statistics_count_needs_and_suppress_special_needs(alice, alice_case, team_a):
    for _ in range(3):
        n = need(alice, alice_case)
        plan_services.need_finish(actor=alice, need=n, status="reached")
    plan_services.special_need_create(actor=alice, client=alice_case.clients.get(), kind="lgbtiq")
    from cases.models import Case
    from supervision.statistics import protect

    tables = {
        t.key: t
        for t in statistics_for(
            cases=Case.objects.filter(team=team_a), start=TODAY.replace(day=1), end=TODAY
        )
    }
    assert dict(tables["needs_opened"].rows)["Wohnen"] == 3
    assert dict(tables["needs_reached"].rows)["Wohnen"] == 3
    assert dict(tables["needs_reached_days"].rows)["0–30"] == 3
    shown = protect(tables["special_needs"].rows)
    assert shown.rows == [("LGBTIQ*", None)]  # one person: suppressed


def test_the_admin_adds_renames_and_deactivates_a_category(client, adam):
    client.force_login(adam)
    assert client.get("/manage/needs/").status_code == 200
    page = client.get("/manage/needs/new/").content.decode()
    token = page.split('name="submission" value="')[1].split('"')[0]
    response = client.post(
        "/manage/needs/new/",
        {
            "name": "Schulden",
            "referral_category": "debt",
            "order": 120,
            "is_active": "on",
            "submission": token,
        },
    )
    assert response.status_code == 302
    created = NeedCategory.objects.get(name="Schulden")
    renamed = {
        "name": "Schulden und Finanzen",
        "referral_category": "debt",
        "order": 120,
        "version": 1,
    }
    # Addressed by its code: the sequential id is no address at all.
    assert client.post(f"/manage/needs/{created.pk}/", renamed).status_code == 404
    assert client.get(f"/manage/needs/{created.code}/").status_code == 200
    client.post(f"/manage/needs/{created.code}/", renamed)
    created.refresh_from_db()
    assert created.name == "Schulden und Finanzen" and not created.is_active
    assert created.history.last().history_user == adam


def test_two_admins_renaming_one_category_do_not_overwrite_each_other(client, adam):
    category = NeedCategory.objects.order_by("id").first()
    client.force_login(adam)
    url = f"/manage/needs/{category.code}/"
    loaded = {"referral_category": "", "order": 7, "is_active": "on", "version": 1}
    assert client.post(url, {**loaded, "name": "Wohnen und Unterkunft"}).status_code == 302
    response = client.post(url, {**loaded, "name": "Wohnung"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "while you were editing" in page and "(name" in page
    assert 'value="Wohnung"' in page  # what the second one typed is kept
    category.refresh_from_db()
    assert (category.name, category.version) == ("Wohnen und Unterkunft", 2)


def test_it_checks_the_catalogue_is_the_admins(client, alice, adam):
    category = NeedCategory.objects.order_by("id").first()
    client.force_login(alice)
    assert client.get(f"/manage/needs/{category.code}/").status_code == 404
    client.force_login(adam)
    assert client.get(f"/manage/needs/{category.code}/").status_code == 200


def test_a_deactivated_category_is_not_offered(client, alice, alice_case):
    NeedCategory.objects.filter(key="documents").update(is_active=False)
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/plan/needs/new/").content.decode()
    assert "Dokumente" not in page and "Wohnen" in page


def test_the_plan_needs_no_query_a_row(client, alice, alice_case):
    from django.test.utils import CaptureQueriesContext

    from cases import services as case_services

    def counts():
        client.force_login(alice)
        result = []
        for url in (f"/cases/{alice_case.code}/", f"/cases/{alice_case.code}/plan/"):
            client.get(url)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured))
        return result

    person = alice_case.clients.get()
    need(alice, alice_case, client=person)
    plan_services.special_need_create(actor=alice, client=person, kind="pregnancy")
    plan_services.activity_create(actor=alice, client=person, kind="school", since=TODAY)
    small = counts()
    for i in range(4):
        other = case_services.client_create(
            actor=alice,
            case=alice_case,
            data={"first_name": f"Kind{i}", "last_name": "Karimi", "relationship": "child"},
        )
        need(alice, alice_case, "health", client=other)
        plan_services.special_need_create(actor=alice, client=other, kind="disability")
        plan_services.special_need_create(actor=alice, client=other, kind="lgbtiq")
        plan_services.activity_create(actor=alice, client=other, kind="school", since=TODAY)
    assert counts() == small


def test_a_need_recorded_from_an_accompaniment_is_linked(client, alice, alice_case):
    from django.utils import timezone

    accompaniment = visit_services.accompaniment_plan(
        actor=alice,
        case=alice_case,
        data={
            "client": alice_case.clients.get(),
            "destination_kind": "authority",
            "destination_text": "Jobcenter",
            "appointment_at": timezone.now() + datetime.timedelta(days=2),
            "purpose": "Antrag",
            "accompanied_by": alice,
        },
    )
    client.force_login(alice)
    detail = f"/cases/{alice_case.code}/accompaniments/{accompaniment.code}/"
    link = f"/cases/{alice_case.code}/plan/needs/new/?accompaniment={accompaniment.code}"
    assert link in client.get(detail).content.decode()
    response = client.post(
        link, {"category": category("benefits").pk, "status": "open", "who_acts": "caseworker"}
    )
    assert response.status_code == 302 and response["Location"] == detail
    assert list(accompaniment.needs.all()) == list(Need.objects.filter(case=alice_case))


def test_retention_deletes_the_plan_with_its_history(alice, alice_case):
    from caseworks.audit.dataprotection import purge_case

    person = alice_case.clients.get()
    n = need(alice, alice_case, client=person)
    visit = visit_services.visit_record(
        actor=alice,
        case=alice_case,
        kind=Visit.Kind.FIRST,
        date=TODAY,
        duration_minutes=30,
        place="accommodation",
        needs=[n],
    )
    special = plan_services.special_need_create(actor=alice, client=person, kind="elderly")
    activity = plan_services.activity_create(actor=alice, client=person, kind="school", since=TODAY)
    counts = purge_case(alice_case)
    assert counts["needs"] == 1 and counts["special_protection_needs"] == 1
    assert not Need.history.filter(id=n.pk).exists()
    assert not SpecialNeed.history.filter(id=special.pk).exists()
    assert not type(activity).history.filter(id=activity.pk).exists()
    assert not Visit.history.filter(id=visit.pk).exists()
