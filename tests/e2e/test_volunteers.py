"""The volunteer network in the browser: a caseworker asks for a volunteer for an
accompaniment, the coordinator offers it, the volunteer accepts on a phone, and the
caseworker sees who goes along. Every step gets the checks of `Journey.check`."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from caseworks.access.roles import Role
from caseworks.models import Service
from tests.e2e.conftest import PASSWORD
from tests.helpers import open_case
from visits import services as visit_services
from volunteers import services as volunteer_services
from volunteers.models import Offer, VolunteerRequest

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def network(house):
    leyla, karl = house["users"]["leyla"], house["users"]["karl"]
    kora = get_user_model().objects.create_user(
        "kora", password=PASSWORD, first_name="Kora", last_name="Vogt"
    )
    kora.groups.add(Group.objects.get(name=Role.COORDINATOR))
    volunteer_services.volunteer_create(
        actor=kora,
        user=karl,
        data={
            "status": "active",
            "districts": ["Nord"],
            "tasks": ["authority"],
            "pledge_signed_on": TODAY - 90 * DAY,
            "certificate_sighted_on": TODAY - 90 * DAY,
            "certificate_issued_on": TODAY - 100 * DAY,
            "training_attended_on": TODAY - 80 * DAY,
        },
        languages=[("Arabisch", "fluent")],
    )
    case = open_case(leyla, house["team"], first_name="Amal", last_name="Haddad")
    service = Service.objects.filter(kind="authority").order_by("name").first()
    when = timezone.make_aware(datetime.datetime.combine(TODAY + 3 * DAY, datetime.time(10)))
    accompaniment = visit_services.accompaniment_plan(
        actor=leyla,
        case=case,
        data={
            "client": case.clients.get(),
            "destination_kind": "authority",
            "service": service,
            "appointment_at": when,
            "purpose": "Verlängerung der Gestattung",
            "accompanied_by": leyla,
        },
    )
    return {**house, "case": case, "accompaniment": accompaniment, "service": service}


@pytest.mark.parametrize("journey", [360, 1280], indirect=True, ids=["phone", "desk"])
def test_request_offer_accept(journey, network):
    page = journey.page
    case, accompaniment = network["case"], network["accompaniment"]

    # The caseworker asks for a volunteer from the case file.
    journey.sign_in("leyla")
    journey.go(f"/cases/{case.code}/")
    page.locator(
        f'main a[href="/cases/{case.code}/accompaniments/{accompaniment.code}/volunteer-request/"]'
    ).click()
    page.wait_for_load_state("load")
    journey.check("caseworker-asks-for-a-volunteer")
    page.select_option('[name="task"]', "authority")
    page.select_option('[name="language"]', "ara")  # Arabisch, from the catalogue
    page.select_option('[name="district"]', "Nord")
    journey.submit()
    journey.check("case-file-volunteer-asked-for")
    request = VolunteerRequest.objects.get()

    # The coordinator starts on the register, opens the request and offers it.
    journey.sign_in("kora")
    assert page.url.endswith("/volunteers/")
    journey.check("coordinator-register")
    journey.go("/volunteers/requests/")
    journey.check("coordinator-requests")
    page.locator(f'main a[href="/volunteers/requests/{request.code}/"]').click()
    page.wait_for_load_state("load")
    journey.check("coordinator-candidates")
    assert "Haddad" not in page.content()  # no case file for the coordinator
    page.locator("main input[name=volunteers]").first.check()
    journey.submit("Angebot|Offer|anbieten|offer")
    journey.check("coordinator-offered")
    offer = Offer.objects.get()

    # The volunteer accepts on a phone.
    page.set_viewport_size({"width": 360, "height": 800})
    journey.width = 360
    journey.sign_in("karl")
    journey.go("/volunteers/me/")
    journey.check("volunteer-open-offer")
    page.locator(f'main a[href="/volunteers/me/offers/{offer.code}/"]').click()
    page.wait_for_load_state("load")
    journey.check("volunteer-offer")
    journey.submit()  # the first button: "yes, I go along"
    journey.check("volunteer-accepted")
    accompaniment.refresh_from_db()
    assert accompaniment.volunteer == network["users"]["karl"]

    # The caseworker sees who goes along.
    journey.sign_in("leyla")
    journey.go(f"/cases/{case.code}/")
    assert "Karl" in page.locator("#volunteers-heading + ul").inner_text()
    journey.check("caseworker-sees-the-assignment")
    journey.go(f"/cases/{case.code}/accompaniments/{accompaniment.code}/")
    assert "Karl" in page.content()
