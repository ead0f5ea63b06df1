"""The menu of issue 31's pages (caseworks.access.permissions.PAGES): a carrier's DPO finds the
retention reports, the transfer records, the approvals and the joint arrangement; an
administrator the approvals with how many wait; the sign-in page the way to a mailed code.
Whoever may approve a waiting request is told by mail."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from caseworks.house import services
from caseworks.models import AccountRequest
from tests.helpers import make_user


def as_user(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def menu(client: Client) -> dict[str, tuple[str, str]]:
    """key -> (url, label) of the navigation on the start page."""
    response = client.get("/", follow=True)
    return {key: (url, label) for url, label, key in response.context["nav_items"]}


@pytest.fixture
def ada(db):
    return make_user("ada", "admin")


@pytest.fixture
def ben(db):
    user = make_user("ben", "admin")
    user.email = "ben@example.org"
    user.save()
    return user


def test_it_shows_a_dpo_their_pages_and_each_opens(dora):
    client = as_user(dora)
    entries = menu(client)
    assert [key for key in entries] == [
        "access-log",
        "retention",
        "transfer-records",
        "requests",
        "arrangement",
    ]
    assert entries["transfer-records"][0] == "/cases/handovers/records/"
    assert entries["arrangement"][0] == "/audit/arrangement.pdf"
    for url, _label in entries.values():
        assert client.get(url, follow=True).status_code == 200, url


def test_it_leaves_the_dpo_pages_out_of_a_caseworkers_menu(alice):
    entries = menu(as_user(alice))
    assert not {"retention", "transfer-records", "requests", "arrangement"} & set(entries)
    assert as_user(alice).get("/manage/requests/").status_code == 404


def test_it_counts_the_requests_waiting_for_the_user(ada, ben, team_a):
    ada_client = as_user(ada)
    assert menu(ada_client)["requests"][1] == "Approvals"
    response = ada_client.post(
        "/manage/users/new/",
        {"username": "kai", "email": "kai@example.org", "roles": ["caseworker"]},
    )
    assert response.status_code == 302
    assert AccountRequest.objects.filter(state=AccountRequest.State.PENDING).count() == 1
    # ada asked: she may not decide it, so nothing waits for her; ben may.
    assert menu(ada_client)["requests"][1] == "Approvals"
    assert menu(as_user(ben))["requests"][1] == "Approvals (1)"


def test_it_mails_who_may_approve_and_nobody_else(
    ada, ben, team_a, django_capture_on_commit_callbacks
):
    ada.email = "ada@example.org"
    ada.save()
    cleo = make_user("cleo", "admin")
    cleo.email = "cleo@example.org"
    cleo.is_active = False  # an inactive administrator approves nothing
    cleo.save()
    with django_capture_on_commit_callbacks(execute=True):
        as_user(ada).post(
            "/manage/users/new/",
            {"username": "kai", "email": "kai.privat@example.org", "roles": ["caseworker"]},
        )
    kai = get_user_model().objects.get(username="kai")
    to_approvers = [m for m in mail.outbox if m.to == ["ben@example.org"]]
    assert len(to_approvers) == 1
    message = to_approvers[0]
    # In German (the house's language), naming who asked and the account, no address.
    assert "Freigabe" in message.subject
    assert "ada" in message.body and kai.username in message.body
    assert "kai.privat@example.org" not in message.body + message.subject
    everyone = {address for m in mail.outbox for address in m.to}
    assert "cleo@example.org" not in everyone and "ada@example.org" not in everyone


def test_it_mails_the_carriers_other_dpo_about_a_dpo_account(
    dora, ada, ben, team_a, django_capture_on_commit_callbacks
):
    dirk = make_user("dirk")
    dirk.email = "dirk@example.org"
    dirk.save()
    team_a.organisation.data_protection_officers.add(dirk)
    with django_capture_on_commit_callbacks(execute=True):
        pending = services.user_set_active(actor=ada, user=dora, active=False)
    assert isinstance(pending, AccountRequest)
    assert pending.approver == AccountRequest.Approver.DPO
    assert [m.to for m in mail.outbox if "Freigabe" in m.subject] == [["dirk@example.org"]]
    assert menu(as_user(dirk))["requests"][1] == "Approvals (1)"
    assert menu(as_user(ben))["requests"][1] == "Approvals"


def test_the_sign_in_page_points_to_the_code_page(client, db):  # db: the directory buttons
    page = Client(HTTP_ACCEPT_LANGUAGE="de").get("/accounts/login/").content.decode()
    assert 'href="/accounts/reset/"' in page
    assert "Zugang zurücksetzen / Code erhalten?" in page


def test_the_dpos_pages_speak_german(dora, team_a):
    client = as_user(dora, "de")
    entries = menu(client)
    assert [label for _url, label in entries.values()] == [
        "Zugriffsprotokoll",
        "Löschläufe",
        "Übermittlungen an andere Träger",
        "Freigaben",
        "Vereinbarung gemeinsame Verantwortung (PDF)",
    ]
    english = [
        "Retention runs",
        "Approvals",
        "Transfers to other carriers",
        "Joint arrangement",
        "No retention run yet",
        "my carriers and the house",
        "Requested by",
    ]
    for url in (
        "/audit/",
        f"/audit/retention/{team_a.organisation.code}/",
        "/cases/handovers/records/",
        "/manage/requests/",
    ):
        page = client.get(url).content.decode()
        assert not [text for text in english if text in page], url
