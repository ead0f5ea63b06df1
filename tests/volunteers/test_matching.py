"""Ranking candidates: language and availability first, continuity, district, load; only
eligible volunteers who are not absent that day."""

import datetime

from tests.volunteers.conftest import register, slot, volunteer_login
from visits import services as visit_services
from volunteers import services
from volunteers.matching import candidates_for
from volunteers.models import Volunteer


def names(request):
    return [c.volunteer.user.username for c in candidates_for(request)]


def test_it_ranks_by_language_then_availability(cody, request_):
    speaks = register(volunteer_login("speaks"), cody, languages=[("Arabisch", "native")])
    free = register(volunteer_login("free"), cody, languages=[("Englisch", "fluent")])
    both = register(volunteer_login("both"), cody, languages=[("arabisch ", "good")])
    slot(free, 1, 9, 12)
    slot(both, 1, 9, 12)
    ranked = candidates_for(request_)
    assert [c.volunteer for c in ranked] == [both, speaks, free]
    assert ranked[0].available and ranked[0].language_level == "good"
    assert not ranked[1].available
    assert ranked[2].language_level == ""  # no Arabic: listed last, whatever else fits


def test_a_native_speaker_comes_before_a_basic_one(cody, request_):
    register(volunteer_login("basic"), cody, languages=[("Arabisch", "basic")])
    register(volunteer_login("native"), cody, languages=[("Arabisch", "native")])
    assert names(request_) == ["native", "basic"]


def test_it_excludes_incomplete_onboarding_expired_certificates_and_absences(cody, request_):
    ok = register(volunteer_login("ok"), cody, languages=[("Arabisch", "good")])
    register(
        volunteer_login("incomplete"),
        cody,
        languages=[("Arabisch", "native")],
        training_attended_on=None,
    )
    register(
        volunteer_login("onboarding"), cody, languages=[("Arabisch", "native")], status="onboarding"
    )
    register(volunteer_login("paused"), cody, languages=[("Arabisch", "native")], status="paused")
    old = datetime.date.today() - datetime.timedelta(days=5 * 365 + 10)
    register(
        volunteer_login("expired"),
        cody,
        languages=[("Arabisch", "native")],
        certificate_issued_on=old,
        certificate_sighted_on=old,
    )
    away = register(volunteer_login("away"), cody, languages=[("Arabisch", "native")])
    day = request_.accompaniment.appointment_at.date()
    services.absence_add(
        actor=away.user, volunteer=away, starts_on=day - datetime.timedelta(days=1), ends_on=day
    )
    assert [c.volunteer for c in candidates_for(request_)] == [ok]


def test_a_certificate_expiring_before_the_appointment_excludes(cody, request_):
    day = request_.accompaniment.appointment_at.date()
    issued = day.replace(year=day.year - 5)  # due exactly on the appointment day
    register(
        volunteer_login("due"),
        cody,
        languages=[("Arabisch", "native")],
        certificate_issued_on=issued,
        certificate_sighted_on=issued,
    )
    assert names(request_) == []


def test_earlier_contact_with_the_family_and_district_count(alice, cody, case, doctor, request_):
    stranger = register(
        volunteer_login("stranger"), cody, languages=[("Arabisch", "good")], districts=["Süd"]
    )
    known = register(
        volunteer_login("known"), cody, languages=[("Arabisch", "good")], districts=["Süd"]
    )
    near = register(
        volunteer_login("near"), cody, languages=[("Arabisch", "good")], districts=["Nord"]
    )
    visit_services.accompaniment_plan(
        actor=alice,
        case=case,
        data={
            "client": case.clients.get(),
            "destination_kind": "authority",
            "destination_text": "Jobcenter",
            "appointment_at": request_.accompaniment.appointment_at - datetime.timedelta(days=30),
            "purpose": "x",
            "volunteer": known.user,
        },
    )
    ranked = candidates_for(request_)
    assert [c.volunteer for c in ranked] == [known, near, stranger]
    assert ranked[0].earlier_contacts == 1 and ranked[1].in_district


def test_the_current_load_lowers_the_rank(alice, cody, case, request_):
    busy = register(volunteer_login("busy"), cody, languages=[("Arabisch", "good")])
    idle = register(volunteer_login("idle"), cody, languages=[("Arabisch", "good")])
    other = __import__("tests.conftest", fromlist=["open_case"]).open_case(
        alice, case.team, last_name="Other"
    )
    for hours in (24, 48):
        visit_services.accompaniment_plan(
            actor=alice,
            case=other,
            data={
                "client": other.clients.get(),
                "destination_kind": "authority",
                "destination_text": "Amt",
                "appointment_at": request_.accompaniment.appointment_at
                + datetime.timedelta(hours=hours),
                "purpose": "x",
                "volunteer": busy.user,
            },
        )
    ranked = candidates_for(request_)
    assert [c.volunteer for c in ranked] == [idle, busy]
    assert ranked[1].load == 2


def test_eligibility_on_the_model_and_the_queryset_agree(cody):
    complete = register(volunteer_login("complete"), cody)
    missing = register(volunteer_login("missing"), cody, pledge_signed_on=None)
    assert complete.is_eligible() and not missing.is_eligible()
    assert list(Volunteer.objects.eligible()) == [complete]
    assert "confidentiality pledge" in missing.missing_onboarding()
