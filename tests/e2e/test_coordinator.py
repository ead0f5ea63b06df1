"""The coordinator on a phone (360 px), issue 36 items 5 and 10: registers a new volunteer and
makes their account as part of it (the one-time code goes to the person, never on screen),
then sends a newsletter to the volunteers through the confirmation naming the number."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from caseworks.access.roles import roles_of
from community import subscriptions
from community.models import Delivery, Issue
from tests.e2e.conftest import PASSWORD
from volunteers import services as volunteer_services
from volunteers.models import Volunteer

CODE = re.compile(r"\b[A-Z2-9]{4}(?:-[A-Z2-9]{4}){3}\b")


@pytest.fixture
def coordination(house, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cody = get_user_model().objects.create_user(
        "cody", password=PASSWORD, first_name="Clara", last_name="Koch"
    )
    cody.groups.add(Group.objects.get(name="coordinator"))
    karl = house["users"]["karl"]
    volunteer_services.volunteer_create(
        actor=cody, user=karl, data={"status": "active", "email": "karl@example.org"}
    )
    # Karl subscribed on his own newsletter page (his consent, signed in).
    subscriptions.volunteer_opt_in(user=karl, interests=[], language="de")
    return {**house, "cody": cody}


@pytest.mark.parametrize("journey", [360], indirect=True, ids=["phone"])
def test_the_coordinator_registers_a_volunteer_and_sends_the_newsletter(journey, coordination):
    page = journey.page
    journey.sign_in("cody")

    # A new volunteer: no administrator made an account first, the form makes it.
    journey.go("/volunteers/new/")
    journey.check("coordinator-volunteer-new")
    assert page.locator('select[name="user"]').count() == 0
    assert "nur mit der Rolle Ehrenamt" in page.locator("main").inner_text()
    page.fill('[name="first_name"]', "Maria")
    page.fill('[name="last_name"]', "Schäfer")
    page.fill('[name="email"]', "maria@example.org")
    page.select_option('[name="language_0"]', "prs")  # Dari
    journey.submit("Speichern")
    journey.check("coordinator-volunteer-registered")
    text = page.locator("main").inner_text()
    assert "maria.schaefer" in text and "noch nicht angemeldet" in text
    user = get_user_model().objects.get(username="maria.schaefer")
    assert roles_of(user) == {"volunteer"} and Volunteer.objects.filter(user=user).exists()
    code_mail = next(m for m in mail.outbox if CODE.search(m.body))
    assert code_mail.to == ["maria@example.org"]
    assert not CODE.search(page.content())  # never on the coordinator's screen

    # The newsletter for the volunteers: how many get it, then a confirmation first.
    journey.go("/newsletter/new/")
    page.fill('[name="subject"]', "Rundbrief Dezember")
    page.fill('[name="body"]', "Liebe Ehrenamtliche,\n\ndanke für dieses Jahr!")
    page.select_option('[name="audience"]', "volunteers")
    journey.submit()
    journey.check("coordinator-issue-preview")
    assert "1 von 1 aktiven Ehrenamtlichen" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("main a", has_text="An 1 Abonnent·in senden").click()
    journey.check("coordinator-issue-confirm")
    assert "Rundbrief Dezember" in page.locator("main").inner_text()
    assert not Delivery.objects.exists()  # the button only asked
    journey.submit("Ja, an 1 Empfänger·in senden")
    assert Delivery.objects.count() == 1
    assert Issue.objects.get().status == "sending"
    # Back to the confirmation and send again: its page says it is sent, nothing twice.
    page.go_back()
    page.wait_for_load_state("load")
    assert "/send/" not in page.url
    assert Delivery.objects.count() == 1
