"""The reminder texts are printout texts: edited and reviewed on /manage/texts/ like the
others, and the next reminder uses them. The demo's console gateway writes each SMS to its
file; numbers are one number however they are written."""

import json

import pytest

from caseworks import sms
from referrals.models import PrintText
from referrals.reminders import sending
from tests.helpers import open_case
from tests.reminders.conftest import TOMORROW_1030
from tests.reminders.world import FAR, accompaniment, opt_in

pytestmark = pytest.mark.django_db


def test_the_administrator_edits_and_reviews_the_tigrinya_reminder(
    client, adam, alice, team_a, gateway, morning
):
    client.force_login(adam)
    assert "Erinnerungen per SMS und E-Mail" in client.get("/manage/texts/").content.decode()
    url = "/manage/texts/printouts/reminders/ti/"
    data = {
        f"text_{row.key}": row.text
        for row in PrintText.objects.filter(printout="reminders", language="ti")
    }
    data["text_accompaniment"] = "ቆጸራ ጽባሕ {date} {time}። {place}። {az}። {phone}"
    response = client.post(url, {**data, "reviewed": "on", "reviewed_by": "T. G., BDÜ"})
    assert response.status_code == 302
    person = open_case(alice, team_a, valid_until=FAR).clients.get()
    opt_in(alice, person, language="ti")
    accompaniment(person.case, person, TOMORROW_1030)
    sending.reminders_queue_due()
    sending.reminders_work()
    [message] = gateway.messages()
    assert message.text.startswith("ቆጸራ ጽባሕ 11.03.2026 10:30።")
    assert "Erinnerung" not in message.text  # reviewed: the Tigrinya text alone


def test_the_console_gateway_writes_each_sms_to_its_file(settings, tmp_path):
    settings.CASEWORKS_SMS_BACKEND = "console"
    settings.CASEWORKS_SMS_FILE = str(tmp_path / "sms.jsonl")
    first = sms.send("0170 1234567", "ሰላም")
    second = sms.send("+49 170 7654321", "Hallo")
    lines = [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert lines == [
        {"id": first, "to": "+491701234567", "text": "ሰላም"},
        {"id": second, "to": "+491707654321", "text": "Hallo"},
    ]


@pytest.mark.parametrize(
    "written", ["0170 1234567", "+49 170 1234567", "0049 170-123 45 67", "491701234567"]
)
def test_a_number_is_one_number_however_written(written):
    assert sms.normalise_number(written) == "+491701234567"
