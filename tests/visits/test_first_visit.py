import datetime

from tests.visits.conftest import TODAY
from visits.models import ArrivalCheck, Visit


def test_the_first_visit_walks_through_the_arrival_checklist(client, alice, opened_case):
    client.force_login(alice)
    page = client.get(f"/cases/{opened_case.code}/visits/new/").content.decode()
    assert "Arrival checklist" in page and "health insurance / health card" in page
    response = client.post(
        f"/cases/{opened_case.code}/visits/new/",
        {
            "date": str(TODAY),
            "duration_minutes": "90",
            "place": "accommodation",
            "present": [c.pk for c in opened_case.clients.all()],
            "topics": ["orientation"],
            "next_visit_due": str(TODAY + datetime.timedelta(days=14)),
            "check-registration": "on",
            "check-health_insurance": "on",
        },
    )
    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.kind == "first" and visit.present.count() == 1
    assert set(ArrivalCheck.objects.filter(is_done=False).values_list("item", flat=True)) == {
        "benefits",
        "school_kita",
        "doctor",
        "language_course",
    }
    case_page = client.get(f"/cases/{opened_case.code}/").content.decode()
    assert "Open points from the arrival checklist" in case_page
    assert "family doctor" in case_page and "registration at the" not in case_page


def test_an_open_point_is_marked_done_and_leaves_the_case_file(
    client, alice, opened_case, first_visit
):
    client.force_login(alice)
    assert "language course" in client.get(f"/cases/{opened_case.code}/").content.decode()
    response = client.post(
        f"/cases/{opened_case.code}/checklist/language_course/done/", {"note": "Kurs ab 1.12."}
    )
    assert response.status_code == 302
    check = ArrivalCheck.objects.get(item="language_course")
    assert check.is_done and check.done_on == TODAY and check.note == "Kurs ab 1.12."
    panels = client.get(f"/cases/{opened_case.code}/").context["panels"]
    panel = next(p for p in panels if p.template == "visits/panel.html")
    open_items = {c.item for c in panel.context["open_checks"]}
    assert "language_course" not in open_items and len(open_items) == 5


def test_the_next_form_is_a_follow_up_with_sensible_defaults(
    client, alice, opened_case, first_visit
):
    client.force_login(alice)
    response = client.get(f"/cases/{opened_case.code}/visits/new/")
    form = response.context["form"]
    assert response.context["kind"] == "follow_up"
    assert response.context["checklist"] is None
    assert form.initial["date"] == TODAY
    assert list(form.initial["present"]) == list(opened_case.clients.all())
    assert form.initial["place"] == first_visit.place


def test_a_follow_up_is_logged_with_the_defaults_only(client, alice, opened_case, first_visit):
    client.force_login(alice)
    form = client.get(f"/cases/{opened_case.code}/visits/new/").context["form"]
    data = {
        name: form.initial.get(name, "")
        for name in ("date", "duration_minutes", "place", "interpreter_language", "next_visit_due")
    }
    data["present"] = [c.pk for c in form.initial["present"]]
    response = client.post(
        f"/cases/{opened_case.code}/visits/new/", {k: v for k, v in data.items() if v is not None}
    )
    assert response.status_code == 302
    assert Visit.objects.filter(kind="follow_up").count() == 1


def test_visits_of_another_team_are_404(client, charlie, opened_case, first_visit):
    client.force_login(charlie)
    assert client.get(f"/cases/{opened_case.code}/visits/new/").status_code == 404
    assert client.get(f"/cases/{opened_case.code}/visits/{first_visit.code}/").status_code == 404
    assert client.post(f"/cases/{opened_case.code}/checklist/doctor/done/").status_code == 404
