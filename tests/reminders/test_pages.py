"""The reminder pages: the opt-in shows the text in the person's language and records it with
its version (once, however often it is sent); the opt-out asks first and is versioned; the
case's message log; the DPO's message log shows only metadata and only their carrier."""

import pytest

from referrals.models import PrintText, Reminder, ReminderOptIn
from referrals.reminders import sending, texts
from tests.helpers import open_case
from tests.reminders.conftest import TOMORROW_1030
from tests.reminders.world import FAR, accompaniment, opt_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(alice, team_a, morning):
    return open_case(alice, team_a, first_name="Senait", last_name="Tesfay", valid_until=FAR)


def _form(case, language="ti", **data):
    _text, version, _reviewed = texts.opt_in_text(
        language=language, organisation=case.team.organisation.name
    )
    return {
        "client": case.clients.get().pk,
        "channel": "sms",
        "address": "0170 1234567",
        "language": language,
        "text_version": version,
        "agreed": "on",
        **data,
    }


def test_it_shows_the_text_in_the_chosen_language_and_german(client, alice, case):
    client.force_login(alice)
    page = client.get(f"/cases/{case.code}/reminders/new/").content.decode()
    assert "Choose the language" in page and "ቆጸራታተይ" not in page
    page = client.get(f"/cases/{case.code}/reminders/new/?language=ti").content.decode()
    assert "ቆጸራታተይ" in page and "Ich möchte per SMS" in page
    assert "not reviewed yet" in page


def test_it_records_the_opt_in_once_with_the_text_shown(client, alice, case):
    client.force_login(alice)
    url = f"/cases/{case.code}/reminders/new/?language=ti"
    data = {**_form(case), "submission": "token-1"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.code}/reminders/"
    client.post(url, data)  # a double tap
    opt_in = ReminderOptIn.objects.get()
    assert (opt_in.channel, opt_in.language, opt_in.address) == ("sms", "ti", "+491701234567")
    assert "ቆጸራታተይ" in opt_in.text_shown and opt_in.text_version == data["text_version"]
    assert opt_in.history.get().history_user == alice
    page = client.get(f"/cases/{case.code}/").content.decode()
    assert "Reminders by SMS and e-mail" in page and "Senait Tesfay: SMS, Tigrinya" in page
    assert f"/cases/{case.code}/reminders/new/" in page  # the panel offers the next opt-in
    assert f"/cases/{case.code}/reminders/{opt_in.code}/end/" in page


def test_a_text_changed_meanwhile_is_refused_with_what_was_typed(client, alice, case):
    client.force_login(alice)
    data = _form(case)
    PrintText.objects.filter(printout="reminders", key="consent", language="ti").update(
        text="ቆጸራ {organisation}"
    )
    response = client.post(f"/cases/{case.code}/reminders/new/?language=ti", data)
    assert response.status_code == 200
    assert "The text was changed meanwhile" in response.content.decode()
    assert "0170 1234567" in response.content.decode()
    assert not ReminderOptIn.objects.exists()


def test_it_says_what_is_wrong(client, alice, case):
    client.force_login(alice)
    data = _form(case, address="hallo", agreed="")
    page = client.post(f"/cases/{case.code}/reminders/new/?language=ti", data).content.decode()
    assert "Record the opt-in only once the person agreed." in page
    data = _form(case, address="12")
    page = client.post(f"/cases/{case.code}/reminders/new/?language=ti", data).content.decode()
    assert "Enter a mobile number" in page
    assert not ReminderOptIn.objects.exists()


def test_the_opt_out_asks_first_and_is_versioned(client, alice, bob, case):
    optin = opt_in(alice, case.clients.get())
    client.force_login(alice)
    url = f"/cases/{case.code}/reminders/{optin.code}/end/"
    page = client.get(url).content.decode()
    assert "End reminders now" in page
    assert ReminderOptIn.objects.get().is_active
    response = client.post(url, {"version": optin.version})
    assert response.status_code == 302
    optin.refresh_from_db()
    assert optin.opt_out == "caseworker" and optin.history.first().history_user == alice
    # A form loaded before the opt-out, sent after it: nothing changes, it says why.
    page = client.post(url, {"version": 1}).content.decode()
    assert "changed this record" in page


def test_the_case_log_lists_what_was_sent(client, alice, case, gateway):
    person = case.clients.get()
    opt_in(alice, person)
    accompaniment(case, person, TOMORROW_1030)
    sending.reminders_queue_due()
    sending.reminders_work()
    client.force_login(alice)
    page = client.get(f"/cases/{case.code}/reminders/").content.decode()
    assert "accompaniment, 03/11/2026" in page and "Sent" in page
    assert "ቆጸራ" not in page  # the text stays in the database


def test_it_checks_ownership(client, charlie, alice, case):
    optin = opt_in(alice, case.clients.get())
    client.force_login(charlie)
    for url in (
        f"/cases/{case.code}/reminders/",
        f"/cases/{case.code}/reminders/new/?language=ti",
        f"/cases/{case.code}/reminders/{optin.code}/end/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(f"/cases/{case.code}/reminders/{optin.code}/end/", {"version": 1}).status_code
        == 404
    )
    assert ReminderOptIn.objects.get().is_active


def test_the_dpo_sees_metadata_of_their_carrier_only(
    client, alice, charlie, case, dora, team_b, gateway, morning
):
    person = case.clients.get()
    opt_in(alice, person)
    accompaniment(case, person, TOMORROW_1030)
    other = open_case(charlie, team_b, valid_until=FAR)
    opt_in(charlie, other.clients.get(), language="ar", address="0171 5555555")
    accompaniment(other, other.clients.get(), TOMORROW_1030)
    sending.reminders_queue_due()
    sending.reminders_work()
    assert Reminder.objects.filter(state="sent").count() == 2
    client.force_login(dora)
    assert "/audit/reminders/" in client.get("/audit/").content.decode()
    page = client.get("/audit/reminders/").content.decode()
    assert case.reference in page and other.reference not in page
    assert "SMS" in page and "Sent" in page
    for secret in ("ቆጸራ", "1234567", "Senait", "Tesfay", "+49"):
        assert secret not in page
    client.force_login(alice)
    assert client.get("/audit/reminders/").status_code == 404


def test_an_empty_log_says_so(client, dora, morning):
    client.force_login(dora)
    assert "No reminder was sent" in client.get("/audit/reminders/").content.decode()
