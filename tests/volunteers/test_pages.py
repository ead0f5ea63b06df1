"""The coordinator's register and the volunteers' own pages: who reaches what."""

import datetime
import json

from django.utils import timezone

from caseworks.models import AccessLog
from tests.helpers import TODAY
from tests.volunteers.conftest import register, volunteer_login
from volunteers import services
from volunteers.models import HoursEntry, Tandem, Volunteer


def test_the_coordinator_starts_on_the_register(client, cody):
    client.force_login(cody)
    assert client.get("/").url == "/volunteers/"


def test_it_registers_and_edits_a_volunteer(client, cody, vera):
    client.force_login(cody)
    assert client.get("/volunteers/new/").status_code == 200
    response = client.post(
        "/volunteers/new/",
        {
            "user": vera.pk,
            "status": "active",
            "phone": "0151 1234567",
            "email": "vera@example.org",
            "districts": ["Nord", "Ost"],
            "tasks": ["interpreting"],
            "language_0": "tir",
            "level_0": "native",
            "level_1": "good",
            "level_2": "good",
            "level_3": "good",
            "pledge_signed_on": "2026-01-05",
            "certificate_sighted_on": "2026-01-05",
            "certificate_issued_on": "2025-12-20",
            "training_attended_on": "2026-01-10",
        },
    )
    volunteer = Volunteer.objects.get(user=vera)
    assert response.url == f"/volunteers/{volunteer.code}/"
    assert volunteer.is_eligible() and volunteer.history.first().history_user == cody
    assert [lang.code for lang in volunteer.languages.all()] == ["tir"]
    page = client.get(f"/volunteers/{volunteer.code}/")
    assert "0151 1234567" in page.content.decode()
    assert AccessLog.objects.filter(user=cody, action="volunteer.viewed").exists()
    form = client.get(f"/volunteers/{volunteer.code}/edit/").context["form"]
    data = {f.name: f.value() for f in form}
    data = {k: v for k, v in data.items() if v is not None}
    data.update(status="paused", districts=["Nord"], tasks=["interpreting"], language_1="eng")
    client.post(f"/volunteers/{volunteer.code}/edit/", data)
    volunteer.refresh_from_db()
    assert volunteer.status == "paused" and volunteer.version == 2
    assert volunteer.languages.count() == 2


def test_the_register_filters_and_pages(client, cody, settings):
    for i in range(30):
        register(
            volunteer_login(f"v{i:02d}"),
            cody,
            languages=[("Arabisch" if i % 3 else "Dari", "good")],
        )
    client.force_login(cody)
    first = client.get("/volunteers/")
    assert first.context["page"].paginator.count == 30 and len(first.context["page"]) == 25
    assert client.get("/volunteers/?page=2").context["page"].object_list.__len__() == 5
    dari = client.get("/volunteers/?language=prs")
    assert dari.context["page"].paginator.count == 10
    assert (
        client.get("/volunteers/?status=eligible&district=Nord").context["page"].paginator.count
        == 30
    )
    assert client.get("/volunteers/?task=tandem").context["page"].paginator.count == 0


def test_expiring_certificates_are_listed(client, cody):
    issued = TODAY.replace(year=TODAY.year - 5) + datetime.timedelta(days=30)
    soon = register(
        volunteer_login("soon"), cody, certificate_issued_on=issued, certificate_sighted_on=issued
    )
    register(volunteer_login("later"), cody)
    client.force_login(cody)
    assert [v.pk for v in client.get("/volunteers/").context["expiring"]] == [soon.pk]


def test_pledge_pdf_and_export(client, cody, dora, vera_profile):
    client.force_login(cody)
    pdf = client.get(f"/volunteers/{vera_profile.code}/pledge.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    client.force_login(dora)
    export = client.get(f"/volunteers/{vera_profile.code}/export.json")
    data = json.loads(export.content)
    assert data["login"]["username"] == "vera" and data["languages"][0]["code"] == "ara"
    assert data["history"][0]["by"] == "cody"
    assert AccessLog.objects.filter(user=dora, action="volunteer.exported").exists()


def test_the_volunteer_manages_availability_absences_and_hours(client, vera, vera_profile):
    client.force_login(vera)
    assert client.get("/volunteers/me/").status_code == 200
    client.post(
        "/volunteers/me/availability/",
        {"form": "slots", "weekday_0": "1", "from_0": "09:00", "until_0": "12:00"},
    )
    assert [str(s) for s in vera_profile.slots.all()] == ["Tuesday 09:00–12:00"]
    start = TODAY + datetime.timedelta(days=3)
    client.post(
        "/volunteers/me/availability/",
        {
            "form": "absence",
            "starts_on": start.isoformat(),
            "ends_on": (start + datetime.timedelta(days=7)).isoformat(),
        },
    )
    absence = vera_profile.absences.get()
    client.post("/volunteers/me/availability/", {"form": "remove", "absence": absence.pk})
    assert not vera_profile.absences.exists()
    client.post(
        "/volunteers/me/hours/", {"date": TODAY.isoformat(), "minutes": "90", "task": "homework"}
    )
    assert HoursEntry.objects.get().minutes == 90
    assert client.get("/volunteers/me/hours/").context["hours"] == 1.5


def test_a_volunteer_never_reaches_another_volunteers_data(
    client, cody, vera, vera_profile, request_, case
):
    other = register(volunteer_login("otto"), cody, languages=[("Arabisch", "good")])
    (offer,) = services.request_offer(actor=cody, request=request_, volunteers=[other])
    tandem = services.tandem_create(
        actor=cody, volunteer=other, case=case, data={"consent_on": TODAY, "may_see_phone": True}
    )
    client.force_login(vera)
    assert client.get(f"/volunteers/me/offers/{offer.code}/").status_code == 404
    assert (
        client.post(f"/volunteers/me/offers/{offer.code}/", {"answer": "accept"}).status_code == 404
    )
    assert client.get(f"/volunteers/me/tandems/{tandem.code}/").status_code == 404
    assert client.get(f"/volunteers/{other.code}/").status_code == 404
    assert client.get(f"/volunteers/{vera_profile.code}/").status_code == 404  # not her register
    assert client.get(f"/volunteers/{vera_profile.code}/export.json").status_code == 404
    assert client.get("/volunteers/").status_code == 404
    assert client.get(f"/cases/{case.code}/").status_code == 404
    assert client.get(f"/volunteers/requests/{request_.code}/").status_code == 404


def test_the_coordinator_never_reaches_a_case_file(client, cody, case, request_):
    client.force_login(cody)
    assert client.get(f"/cases/{case.code}/").status_code == 404
    page = client.get(f"/volunteers/requests/{request_.code}/").content.decode()
    assert case.reference in page
    for secret in ("Haddad-Geheim", "Amal", "Diabetes", "Diabetologie", "0171"):
        assert secret not in page


def test_a_tandem_shows_what_the_household_agreed_to(client, cody, vera, vera_profile, case):
    case.accommodation_address = "Lindenweg 4\n12345 Musterstadt"
    case.save()
    client.force_login(cody)
    client.post(
        "/volunteers/tandems/new/",
        {
            "volunteer": vera_profile.pk,
            "reference": case.reference,
            "starts_on": TODAY.isoformat(),
            "consent_on": TODAY.isoformat(),
            "may_see_phone": "on",
        },
    )
    tandem = Tandem.objects.get()
    client.force_login(vera)
    page = client.get(f"/volunteers/me/tandems/{tandem.code}/").content.decode()
    assert "Amal" in page and "0171 5550123" in page
    assert "Lindenweg" not in page and "Haddad-Geheim" not in page
    services.tandem_end(actor=cody, tandem=tandem, ends_on=TODAY - datetime.timedelta(days=0))
    tandem.ends_on = TODAY - datetime.timedelta(days=1)
    tandem.starts_on = TODAY - datetime.timedelta(days=10)
    tandem.save()
    ended = client.get(f"/volunteers/me/tandems/{tandem.code}/").content.decode()
    assert "Amal" not in ended and "0171" not in ended


def test_a_tandem_needs_an_eligible_volunteer(client, cody, case):
    lapsed = register(volunteer_login("lapsed"), cody, status="paused")
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.tandem_create(actor=cody, volunteer=lapsed, case=case, data={"consent_on": TODAY})


def test_the_case_file_offers_to_ask_for_a_volunteer(client, alice, accompaniment):
    client.force_login(alice)
    page = client.get(f"/cases/{accompaniment.case.code}/").content.decode()
    assert f"/accompaniments/{accompaniment.code}/volunteer-request/" in page


def test_figures_page(client, cody, vera_profile, case):
    client.force_login(cody)
    figures = client.get("/volunteers/figures/").context["f"]
    assert figures["active"] == 1
    assert ("Arabic", 1, 1) in figures["gap"]  # the UI's language: English in tests
    assert timezone.now()
