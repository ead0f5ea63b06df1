import datetime

from django.utils import timezone

from cases.models import Client, ResidenceStatus

TODAY = timezone.localdate()


def person(client_obj, **overrides):
    data = {
        "client-first_name": client_obj.first_name,
        "client-last_name": client_obj.last_name,
        "client-gender": "male",
        "client-languages": ["prs"],
        "client-version": client_obj.version,
    }
    data.update(overrides)
    return data


def test_it_saves_personal_details(client, alice, alice_case):
    person_obj = alice_case.clients.get()
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/clients/{person_obj.code}/edit/"
    response = client.post(url, person(person_obj, **{"client-phone": "0170 1234567"}))
    assert response.status_code == 302
    saved = Client.objects.get(pk=person_obj.pk)
    assert saved.phone == "0170 1234567" and saved.version == 2


def test_a_concurrent_edit_is_refused_with_what_changed(client, alice, bob, alice_case):
    person_obj = alice_case.clients.get()
    url = f"/cases/{alice_case.code}/clients/{person_obj.code}/edit/"
    client.force_login(alice)
    stale = person(person_obj, **{"client-languages": ["pus"]})
    # Another tab saves first.
    first = client.post(url, person(person_obj, **{"client-languages": ["prs", "eng"]}))
    assert first.status_code == 302
    response = client.post(url, stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert "while you were editing" in html and "Nothing was saved" in html
    assert "languages" in html
    assert '<option value="pus" selected>' in html  # the second tab's input is kept
    assert Client.objects.get(pk=person_obj.pk).languages == ["prs", "eng"]
    # Saving again, knowingly, works.
    again = client.post(
        url, {**stale, "client-version": response.context["form"].data["client-version"]}
    )
    assert again.status_code == 302
    assert Client.objects.get(pk=person_obj.pk).languages == ["pus"]


def test_it_adds_a_household_member_with_status(client, alice, alice_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/clients/new/",
        {
            "client-relationship": "child",
            "client-first_name": "Zahra",
            "client-last_name": "Karimi",
            "client-gender": "female",
            "add_status": "1",
            "status-kind": "permission_to_reside",
            "status-valid_from": str(TODAY),
            "status-valid_until": str(TODAY + datetime.timedelta(days=90)),
        },
    )
    assert response.status_code == 302
    member = alice_case.clients.get(relationship="child")
    assert member.first_name == "Zahra" and member.statuses.count() == 1


def test_it_adds_a_member_without_status_when_unticked(client, alice, alice_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/clients/new/",
        {
            "client-relationship": "spouse",
            "client-first_name": "Omar",
            "client-last_name": "Karimi",
            "client-gender": "male",
        },
    )
    assert response.status_code == 302
    assert alice_case.clients.get(relationship="spouse").statuses.count() == 0


def test_a_failed_member_add_saves_nothing(client, alice, alice_case):
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/clients/new/",
        {
            "client-relationship": "child",
            "client-first_name": "Zahra",
            "client-last_name": "Karimi",
            "client-gender": "female",
            "add_status": "1",
            "status-kind": "toleration",
            "status-valid_from": str(TODAY),
        },
    )
    assert response.status_code == 200
    assert "enter its expiry date" in response.content.decode()
    assert alice_case.clients.count() == 1


def test_it_records_a_new_residence_status_which_becomes_current(client, alice, alice_case):
    person_obj = alice_case.clients.get()
    client.force_login(alice)
    response = client.post(
        f"/cases/{alice_case.code}/clients/{person_obj.code}/status/new/",
        {
            "kind": "residence_permit_asylum",
            "valid_from": str(TODAY),
            "valid_until": str(TODAY + datetime.timedelta(days=3 * 365)),
            "document_number": "Y1234567",
            "issuing_authority": "Ausländerbehörde",
        },
    )
    assert response.status_code == 302
    assert ResidenceStatus.objects.filter(client=person_obj).count() == 2
    fresh = Client.objects.prefetch_related("statuses").get(pk=person_obj.pk)
    assert fresh.current_status().kind == "residence_permit_asylum"


def test_the_case_edit_form_saves_and_detects_conflicts(client, alice, alice_case):
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/edit/"
    data = {
        "opened_on": str(alice_case.opened_on),
        "accommodation_address": "Neu 1",
        "version": alice_case.version,
    }
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "accommodation_address": "Neu 2"})
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    alice_case.refresh_from_db()
    assert alice_case.accommodation_address == "Neu 1"


def test_a_language_not_yet_assigned_is_shown_and_kept(client, alice, alice_case):
    """Issue 32: a text from before the codes (or an import) that named no language of the
    catalogue is shown beside the choice and survives an edit of the languages."""
    person_obj = alice_case.clients.get()
    Client.objects.filter(pk=person_obj.pk).update(languages_other="Kikongo")
    client.force_login(alice)
    url = f"/cases/{alice_case.code}/clients/{person_obj.code}/edit/"
    assert "Not yet assigned: Kikongo" in client.get(url).content.decode()
    response = client.post(url, person(person_obj, **{"client-languages": ["lin", "fra"]}))
    assert response.status_code == 302
    saved = Client.objects.get(pk=person_obj.pk)
    assert saved.languages == ["lin", "fra"] and saved.languages_other == "Kikongo"
    page = client.get(f"/cases/{alice_case.code}/").content.decode()
    assert "Lingala, French, not yet assigned: Kikongo" in page
