"""On a closed case the visit and accompaniment pages are read-only (cases.page.
case_form_page): they say why, offer no save button, and a POST saves nothing; the services
refuse the same (the cases guard in versioned_update, tested in test_visit_rules)."""

import pytest

from cases.services import case_close, case_open_items
from tests.visits.conftest import in_hours, plan
from visits.models import Accompaniment, Visit


@pytest.fixture
def closed(alice, sam, opened_case, first_visit, authority):
    accompaniment = plan(alice, opened_case, when=in_hours(-2), accompanied_by=alice)
    open_items = [item.key for item in case_open_items(opened_case)]
    case_close(actor=sam, case=opened_case, reason="moved_away", acknowledged=open_items)
    return opened_case, first_visit, accompaniment


def main(response) -> str:
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def test_it_shows_every_recording_page_read_only_with_the_reason(client, sam, closed):
    case, visit, accompaniment = closed
    client.force_login(sam)
    base = f"/cases/{case.code}"
    for url in (
        f"{base}/visits/new/",
        f"{base}/visits/{visit.code}/edit/",
        f"{base}/visits/{visit.code}/cancel/",
        f"{base}/accompaniments/new/",
        f"{base}/accompaniments/{accompaniment.code}/edit/",
        f"{base}/accompaniments/{accompaniment.code}/outcome/",
        f"{base}/accompaniments/{accompaniment.code}/cancel/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "The case is closed" in main(response), url
        assert 'type="submit"' not in main(response), url


def test_it_saves_nothing_posted_to_a_closed_case(client, sam, closed):
    case, visit, accompaniment = closed
    client.force_login(sam)
    base = f"/cases/{case.code}"
    posts = {
        f"{base}/visits/new/": {"date": str(visit.date), "duration_minutes": "30"},
        f"{base}/visits/{visit.code}/edit/": {
            "date": str(visit.date),
            "duration_minutes": "30",
            "place": "office",
            "version": visit.version,
        },
        f"{base}/visits/{visit.code}/cancel/": {"reason": "mistake"},
        f"{base}/accompaniments/{accompaniment.code}/outcome/": {
            "took_place": "yes",
            "outcome": "erledigt",
            "version": accompaniment.version,
        },
        f"{base}/accompaniments/{accompaniment.code}/cancel/": {"reason": "mistake"},
    }
    for url, data in posts.items():
        response = client.post(url, data)
        assert response.status_code == 200, url
        assert "The case is closed" in main(response), url
    assert Visit.objects.filter(case=case).count() == 1
    visit.refresh_from_db()
    accompaniment.refresh_from_db()
    assert (visit.version, visit.duration_minutes, visit.is_cancelled) == (1, 60, False)
    assert accompaniment.status == Accompaniment.Status.PLANNED and accompaniment.version == 1
