"""A caseworker asks for a volunteer, the coordinator offers, the volunteer accepts: the
accompaniment is assigned and everyone is told — by reference and time only (the place and
the kind stay in Caseworks: visits.outbound)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases.services import case_close, case_open_items
from tests.volunteers.conftest import register, volunteer_login
from visits.services import volunteers_for
from volunteers import services
from volunteers.models import Offer, VolunteerRequest

SECRETS = (
    "Haddad-Geheim",
    "Amal",
    "Diabetes",
    "Diabetologie",
    "Gestattung",
    "0171",
    "Hausarztpraxis",
    "Arzt",
    "Zimmer 3",
)


def assert_discreet(messages):
    for message in messages:
        text = message.subject + message.body
        for secret in SECRETS:
            assert secret not in text, (secret, message.subject)


@pytest.fixture
def coordinated(cody):
    cody.email = "cody@example.org"
    cody.save()
    return cody


def test_the_whole_flow_assigns_the_accompaniment(
    client,
    alice,
    coordinated,
    vera,
    vera_profile,
    accompaniment,
    django_capture_on_commit_callbacks,
):
    alice.email = "alice@example.org"
    alice.save()
    client.force_login(alice)
    url = f"/cases/{accompaniment.case.code}/accompaniments/{accompaniment.code}/volunteer-request/"
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"task": "doctor", "language": "ara", "district": "Nord"})
    assert response.status_code == 302
    request = VolunteerRequest.objects.get()
    assert [m.to for m in mail.outbox] == [["cody@example.org"]]

    client.force_login(coordinated)
    page = client.get(f"/volunteers/requests/{request.code}/")
    assert page.status_code == 200 and vera_profile in [
        c.volunteer for c in page.context["candidates"]
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/volunteers/requests/{request.code}/", {"volunteers": [vera_profile.pk]})
    offer = Offer.objects.get()
    assert mail.outbox[-1].to == ["vera@example.org"]

    client.force_login(vera)
    assert str(offer.code) in client.get("/volunteers/me/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/volunteers/me/offers/{offer.code}/", {"answer": "accept"})
    accompaniment.refresh_from_db()
    request.refresh_from_db()
    assert accompaniment.volunteer == vera and accompaniment.accompanied_by == alice
    assert request.status == "assigned" and request.assigned == vera_profile
    assert accompaniment.history.first().history_user == vera
    recipients = {address for m in mail.outbox for address in m.to}
    assert recipients == {"cody@example.org", "vera@example.org", "alice@example.org"}
    assert all(accompaniment.case.reference in m.body for m in mail.outbox)
    assert_discreet(mail.outbox)

    client.force_login(alice)
    case_file = client.get(f"/cases/{accompaniment.case.code}/").content.decode()
    assert "vera" in case_file


def test_a_free_text_destination_is_not_in_the_mail(
    coordinated, alice, vera_profile, case, django_capture_on_commit_callbacks
):
    from tests.volunteers.conftest import next_weekday
    from visits import services as visit_services

    a = visit_services.accompaniment_plan(
        actor=alice,
        case=case,
        data={
            "client": case.clients.get(),
            "destination_kind": "doctor",
            "destination_text": "Praxis für Diabetologie Dr. Süß",
            "appointment_at": next_weekday(2, 9),
            "purpose": "x",
            "accompanied_by": alice,
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = services.request_create(actor=alice, accompaniment=a, data={"task": "doctor"})
        services.request_offer(actor=coordinated, request=r, volunteers=[vera_profile])
    assert len(mail.outbox) == 2
    assert_discreet(mail.outbox)
    assert "Süß" not in mail.outbox[1].body


def test_only_eligible_volunteers_can_be_offered(coordinated, request_):
    incomplete = register(volunteer_login("neu"), coordinated, pledge_signed_on=None)
    with pytest.raises(ValidationError):
        services.request_offer(actor=coordinated, request=request_, volunteers=[incomplete])
    assert not Offer.objects.exists()


def test_a_caseworker_offers_only_where_the_house_allows(alice, request_, vera_profile, settings):
    with pytest.raises(ValidationError):
        services.request_offer(actor=alice, request=request_, volunteers=[vera_profile])
    settings.CASEWORKS_CASEWORKERS_MAY_OFFER = True
    assert services.request_offer(actor=alice, request=request_, volunteers=[vera_profile])


def test_the_second_acceptance_is_refused(coordinated, request_, vera, vera_profile):
    other = register(volunteer_login("otto"), coordinated, languages=[("Arabisch", "good")])
    first, second = services.request_offer(
        actor=coordinated, request=request_, volunteers=[vera_profile, other]
    )
    services.offer_answer(actor=vera, offer=first, accept=True)
    second.refresh_from_db()
    assert second.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.offer_answer(actor=other.user, offer=second, accept=True)


def test_only_the_volunteer_asked_can_answer(coordinated, request_, vera_profile, alice):
    (offer,) = services.request_offer(
        actor=coordinated, request=request_, volunteers=[vera_profile]
    )
    with pytest.raises(ValidationError):
        services.offer_answer(actor=alice, offer=offer, accept=True)


def test_declining_leaves_the_request_open(coordinated, request_, vera, vera_profile):
    (offer,) = services.request_offer(
        actor=coordinated, request=request_, volunteers=[vera_profile]
    )
    services.offer_answer(actor=vera, offer=offer, accept=False)
    request_.refresh_from_db()
    assert request_.is_open and request_.accompaniment.volunteer is None


def test_one_open_request_per_accompaniment(alice, request_):
    with pytest.raises(ValidationError):
        services.request_create(
            actor=alice, accompaniment=request_.accompaniment, data={"task": "doctor"}
        )


def test_registered_volunteers_are_picked_only_while_eligible(cody, vera, vera_profile, case):
    unregistered = volunteer_login("legacy")
    lapsed = register(volunteer_login("lapsed"), cody, status="paused")
    picked = set(volunteers_for(case))
    assert vera in picked and unregistered in picked and lapsed.user not in picked


def test_it_asks_for_no_volunteer_on_a_closed_case(client, sam, case, accompaniment):
    """Inside a case file the page is read-only with the reason once the case is closed
    (cases.page.case_form_page): no 404, and a POST records nothing."""
    open_items = [item.key for item in case_open_items(case)]
    case_close(actor=sam, case=case, reason="moved_away", acknowledged=open_items)
    client.force_login(sam)
    url = f"/cases/{case.code}/accompaniments/{accompaniment.code}/volunteer-request/"
    page = client.get(url)
    assert page.status_code == 200 and "The case is closed" in page.content.decode()
    response = client.post(url, {"task": "doctor", "language": "ara"})
    assert response.status_code == 200 and "The case is closed" in response.content.decode()
    assert not VolunteerRequest.objects.filter(accompaniment=accompaniment).exists()


def test_the_offer_shows_the_note_for_the_accompaniment_not_the_purpose(
    client, alice, coordinated, vera, vera_profile, accompaniment
):
    from visits import services as visit_services

    visit_services.accompaniment_update(
        actor=alice,
        accompaniment=accompaniment,
        expected_version=accompaniment.version,
        volunteer_note="Treffpunkt vor der Praxis, Versichertenkarte mitbringen",
    )
    request = services.request_create(
        actor=alice, accompaniment=accompaniment, data={"task": "doctor"}
    )
    (offer,) = services.request_offer(actor=coordinated, request=request, volunteers=[vera_profile])
    client.force_login(vera)
    page = client.get(f"/volunteers/me/offers/{offer.code}/", HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Hinweis für die Begleitung" in html and "Treffpunkt vor der Praxis" in html
    assert "Befund Diabetes" not in html  # the purpose
