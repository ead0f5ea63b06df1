"""The closed-case rule, written once (cases.services.case_accepts_records): every form page
inside a closed case file is read-only with the reason (cases.page.case_form_page) and a
POST saves nothing; the pages that are only an action answer 404; the services refuse; and
the case file, still open to the team's supervisor, offers no recording action."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Contact, Task
from cases.page import CLOSED
from tests.helpers import TODAY
from tests.security.world import fill, walk_urls

# Form pages inside a case file (cases.page.case_form_page): on a closed case the form is
# shown read-only with the reason, and nothing is saved.
FORM_PAGES = {
    "cases:edit",
    "cases:client_add",
    "cases:client_edit",
    "cases:status_add",
    "cases:share",
    "cases:deadlines",
    "cases:client_references",
    "cases:client_reference_edit",
    "cases:contact_new",
    "cases:contact_edit",
    "cases:task_new",
    "cases:task_edit",
    "cases:appointment_new",
    "cases:appointment_edit",
    "cases:appointment_cancel",
    "cases:assign",
    "cases:close",
    "moving:transfer_request",
    "plan:need_new",
    "plan:need_edit",
    "plan:need_finish",
    "plan:special_new",
    "plan:special_edit",
    "plan:activity_new",
    "plan:activity_edit",
}
# Pages that are only an action on an open case's record: 404 once it is closed.
ACTION_PAGES = {
    "cases:deadline_done",
    "cases:task_done",
    "moving:packet",
}
# Recording pages of the other apps: read-only or 404 (as their views are converted to
# case_form_page), and never a write.
OTHER_APPS = {
    "case_visits:visit_new",
    "case_visits:visit_cancel",
    "case_visits:accompaniment_outcome",
    "case_visits:accompaniment_cancel",
    "case_visits:visit_edit",
    "case_visits:check_done",
    "case_visits:accompaniment_new",
    "case_visits:accompaniment_edit",
    "referrals_case:consent_new",
    "referrals_case:consent_revoke",
    "referrals_case:referral_new",
    "referrals_case:referral_transition",
    "referrals_case:referral_print",
}
# Pages that show a closed case's records to its supervisor (read-only there).
READ_PAGES = {
    "cases:detail",
    "cases:history",
    "case_visits:visit_detail",
    "case_visits:accompaniment_detail",
    "referrals_case:referral_detail",
}


def _history_rows() -> int:
    """Every audited write leaves a history row: their number says whether anything was saved."""
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    )


@pytest.fixture
def closed(world):
    users, a, _b = world
    case = a.params["_case"]
    services.case_close(
        actor=users["sam"],
        case=case,
        reason="moved_away",
        acknowledged=[item.key for item in services.case_open_items(case)],
        deadline_reason="Die Anwältin überwacht die Frist.",
    )
    return users, a


@pytest.fixture
def routes():
    return dict((name, pattern) for pattern, name in walk_urls())


def test_every_form_page_is_read_only_with_the_reason(client, closed, routes):
    users, a = closed
    client.force_login(users["sam"])
    assert set(routes) >= FORM_PAGES
    before = _history_rows()
    for name in sorted(FORM_PAGES):
        url = fill(name, routes[name], a.params)
        page = client.get(url)
        assert page.status_code == 200, name
        assert page.context["read_only"] == CLOSED, name
        assert page.context["can_record"] is False, name
        html = page.content.decode()
        assert str(CLOSED) in html, name
        assert 'type="submit" class="button primary"' not in html, name
        posted = client.post(url, {"version": 1})
        assert posted.status_code == 200, name
        assert posted.context["read_only"] == CLOSED, name
    assert _history_rows() == before


def test_a_valid_form_on_a_closed_case_saves_nothing(client, closed):
    users, a = closed
    case = a.params["_case"]
    client.force_login(users["sam"])
    contacts, tasks = Contact.objects.count(), Task.objects.count()
    contact = {"kind": "phone", "date": str(TODAY), "duration_minutes": "10"}
    response = client.post(f"/cases/{case.code}/contacts/new/", contact)
    assert response.status_code == 200 and str(CLOSED) in response.content.decode()
    task = {"title": "Anrufen", "due_on": str(TODAY)}
    client.post(f"/cases/{case.code}/tasks/new/", task)
    edited = a.params["contact_code"]
    before = Contact.objects.get(code=edited)
    client.post(
        f"/cases/{case.code}/contacts/{edited}/",
        {**contact, "duration_minutes": "55", "version": before.version},
    )
    assert (Contact.objects.count(), Task.objects.count()) == (contacts, tasks)
    assert Contact.objects.get(code=edited).duration_minutes == before.duration_minutes


def test_every_action_page_is_gone_once_the_case_is_closed(client, closed, routes):
    users, a = closed
    client.force_login(users["sam"])
    for name in sorted(ACTION_PAGES):
        url = fill(name, routes[name], a.params)
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, {"version": 1}).status_code == 404, name


def test_the_other_apps_recording_pages_save_nothing(client, closed, routes):
    users, a = closed
    client.force_login(users["sam"])
    before = _history_rows()
    for name in sorted(OTHER_APPS):
        url = fill(name, routes[name], a.params)
        for response in (client.get(url), client.post(url, {"version": 1})):
            if response.status_code == 200:
                assert response.context["read_only"] == CLOSED, name
            else:
                assert response.status_code in (404, 405), name
    assert _history_rows() == before


def test_the_supervisor_still_reads_the_closed_file_without_recording_actions(
    client, closed, routes
):
    users, a = closed
    client.force_login(users["sam"])
    for name in sorted(READ_PAGES):
        response = client.get(fill(name, routes[name], a.params))
        assert response.status_code == 200, name
        assert response.context["can_record"] is False, name
    page = client.get(f"/cases/{a.params['code']}/").content.decode()
    assert "/edit/" not in page and "/visits/new/" not in page
    assert f"/cases/{a.params['code']}/reopen/" in page


def test_the_services_refuse_what_the_pages_no_longer_offer(closed):
    users, a = closed
    deadline = a.params["_case"].deadlines.get()
    with pytest.raises(ValidationError, match="closed"):
        services.deadline_done(actor=users["sam"], deadline=deadline)
    deadline.refresh_from_db()
    assert deadline.done_on is None


def test_the_reason_reads_in_german(client, closed, routes):
    """A German page says why in German (the reason had no translation)."""
    users, a = closed
    client.force_login(users["sam"])
    name = sorted(FORM_PAGES)[0]
    html = client.get(fill(name, routes[name], a.params), HTTP_ACCEPT_LANGUAGE="de")
    assert "Der Fall ist abgeschlossen: Eine Leitung öffnet ihn wieder" in html.content.decode()
