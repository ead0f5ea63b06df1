"""The closed-case rule, written once (cases.services.case_accepts_records): every page that
records something answers 404 on a closed case, the services refuse, and the case file,
still open to the team's supervisor, offers no recording action."""

import pytest

from cases import services
from tests.security.world import fill, walk_urls

# Pages that only record (forms and POST actions) inside a case file.
WRITE_PAGES = {
    "cases:edit",
    "cases:client_add",
    "cases:client_edit",
    "cases:status_add",
    "cases:share",
    "cases:deadline_done",
    "cases:contact_new",
    "cases:task_new",
    "cases:task_done",
    "cases:appointment_new",
    "cases:appointment_cancel",
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
    "cases:deadlines",
    "cases:client_references",
    "case_visits:visit_detail",
    "case_visits:accompaniment_detail",
    "referrals_case:referral_detail",
    # Contacts, tasks and appointments: one page to read and (while open) edit.
    "cases:contact_edit",
    "cases:task_edit",
    "cases:appointment_edit",
}


@pytest.fixture
def closed(world):
    users, a, _b = world
    case = a.params["_case"]
    services.case_close(
        actor=users["sam"],
        case=case,
        reason="moved_away",
        acknowledged=[item.key for item in services.case_open_items(case)],
    )
    return users, a


def test_every_recording_page_is_gone_once_the_case_is_closed(client, closed):
    users, a = closed
    client.force_login(users["sam"])
    routes = dict((name, pattern) for pattern, name in walk_urls())
    assert set(routes) >= WRITE_PAGES
    for name in sorted(WRITE_PAGES):
        url = fill(name, routes[name], a.params)
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, {"version": 1}).status_code == 404, name


def test_the_supervisor_still_reads_the_closed_file_without_recording_actions(client, closed):
    users, a = closed
    client.force_login(users["sam"])
    routes = dict((name, pattern) for pattern, name in walk_urls())
    for name in sorted(READ_PAGES):
        response = client.get(fill(name, routes[name], a.params))
        assert response.status_code == 200, name
        assert response.context["can_record"] is False, name
    page = client.get(f"/cases/{a.params['code']}/").content.decode()
    assert "/edit/" not in page and "/visits/new/" not in page
    assert f"/cases/{a.params['code']}/reopen/" in page


def test_the_services_refuse_what_the_pages_no_longer_offer(closed):
    from django.core.exceptions import ValidationError

    users, a = closed
    deadline = a.params["_case"].deadlines.get()
    with pytest.raises(ValidationError, match="closed"):
        services.deadline_done(actor=users["sam"], deadline=deadline)
    deadline.refresh_from_db()
    assert deadline.done_on is None
