"""Only the administrator role opens /manage/: everybody else gets 404 (the page does not
exist for them), anonymous users the sign-in page. The Django admin is for superusers only
and not in the navigation."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from caseworks.models import UserCode
from demo.house import create_house
from tests.security.world import walk_urls


def manage_urls(*, user, team, service) -> list[str]:
    org = team.organisation.code
    return [
        "/manage/",
        "/manage/users/",
        "/manage/users/new/",
        f"/manage/users/{user.manage_code.code}/",
        f"/manage/users/{user.manage_code.code}/deactivate/",
        f"/manage/users/{user.manage_code.code}/activate/",
        f"/manage/users/{user.manage_code.code}/password/",
        f"/manage/users/{user.manage_code.code}/enrolment-code/",
        f"/manage/users/{user.manage_code.code}/unlock/",
        "/manage/organisations/",
        "/manage/organisations/new/",
        f"/manage/organisations/{org}/",
        "/manage/directory/",
        f"/manage/directory/{org}/",
        "/manage/teams/",
        "/manage/teams/new/",
        f"/manage/teams/{team.code}/",
        "/manage/services/",
        "/manage/services/new/",
        f"/manage/services/{service.code}/",
        f"/manage/services/{service.code}/deactivate/",
        f"/manage/services/{service.code}/activate/",
        "/manage/languages/",
    ]


def test_it_routes_every_manage_url_listed_here():
    routed = {name for _pattern, name in walk_urls() if name.startswith("manage:")}
    # The mappings page (a provider must be set up first) is opened in test_oidc_sign_in; the
    # page deciding a language text (a text must be kept first) in test_languages.
    assert len(routed) == 27


def test_it_opens_every_page_for_the_administrator(admin_client, alice, team_a, mbe):
    for url in manage_urls(user=alice, team=team_a, service=mbe):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["alice", "sam", "olga", "vera", "dora", "root"])
def test_it_checks_the_role(client, request, who, alice, team_a, mbe):
    user = request.getfixturevalue(who)  # root: a superuser without the administrator role
    client.force_login(user)
    for url in manage_urls(user=alice, team=team_a, service=mbe):
        assert client.get(url).status_code == 404, url
        # A list answers only GET: 405 to a POST, the same for everybody signed in.
        lists = ("/manage/", "/users/", "/teams/", "/organisations/", "/services/", "/directory/")
        get_only = url.endswith(lists)
        expected = 405 if get_only else 404
        assert client.post(url, {"username": "x", "name": "x"}).status_code == expected, url


def test_it_sends_anonymous_users_to_sign_in(client, alice, team_a, mbe):
    for url in manage_urls(user=alice, team=team_a, service=mbe):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_administrator_starts_on_the_setup_without_the_django_admin(client, ada):
    client.force_login(ada)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("manage:index")
    nav = [url for url, _label, _key in response.context["nav_items"]]
    assert nav == ["/manage/", "/manage/requests/", "/audit/arrangement.pdf"]
    assert "/admin/" not in response.content.decode()


@pytest.mark.parametrize("staff", [False, True])
def test_the_django_admin_is_for_superusers_only(client, ada, adam, root, staff):
    """The administrator role (the cast's adam, the demo's admin) is no superuser: the Django
    admin is closed to it, even with the staff flag."""
    assert not adam.is_superuser and not adam.is_staff
    for user in (ada, adam):
        user.is_staff = staff
        user.save()
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert client.get("/admin/auth/user/").status_code == 302
    client.force_login(root)
    assert client.get("/admin/").status_code == 200


def test_a_non_superuser_administrator_cannot_touch_a_superuser(admin_client, root):
    """Setting a superuser's password would hand over the superuser's powers."""
    assert admin_client.get(f"/manage/users/{root.manage_code.code}/").status_code == 404
    response = admin_client.post(
        f"/manage/users/{root.manage_code.code}/password/",
        {
            "password1": "ein sehr langes Passwort 2026",
            "password2": "ein sehr langes Passwort 2026",
        },
    )
    assert response.status_code == 404
    assert "root" not in admin_client.get("/manage/users/").content.decode()


def test_the_demo_administrator_is_no_superuser(client, db):
    """seed_demo's `admin` sets the house up through /manage/, like a real house's
    administrator: the Django admin stays closed to it."""
    _teams, users = create_house()
    admin = users["admin"]
    assert not admin.is_superuser and not admin.is_staff
    assert list(admin.groups.values_list("name", flat=True)) == ["admin"]
    client.force_login(admin)
    assert client.get("/manage/").status_code == 200
    assert client.get("/admin/").status_code == 302


def test_it_addresses_accounts_organisations_and_teams_by_code(admin_client, alice, team_a):
    """A UUID code, never the sequential id (which tells how many there are, and the next)."""
    organisation = team_a.organisation
    for by_code, by_id in (
        (f"/manage/users/{alice.manage_code.code}/", f"/manage/users/{alice.pk}/"),
        (
            f"/manage/organisations/{organisation.code}/",
            f"/manage/organisations/{organisation.pk}/",
        ),
        (f"/manage/teams/{team_a.code}/", f"/manage/teams/{team_a.pk}/"),
    ):
        assert admin_client.get(by_code).status_code == 200, by_code
        assert admin_client.get(by_id).status_code == 404, by_id


def test_every_account_has_a_code_however_it_was_made(db):
    made_elsewhere = get_user_model().objects.create_user("made-elsewhere")  # e.g. the admin
    assert UserCode.objects.get(user=made_elsewhere).code
    assert len(set(UserCode.objects.values_list("code", flat=True))) == UserCode.objects.count()
