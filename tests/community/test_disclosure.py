"""A volunteer's Art. 15 export (volunteers.export) includes what community holds about them:
their event registrations; never another volunteer's."""

import pytest

from community import services
from tests.community.conftest import make_event, volunteers
from volunteers.export import volunteer_disclosure
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def test_the_volunteer_export_lists_their_own_event_registrations(cody, active_vera):
    event = make_event(cody, title="Schulung Erste Schritte")
    services.registration_add(actor=cody, event=event, user=active_vera)
    [other] = volunteers(1, prefix="w")
    services.registration_add(
        actor=cody, event=make_event(cody, title="Nur für andere"), user=other
    )
    data = volunteer_disclosure(Volunteer.objects.get(user=active_vera))
    assert [r["event"] for r in data["event_registrations"]] == ["Schulung Erste Schritte"]
    assert "newsletter" in data
