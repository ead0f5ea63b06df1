import datetime
import zoneinfo

import pytest
import time_machine

from tests.reminders.fake_gateway import API_KEY, FakeGateway

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# A Tuesday morning; the accompaniment is on Wednesday at 10:30.
MORNING = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=BERLIN)
TOMORROW_1030 = datetime.datetime(2026, 3, 11, 10, 30, tzinfo=BERLIN)


@pytest.fixture
def gateway(settings):
    fake = FakeGateway().start()
    settings.CASEWORKS_SMS_BACKEND = "seven"
    settings.CASEWORKS_SMS_API_URL = fake.url
    settings.CASEWORKS_SMS_API_KEY = API_KEY
    settings.CASEWORKS_SMS_TIMEOUT = 1
    yield fake
    fake.stop()


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller
