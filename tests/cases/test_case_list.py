import datetime
import unicodedata

import pytest
from django.test import override_settings

from tests.helpers import TODAY, open_case


@pytest.fixture
def logged_in(client, alice):
    client.force_login(alice)
    return client


def found(response):
    return {case.reference for case in response.context["page"]}


def test_it_shows_my_caseload(logged_in, alice_case, charlie_case):
    response = logged_in.get("/cases/")
    assert response.status_code == 200
    assert found(response) == {alice_case.reference}
    assert "Karimi" in response.content.decode()
    assert "Haile" not in response.content.decode()


@pytest.mark.parametrize(
    "query", ["müller", "MÜLLER", " Müller ", unicodedata.normalize("NFD", "müller")]
)
def test_it_finds_a_name_regardless_of_case_as_typed(logged_in, alice, team_a, query):
    case = open_case(alice, team_a, first_name="Fatima", last_name="Müller")
    open_case(alice, team_a, first_name="Omar", last_name="Khalil")
    assert found(logged_in.get("/cases/", {"q": query})) == {case.reference}


@pytest.mark.parametrize("query", ["Ahmad Karimi", "karimi ahmad", "Ahmad", "KARIMI"])
def test_it_finds_first_last_and_full_names(logged_in, alice_case, query):
    assert found(logged_in.get("/cases/", {"q": query})) == {alice_case.reference}


def test_a_prefix_needs_three_letters_and_must_fit(logged_in, alice_case):
    assert found(logged_in.get("/cases/", {"q": "Kari"})) == {alice_case.reference}
    assert found(logged_in.get("/cases/", {"q": "Ka"})) == set()
    assert found(logged_in.get("/cases/", {"q": "Karimx"})) == set()


@pytest.mark.parametrize("query", ["17.05.1990", "1990-05-17"])
def test_it_finds_a_birth_date(logged_in, alice_case, query):
    assert found(logged_in.get("/cases/", {"q": query})) == {alice_case.reference}


def test_it_finds_a_document_number_however_it_is_spaced(logged_in, alice, team_a):
    case = open_case(alice, team_a, document_number="AB123456")
    assert found(logged_in.get("/cases/", {"q": "ab 123 456"})) == {case.reference}


def test_it_finds_a_reference_number(logged_in, alice_case):
    assert found(logged_in.get("/cases/", {"q": alice_case.reference})) == {alice_case.reference}


def test_it_checks_ownership_in_search(logged_in, charlie_case):
    response = logged_in.get("/cases/", {"q": "Yonas Haile"})
    assert found(response) == set()
    assert "No case matches" in response.content.decode()


def test_it_filters_by_current_status(logged_in, alice, team_a, alice_case):
    toleration = open_case(alice, team_a, kind="toleration")
    response = logged_in.get("/cases/", {"status": "toleration"})
    assert found(response) == {toleration.reference}


def test_it_filters_by_the_current_status_only(logged_in, alice, alice_case):
    from cases import services

    services.residence_status_add(
        actor=alice,
        client=alice_case.clients.get(),
        data={
            "kind": "residence_permit_asylum",
            "valid_from": TODAY,
            "valid_until": TODAY + datetime.timedelta(days=3 * 365),
        },
    )
    assert found(logged_in.get("/cases/", {"status": "permission_to_reside"})) == set()
    assert found(logged_in.get("/cases/", {"status": "residence_permit_asylum"})) == {
        alice_case.reference
    }


def test_it_filters_documents_expiring_within_30_days_or_expired(logged_in, alice, team_a):
    soon = open_case(alice, team_a, valid_until=TODAY + datetime.timedelta(days=30))
    open_case(alice, team_a, valid_until=TODAY + datetime.timedelta(days=31))
    from cases import services

    expired = open_case(alice, team_a)
    services.residence_status_add(
        actor=alice,
        client=expired.clients.get(),
        data={
            "kind": "toleration",
            "valid_from": TODAY - datetime.timedelta(days=20),
            "valid_until": TODAY - datetime.timedelta(days=1),
        },
    )
    response = logged_in.get("/cases/", {"expiring": "on"})
    assert found(response) == {soon.reference, expired.reference}


@override_settings(CASEWORKS_PAGE_SIZE=3)
def test_it_paginates(logged_in, alice, team_a):
    for _ in range(7):
        open_case(alice, team_a)
    first = logged_in.get("/cases/")
    assert len(found(first)) == 3
    assert first.context["page"].paginator.num_pages == 3
    last = logged_in.get("/cases/", {"page": 3})
    assert len(found(last)) == 1
    assert len(found(logged_in.get("/cases/", {"page": 99}))) == 1  # clamps to the last page


def test_it_shows_an_empty_state(logged_in):
    response = logged_in.get("/cases/")
    assert "No cases yet." in response.content.decode()


def test_a_supervisor_sees_the_team_caseload(client, sam, alice_case, charlie_case):
    client.force_login(sam)
    assert found(client.get("/cases/")) == {alice_case.reference}


@pytest.mark.parametrize("who", ["olga", "vera", "adam"])
def test_roles_without_case_files_get_404(client, who, request, alice_case):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/cases/").status_code == 404
    assert client.get("/cases/new/").status_code == 404


def test_it_requires_login(client):
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_list_decrypts_only_what_it_shows(logged_in, alice, team_a, monkeypatch):
    import caseworks.fields as fields

    for i in range(3):
        case = open_case(
            alice, team_a, document_number=f"X{i}", accommodation_address="Am Bahnhof 3"
        )
        person = case.clients.get()
        from cases import services

        services.client_update(
            actor=alice,
            client=person,
            expected_version=person.version,
            data={"phone": "0151 1", "email": "a@example.org"},
        )
    decrypted = []
    original = fields.decrypt_str
    monkeypatch.setattr(
        fields,
        "decrypt_str",
        lambda token, label="value": decrypted.append(label) or original(token, label=label),
    )
    assert logged_in.get("/cases/").status_code == 200
    assert sorted(set(decrypted)) == ["cases.Client.first_name", "cases.Client.last_name"]
    assert len(decrypted) == 6
