import datetime

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cases import services as case_services
from tests.helpers import TODAY, open_case
from tests.visits.conftest import plan
from visits.models import ReminderSent

DAY = datetime.timedelta(days=1)


def tomorrow_at(hour):
    return timezone.make_aware(datetime.datetime.combine(TODAY + DAY, datetime.time(hour)))


def test_the_digest_names_reference_numbers_only(alice, sam, team_a):
    alice.email, sam.email = "alice@example.org", "sam@example.org"
    alice.save()
    sam.save()
    case = open_case(
        alice,
        team_a,
        first_name="Nour",
        last_name="Haddad",
        kind="toleration",
        valid_until=TODAY + 5 * DAY,
        opened_on=TODAY - 60 * DAY,
    )  # not visited: overdue too
    # Served eight days ago, a week's deadline: due yesterday, or moved past a weekend or
    # holiday to a working day within the escalation horizon, whatever the day of the week.
    case_services.bamf_decision_record(
        actor=alice, client=case.clients.get(), decision_type="dublin", served_on=TODAY - 8 * DAY
    )
    plan(alice, case, when=tomorrow_at(9), destination_text="Praxis", purpose="Impfung")
    call_command("send_reminders", language="en")
    by_recipient = {m.to[0]: m for m in mail.outbox}
    body = by_recipient["alice@example.org"].body
    assert f"Deadline {case.reference}" in body
    # The expiring toleration, without saying it is one (a residence title).
    assert f"Check papers: {case.reference}" in body
    assert f"Visit overdue: {case.reference}" in body
    assert "Accompaniment tomorrow at" in body and case.reference in body
    escalation = by_recipient["sam@example.org"].body
    assert f"Escalated: deadline {case.reference}" in escalation
    for message in mail.outbox:
        text = message.subject + message.body
        for secret in (
            "Nour",
            "Haddad",
            "Toleration",
            "Duldung",
            "Dublin",
            "lawsuit",
            "Praxis",
            "Impfung",
            "Document",
            "doctor",
        ):
            assert secret not in text, secret


def test_running_twice_sends_nothing_twice(alice, team_a):
    alice.email = "alice@example.org"
    alice.save()
    case = open_case(alice, team_a)
    case_services.deadline_add(actor=alice, case=case, title="x", due_on=TODAY + DAY)
    call_command("send_reminders", language="en")
    call_command("send_reminders", language="en")
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.filter(user=alice, day=TODAY).count() == 1


def test_nothing_due_sends_nothing(alice, team_a):
    alice.email = "alice@example.org"
    alice.save()
    open_case(alice, team_a, next_visit_due=TODAY + 10 * DAY)
    call_command("send_reminders", language="en")
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_the_digest_is_german_by_default(alice, team_a):
    alice.email = "alice@example.org"
    alice.save()
    case = open_case(alice, team_a, kind="toleration", valid_until=TODAY + 3 * DAY)
    call_command("send_reminders")
    body = mail.outbox[0].body
    assert "Für Sie fällig:" in body and f"Unterlagen prüfen: {case.reference}" in body
    assert "Duldung" not in body and "Karimi" not in body and "Dokument" not in body
