"""The language mediators' pool: a caseworker books a mediator by phone for a counselling
contact (where the house allows it), the mediator's mail says reference, time, place and mode
only, the hours show in the year's statistics under the language's German name; candidates by
macrolanguage; a volunteer mediator sees their own bookings only, in a time window."""

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from cases import services as case_services
from tests.volunteers.conftest import register, volunteer_login
from volunteers import retention
from volunteers import services as volunteer_services
from volunteers.mediators import selectors
from volunteers.mediators import services as mediation
from volunteers.mediators.models import BookingStatus, MediationBooking, Mediator, Mode
from volunteers.models import Volunteer

# What the client's file says and no mail to a mediator may: names, phone, the case's number.
SECRETS = ("Haddad-Geheim", "Amal", "0171", "Beratung", "Gestattung", "Diabetes")


def later(days: int, hour: int = 10) -> datetime.datetime:
    """`days` ahead at `hour` local time (at least a day ahead whenever the suite runs)."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def contact(alice, case):
    return case_services.contact_record(
        actor=alice,
        case=case,
        persons=list(case.clients.all()),
        kind="office",
        date=timezone.localdate(),
        duration_minutes=60,
        note="Beratung zur Gestattung",
    )


@pytest.fixture
def agency(cody):
    return mediation.mediator_create(
        actor=cody,
        data={
            "kind": "agency",
            "name": "Sprachmittlerpool Rhein",
            "email": "pool@dolmetsch.example",
            "phone": "0221 555",
            "languages": ["ara", "kmr"],
            "modes": ["phone", "video"],
            "hourly_rate": "40.00",
            "funder": "Kommunales Integrationszentrum",
        },
    )


@pytest.fixture
def kurmanji_volunteer(cody):
    user = volunteer_login("kemal", "Kemal", "Aydin")
    volunteer = register(user, cody, languages=[("Kurmanji", "native")])
    return mediation.mediator_create(
        actor=cody,
        data={
            "kind": "volunteer",
            "volunteer": volunteer,
            "languages": ["kmr"],
            "modes": ["in_person", "phone"],
        },
    )


def request_for(client, case, contact, **data):
    url = f"/cases/{case.code}/contacts/{contact.code}/mediation/"
    posted = {
        "language": "ara",
        "mode": "phone",
        "starts_at": later(2).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "place": "",
        **data,
    }
    return client.post(url, posted)


@override_settings(CASEWORKS_CASEWORKERS_MAY_BOOK_MEDIATORS=True)
def test_it_lets_a_caseworker_book_by_phone_for_a_counselling_contact(
    client, alice, sam, team_a, case, contact, agency, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert client.get(f"/cases/{case.code}/contacts/{contact.code}/mediation/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = request_for(client, case, contact, place="Hauptstraße 1")
    booking = MediationBooking.objects.get()
    assert response.status_code == 302 and response["Location"] == (
        f"/volunteers/mediation/{booking.code}/"
    )
    assert (booking.contact, booking.case, booking.mode) == (contact, case, "phone")
    assert booking.place == ""  # none by phone

    page = client.get(f"/volunteers/mediation/{booking.code}/")
    assert page.context["candidates"] == [agency]
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            f"/volunteers/mediation/{booking.code}/book/",
            {"mediator": agency.pk, "version": booking.version},
        )
    assert booked.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED and booking.mediator == agency
    assert booking.funder == "Kommunales Integrationszentrum"

    (sent,) = [m for m in mail.outbox if m.to == ["pool@dolmetsch.example"]]
    text = sent.subject + sent.body
    assert booking.reference in sent.subject and booking.reference in sent.body
    assert "Telefon" in sent.body  # the mode, in German
    assert timezone.localtime(booking.starts_at).strftime("%H:%M") in sent.body
    for secret in (*SECRETS, case.reference, "Arabisch"):
        assert secret not in text, secret

    # Afterwards: the hours (and the agency's rate as the cost) ...
    with time_machine.travel(booking.starts_at + datetime.timedelta(hours=3), tick=False):
        client.force_login(alice)
        recorded = client.post(
            f"/volunteers/mediation/{booking.code}/record/",
            {"minutes": "180", "cost": "", "version": booking.version},
        )
    assert recorded.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.minutes, str(booking.cost)) == ("done", 180, "120.00")

    # ... in the year's statistics, under the language's German name.
    year = timezone.localtime(booking.starts_at).year
    with time_machine.travel(booking.starts_at + datetime.timedelta(hours=3), tick=False):
        client.force_login(sam)
        stats = client.get(
            "/supervision/statistics/",
            {"start": f"{year}-01-01", "end": f"{year}-12-31", "teams": [team_a.pk]},
        )
    tables = {t["table"].key: t["table"] for t in stats.context["tables"]}
    assert tables["interpreting_hours_language"].rows == [("Arabisch", 3)]
    assert tables["interpreting_hours_mode"].rows == [(str(Mode.PHONE.label), 3)]
    assert tables["interpreting_hours_funder"].rows == [("Kommunales Integrationszentrum", 3)]
    assert "Arabisch" in stats.content.decode()


def test_it_refuses_the_caseworker_booking_where_the_house_does_not_allow_it(
    client, alice, case, contact, agency
):
    client.force_login(alice)
    assert request_for(client, case, contact).status_code == 302
    booking = MediationBooking.objects.get()
    page = client.get(f"/volunteers/mediation/{booking.code}/")
    assert page.status_code == 200 and page.context["candidates"] == []
    assert "Book" not in page.content.decode() and "Buchen" not in page.content.decode()
    book = client.post(
        f"/volunteers/mediation/{booking.code}/book/",
        {"mediator": agency.pk, "version": booking.version},
    )
    assert book.status_code == 404
    assert client.get(f"/volunteers/mediation/{booking.code}/book/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED and booking.mediator is None


def test_it_tells_the_coordination_of_a_request_by_reference_only(
    client, alice, cody, case, contact, django_capture_on_commit_callbacks
):
    cody.email = "cody@example.org"
    cody.save()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        request_for(client, case, contact)
    booking = MediationBooking.objects.get()
    (sent,) = mail.outbox
    assert sent.to == ["cody@example.org"] and booking.reference in sent.subject
    for secret in (*SECRETS, case.reference):
        assert secret not in sent.subject + sent.body, secret


def test_it_asks_for_a_place_in_person_and_keeps_what_was_typed(client, alice, case, contact):
    client.force_login(alice)
    response = request_for(client, case, contact, mode="in_person", duration_minutes="45")
    assert response.status_code == 200
    assert response.context["form"].errors["place"]
    assert 'value="45"' in response.content.decode()
    assert not MediationBooking.objects.exists()


def test_it_saves_a_double_submitted_request_once(client, alice, case, contact):
    client.force_login(alice)
    url = f"/cases/{case.code}/contacts/{contact.code}/mediation/"
    token = re.search(r'name="submission" value="([^"]+)"', client.get(url).content.decode())
    data = {"submission": token.group(1)} if token else {}
    request_for(client, case, contact, **data)
    request_for(client, case, contact, **data)
    assert MediationBooking.objects.count() == 1


def test_it_checks_ownership(client, charlie, bob, case, contact, alice):
    """Another team's caseworker, a colleague the case is not shared with: 404."""
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "ara", "mode": "phone", "starts_at": later(2)},
    )
    for user in (charlie, bob):
        client.force_login(user)
        assert client.get(f"/volunteers/mediation/{booking.code}/").status_code == 404
        assert (
            client.get(f"/cases/{case.code}/contacts/{contact.code}/mediation/").status_code == 404
        )


def test_it_finds_candidates_by_macrolanguage(alice, case, contact, agency, kurmanji_volunteer):
    def candidates(language, mode):
        booking = MediationBooking(language=language, mode=mode, starts_at=later(3))
        return selectors.candidates_for(booking)

    # A request for Kurdish finds the Kurmanji speakers; volunteers first.
    assert candidates("kur", "phone") == [kurmanji_volunteer, agency]
    assert candidates("kmr", "in_person") == [kurmanji_volunteer]  # the agency: phone, video
    assert candidates("ckb", "phone") == []  # Sorani is not Kurmanji
    assert candidates("ara", "video") == [agency]


def test_it_offers_no_deactivated_mediator(client, cody, agency):
    client.force_login(cody)
    page = client.get(f"/volunteers/mediators/{agency.code}/active/")
    assert page.status_code == 200  # the confirmation first
    assert Mediator.objects.get().is_active
    client.post(f"/volunteers/mediators/{agency.code}/active/", {"version": agency.version})
    assert not Mediator.objects.get().is_active
    booking = MediationBooking(language="ara", mode="phone", starts_at=later(3))
    assert selectors.candidates_for(booking) == []


def test_it_filters_the_pool_by_language_and_mode(client, cody, agency, kurmanji_volunteer):
    client.force_login(cody)
    by_kurdish = client.get("/volunteers/mediators/", {"language": "kur", "active": "yes"})
    assert set(by_kurdish.context["page"].object_list) == {agency, kurmanji_volunteer}
    in_person = client.get("/volunteers/mediators/", {"mode": "in_person", "active": "yes"})
    assert list(in_person.context["page"].object_list) == [kurmanji_volunteer]
    none = client.get("/volunteers/mediators/", {"language": "tir", "active": "yes"})
    assert "No mediator matches" in none.content.decode() or "Keine" in none.content.decode()


def test_it_creates_a_paid_mediator_from_the_form(client, cody):
    client.force_login(cody)
    response = client.post(
        "/volunteers/mediators/new/",
        {
            "kind": "freelance",
            "name": "Hawre Karim",
            "email": "hawre@example.org",
            "languages": ["ckb", "ara"],
            "modes": ["in_person"],
            "hourly_rate": "35",
            "funder": "Land NRW",
        },
    )
    assert response.status_code == 302
    mediator = Mediator.objects.get()
    assert (mediator.name, mediator.languages, mediator.funder) == (
        "Hawre Karim",
        ["ckb", "ara"],
        "Land NRW",
    )
    # A volunteer without the register entry is refused, with what was typed kept.
    refused = client.post(
        "/volunteers/mediators/new/",
        {"kind": "volunteer", "languages": ["ara"], "modes": ["phone"], "availability": "Mo"},
    )
    assert refused.status_code == 200 and refused.context["form"].errors["volunteer"]


def test_a_volunteer_mediator_sees_only_their_own_bookings_in_the_window(
    client, alice, cody, case, contact, kurmanji_volunteer
):
    other = register(volunteer_login("vic"), cody, languages=[("Arabisch", "good")])
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "kur", "mode": "in_person", "starts_at": later(2), "place": "Markt 1"},
    )
    booking = mediation.booking_book(
        actor=cody, booking=booking, mediator=kurmanji_volunteer, expected_version=booking.version
    )
    url = f"/volunteers/me/interpreting/{booking.code}/"

    client.force_login(kurmanji_volunteer.volunteer.user)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert booking.reference in text and "Markt 1" in text
    for secret in (*SECRETS, case.reference):
        assert secret not in text, secret
    assert booking.reference in client.get("/volunteers/me/interpreting/").content.decode()
    assert booking.reference in client.get("/volunteer/").content.decode()  # start page box

    client.force_login(other.user)
    assert client.get(url).status_code == 404
    assert booking.reference not in client.get("/volunteers/me/interpreting/").content.decode()

    # After the window the booking is no longer theirs to see (its metadata in their export).
    with time_machine.travel(booking.ends_at + datetime.timedelta(days=2), tick=False):
        client.force_login(kurmanji_volunteer.volunteer.user)
        assert client.get(url).status_code == 404


def test_the_volunteers_export_holds_their_bookings_metadata(
    client, alice, cody, case, contact, kurmanji_volunteer
):
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "kmr", "mode": "phone", "starts_at": later(2)},
    )
    mediation.booking_book(
        actor=cody, booking=booking, mediator=kurmanji_volunteer, expected_version=booking.version
    )
    client.force_login(cody)
    response = client.get(f"/volunteers/{kurmanji_volunteer.volunteer.code}/export.json")
    data = json.loads(response.content)
    (row,) = data["language_mediations"]
    assert (row["reference"], row["language"]) == (booking.reference, "kmr")
    assert case.reference not in response.content.decode()


def test_it_cancels_after_confirmation_and_tells_the_mediator(
    client, alice, cody, case, contact, agency, django_capture_on_commit_callbacks
):
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "ara", "mode": "video", "starts_at": later(2)},
    )
    booking = mediation.booking_book(
        actor=cody, booking=booking, mediator=agency, expected_version=booking.version
    )
    client.force_login(alice)
    assert client.get(f"/volunteers/mediation/{booking.code}/cancel/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/volunteers/mediation/{booking.code}/cancel/", {"version": booking.version})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert [m.to for m in mail.outbox] == [["pool@dolmetsch.example"]]
    assert booking.reference in mail.outbox[0].subject


def test_retention_deletes_an_ended_volunteers_pool_entry_unless_booked(
    cody, alice, case, contact, settings
):
    settings.CASEWORKS_VOLUNTEER_RETENTION_YEARS = 1
    entries = {}
    for name in ("gone", "booked"):
        volunteer = register(volunteer_login(name), cody)
        entries[name] = mediation.mediator_create(
            actor=cody,
            data={"kind": "volunteer", "volunteer": volunteer, "languages": ["fas"]}
            | {"modes": ["phone"]},
        )
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "fas", "mode": "phone", "starts_at": later(2)},
    )
    mediation.booking_book(
        actor=cody, booking=booking, mediator=entries["booked"], expected_version=1
    )
    for entry in entries.values():
        volunteer = entry.volunteer
        volunteer_services.volunteer_update(
            actor=cody, volunteer=volunteer, expected_version=1, data={"status": "ended"}
        )
    Volunteer.objects.update(ended_on=timezone.localdate() - datetime.timedelta(days=400))
    assert retention.apply_volunteer_retention() == 1
    assert list(Mediator.objects.all()) == [entries["booked"]]
    assert not Mediator.history.filter(id=entries["gone"].pk).exists()


def test_the_record_pages_offer_the_request_and_show_the_bookings(
    client, alice, case, contact, accompaniment
):
    client.force_login(alice)
    contact_page = f"/cases/{case.code}/contacts/{contact.code}/"
    request_url = f"/cases/{case.code}/contacts/{contact.code}/mediation/"
    assert request_url in client.get(contact_page).content.decode()
    accompaniment_page = client.get(f"/cases/{case.code}/accompaniments/{accompaniment.code}/")
    assert (
        f"/cases/{case.code}/accompaniments/{accompaniment.code}/mediation/"
        in accompaniment_page.content.decode()
    )
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "tir", "mode": "video", "starts_at": later(2)},
    )
    text = client.get(contact_page).content.decode()
    assert booking.reference in text and f"/volunteers/mediation/{booking.code}/" in text
    # The case file's box lists it too, with the request links; its history tab the request.
    case_file = client.get(f"/cases/{case.code}/").content.decode()
    assert booking.reference in case_file and request_url in case_file
    history = client.get(f"/cases/{case.code}/history/")
    assert history.status_code == 200 and booking.reference in history.content.decode()


def test_it_refuses_a_request_for_a_cancelled_appointment(alice, case):
    appointment = case_services.appointment_create(
        actor=alice, case=case, kind="immigration_office", starts_at=later(3)
    )
    case_services.appointment_cancel(actor=alice, appointment=appointment, reason="verlegt")
    appointment.refresh_from_db()
    with pytest.raises(ValidationError):
        mediation.booking_request(
            actor=alice,
            case=case,
            record=appointment,
            data={"language": "ara", "mode": "phone", "starts_at": later(3)},
        )
    assert not MediationBooking.objects.exists()


def test_closing_the_case_lists_the_open_mediations(alice, case, contact):
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "ara", "mode": "phone", "starts_at": later(2)},
    )
    items = [i for i in case_services.case_open_items(case) if i.key == f"mediation-{booking.code}"]
    assert len(items) == 1 and booking.reference in items[0].text


def test_the_coordinator_sees_the_years_hours_and_costs_by_funder(
    client, alice, cody, case, contact, agency
):
    booking = mediation.booking_request(
        actor=alice,
        case=case,
        record=contact,
        data={"language": "ara", "mode": "video", "starts_at": later(2), "duration_minutes": 90},
    )
    booking = mediation.booking_book(
        actor=cody, booking=booking, mediator=agency, expected_version=booking.version
    )
    with time_machine.travel(booking.ends_at + datetime.timedelta(hours=1), tick=False):
        mediation.booking_record(
            actor=cody, booking=booking, expected_version=booking.version, minutes=90
        )
        client.force_login(cody)
        page = client.get("/volunteers/mediation/")
    (row,) = page.context["totals"]
    assert (row["funder"], row["hours"], row["cost"], row["n"]) == (
        "Kommunales Integrationszentrum",
        1.5,
        Decimal("60"),
        1,
    )
    assert "Kommunales Integrationszentrum" in page.content.decode()


def test_a_booking_belongs_to_exactly_one_record(alice, case, contact, accompaniment):
    def booking(**records):
        return MediationBooking(
            case=case,
            language="ara",
            mode="phone",
            starts_at=later(2),
            requested_by=alice,
            **records,
        )

    with pytest.raises(ValidationError):
        booking(contact=contact, accompaniment=accompaniment).full_clean()
    with pytest.raises(ValidationError):
        booking().full_clean()
    booking(contact=contact).full_clean()


@override_settings(CASEWORKS_CASEWORKERS_MAY_BOOK_MEDIATORS=True)
def test_booking_a_mediator_without_an_address_says_to_tell_them(
    client, alice, cody, case, contact, django_capture_on_commit_callbacks
):
    """No mail goes out without an address: the page says so, instead of "told by e-mail"."""
    by_phone_only = mediation.mediator_create(
        actor=cody,
        data={
            "kind": "agency",
            "name": "Dolmetschbüro ohne Mail",
            "phone": "0221 777",
            "languages": ["ara"],
            "modes": ["phone"],
            "hourly_rate": "35.00",
            "funder": "Kommune",
        },
    )
    client.force_login(alice)
    request_for(client, case, contact)
    booking = MediationBooking.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(
            f"/volunteers/mediation/{booking.code}/book/",
            {"mediator": by_phone_only.pk, "version": booking.version},
            follow=True,
        )
    page = booked.content.decode()
    assert "no e-mail address on file" in page and booking.reference in page
    assert "told by e-mail" not in page
    assert [m for m in mail.outbox if "Dolmetsch" in " ".join(m.to)] == []
    assert MediationBooking.objects.get().mediator == by_phone_only
