"""Item 5 of issue 36: the coordinator registers a new volunteer and makes their account —
the volunteer role only, the one-time code mailed to the person, never shown to the
coordinator."""

import re

from django.contrib.auth import get_user_model
from django.core import mail

from caseworks.access.roles import roles_of
from caseworks.models import AccessLog, EnrolmentCode
from tests.helpers import make_user
from volunteers.models import Volunteer

CODE = re.compile(r"\b[A-Z2-9]{4}(?:-[A-Z2-9]{4}){3}\b")  # caseworks.signin's enrolment code
NEW = {
    "first_name": "Maria",
    "last_name": "Schäfer",
    "username": "",
    "email": "maria@example.org",
    "status": "onboarding",
    "phone": "0151 7654321",
    "language_0": "ara",
    "level_0": "fluent",
    "level_1": "good",
    "level_2": "good",
    "level_3": "good",
}


def test_it_registers_a_volunteer_with_a_new_account(
    client, cody, django_capture_on_commit_callbacks
):
    client.force_login(cody)
    page = client.get("/volunteers/new/").content.decode()
    # No admin account needed first: the page says the account is made here.
    assert 'name="user"' not in page and 'name="first_name"' in page
    assert "volunteer role only" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/volunteers/new/", NEW)
    user = get_user_model().objects.get(username="maria.schaefer")
    volunteer = Volunteer.objects.get(user=user)
    assert response.url == f"/volunteers/{volunteer.code}/"
    assert roles_of(user) == {"volunteer"}
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    assert not user.teams.exists() and not user.user_permissions.exists()
    assert user.email == "maria@example.org" and volunteer.email == "maria@example.org"
    # The code went to the person, not to the coordinator: neither page nor message shows it.
    code_mails = [m for m in mail.outbox if CODE.search(m.body)]
    assert [m.to for m in code_mails] == [["maria@example.org"]]
    assert EnrolmentCode.objects.filter(user=user, issued_by=cody).exists()
    detail = client.get(response.url).content.decode()
    code = CODE.search(code_mails[0].body).group(0)
    assert code not in detail and not CODE.search(detail)
    assert "maria.schaefer" in detail and "valid until" in detail
    logged = AccessLog.objects.filter(user=cody, action="manage.user.roles_changed").get()
    assert logged.detail["added"] == ["volunteer"]


def test_a_second_volunteer_of_the_same_name_gets_a_numbered_user_name(client, cody):
    make_user("maria.schaefer", "caseworker")
    client.force_login(cody)
    client.post("/volunteers/new/", NEW)
    assert Volunteer.objects.filter(user__username="maria.schaefer2").exists()
    assert roles_of(get_user_model().objects.get(username="maria.schaefer")) == {"caseworker"}


def test_a_new_account_needs_a_name_and_an_address(client, cody):
    client.force_login(cody)
    response = client.post("/volunteers/new/", {**NEW, "email": "", "last_name": ""})
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"email", "last_name"}
    assert not get_user_model().objects.filter(first_name="Maria").exists()


def test_a_chosen_user_name_that_exists_saves_nothing(client, cody, vera):
    client.force_login(cody)
    response = client.post("/volunteers/new/", {**NEW, "username": vera.username, "user": ""})
    assert "username" in response.context["form"].errors
    assert not Volunteer.objects.exists()


def test_an_existing_login_can_still_be_picked(client, cody, vera):
    client.force_login(cody)
    assert 'name="user"' in client.get("/volunteers/new/").content.decode()
    data = {**NEW, "user": vera.pk, "first_name": "", "last_name": "", "email": ""}
    response = client.post("/volunteers/new/", data)
    assert response.status_code == 302
    assert Volunteer.objects.get().user == vera
    assert get_user_model().objects.filter(username__startswith="maria").count() == 0


def test_nobody_else_makes_a_volunteer_account(client, alice, adam):
    for user in (alice, adam):
        client.force_login(user)
        assert client.post("/volunteers/new/", NEW).status_code == 404
    assert not get_user_model().objects.filter(email="maria@example.org").exists()
