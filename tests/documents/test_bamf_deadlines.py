"""A BAMF decision uploaded with its day of service: the § 74 AsylG deadlines are shown
from the existing rules and created only when the user confirms them."""

import datetime

from cases.law.deadlines import grounds_deadline, lawsuit_deadline
from cases.models import Deadline, DeadlineKind
from documents.models import Document, DocumentKind
from tests.documents.conftest import photo, upload_file

# A Tuesday in the past, far from holidays.
SERVED = datetime.date(2025, 3, 4)


def test_the_upload_leads_to_the_deadlines_and_they_are_created_on_confirmation(
    client, alice, alice_case
):
    person = alice_case.clients.get()
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/documents/new/",
        {
            "kind": DocumentKind.BAMF_DECISION,
            "title": "Bescheid BAMF",
            "client": person.pk,
            "served_on": SERVED.isoformat(),
            "decision_type": "manifestly_unfounded",
            "file": [upload_file(photo())],
        },
    )
    document = Document.objects.get()
    confirm = f"/cases/{alice_case.code}/documents/{document.code}/deadlines/"
    assert response["Location"] == confirm
    assert not Deadline.objects.exists()  # nothing before the user confirms

    page = client.get(confirm)
    lawsuit = lawsuit_deadline("manifestly_unfounded", SERVED)
    assert lawsuit == datetime.date(2025, 3, 11)  # one week (§ 36 (3) AsylG)
    assert page.context["preview"]["lawsuit"] == lawsuit
    assert page.context["preview"]["grounds"] == grounds_deadline(SERVED)

    # The user corrects the day: the new dates are shown before anything is created.
    corrected = SERVED + datetime.timedelta(days=1)
    shown = page.context["preview"]["checked"]
    response = client.post(
        confirm,
        {
            "decision_type": "manifestly_unfounded",
            "served_on": corrected.isoformat(),
            "version": document.version,
            "checked": shown,
            "action": "create",
        },
    )
    assert response.status_code == 200 and not Deadline.objects.exists()
    preview = response.context["preview"]
    assert preview["lawsuit"] == lawsuit_deadline("manifestly_unfounded", corrected)

    response = client.post(
        confirm,
        {
            "decision_type": "manifestly_unfounded",
            "served_on": corrected.isoformat(),
            "version": document.version,
            "checked": preview["checked"],
            "action": "create",
        },
    )
    assert response["Location"] == f"/cases/{alice_case.code}/deadlines/"
    deadlines = {d.kind: d for d in Deadline.objects.all()}
    assert deadlines[DeadlineKind.LAWSUIT].due_on == preview["lawsuit"]
    assert deadlines[DeadlineKind.GROUNDS].due_on == preview["grounds"]
    assert deadlines[DeadlineKind.LAWSUIT].client == person
    document.refresh_from_db()
    assert document.decision is not None and document.served_on == corrected
    # Once only.
    again = client.post(
        confirm,
        {
            "decision_type": "manifestly_unfounded",
            "served_on": corrected.isoformat(),
            "version": document.version,
            "checked": preview["checked"],
            "action": "create",
        },
    )
    assert again.status_code == 200 and Deadline.objects.count() == 2


def test_a_bamf_decision_needs_its_person(client, alice, alice_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/documents/new/",
        {"kind": DocumentKind.BAMF_DECISION, "title": "Bescheid", "file": [upload_file(photo())]},
    )
    assert response.status_code == 200
    assert "concerns one person" in response.content.decode()
    assert not Document.objects.exists()


def test_a_service_day_in_the_future_is_refused(client, alice, alice_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/documents/new/",
        {
            "kind": DocumentKind.BAMF_DECISION,
            "title": "Bescheid",
            "client": alice_case.clients.get().pk,
            "served_on": (datetime.date.today() + datetime.timedelta(days=3)).isoformat(),
            "decision_type": "rejected",
            "file": [upload_file(photo())],
        },
    )
    assert response.status_code == 200 and not Document.objects.exists()
