"""The expiry window is one setting (CASEWORKS_EXPIRY_WARNING_DAYS): the filter, the alerts
and the labels that name it all follow it."""

import datetime

from django.test import override_settings

from cases.models import Case, Client, ResidenceStatus
from tests.helpers import TODAY, open_case


def test_the_labels_name_the_configured_window(client, alice, sam, team_a):
    open_case(alice, team_a)
    with override_settings(CASEWORKS_EXPIRY_WARNING_DAYS=14):
        client.force_login(alice)
        assert "expiring within 14 days" in client.get("/cases/").content.decode()
        client.force_login(sam)
        assert "expiring within 14 days" in client.get("/supervision/").content.decode()
    client.force_login(alice)
    assert "expiring within 30 days" in client.get("/cases/").content.decode()


def test_the_alerts_use_the_same_window(alice, team_a):
    case = open_case(alice, team_a, valid_until=TODAY + datetime.timedelta(days=20))
    status = ResidenceStatus.objects.get(client__case=case)
    with override_settings(CASEWORKS_EXPIRY_WARNING_DAYS=14):
        assert not Case.objects.expiring(TODAY).exists()
        assert not Client.objects.expiring(TODAY).exists()
        assert status.expiry_state(TODAY) == "valid"
    with override_settings(CASEWORKS_EXPIRY_WARNING_DAYS=30):
        assert Case.objects.expiring(TODAY).get() == case
        assert Client.objects.expiring(TODAY).get().case == case
        assert status.expiry_state(TODAY) == "expiring"
