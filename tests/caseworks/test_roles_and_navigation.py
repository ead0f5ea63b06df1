import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from cases import services
from caseworks.audit.log import log_access
from caseworks.management.commands.load_service_directory import TYPICAL
from caseworks.models import AccessLog, Service
from tests.helpers import open_case


def test_the_roles_exist_after_migrating(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "caseworker",
        "supervisor",
        "office",
        "volunteer",
        "admin",
    }


@pytest.mark.parametrize(
    "who, sees, hidden",
    [
        ("alice", ["/cases/new/"], ["/admin/"]),
        ("sam", ["/cases/new/"], ["/admin/"]),
        ("adam", ["/manage/"], ["/cases/", "/admin/"]),
        ("olga", [], ["/cases/", "/admin/"]),
        ("vera", [], ["/cases/", "/admin/"]),
    ],
)
def test_the_navigation_shows_each_role_its_tools(client, request, who, sees, hidden):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get("/", follow=True)
    nav = [url for url, _label, _key in response.context["nav_items"]]
    for url in sees:
        assert url in nav
    for url in hidden:
        assert url not in nav


def test_the_access_log_is_append_only(alice, alice_case):
    log_access(user=alice, action="case.viewed", obj=alice_case, label=alice_case.reference)
    entry = AccessLog.objects.get()
    with pytest.raises(Exception, match="append-only"):
        entry.save()
    with pytest.raises(Exception, match="append-only"):
        entry.delete()
    with pytest.raises(Exception, match="append-only"):
        AccessLog.objects.all().delete()
    with pytest.raises(Exception, match="append-only"):
        AccessLog.objects.update(action="x")
    assert AccessLog.objects.get().action == "case.viewed"


def test_login_and_logout(client, db):
    get_user_model().objects.create_user("lena", password="a-long-passphrase-2026")
    response = client.post(
        "/accounts/login/", {"username": "lena", "password": "a-long-passphrase-2026"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405  # POST only
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_the_typical_service_directory_loads_once(db):
    call_command("load_service_directory")
    assert Service.objects.count() == len(TYPICAL)
    assert Service.objects.get(name="Jugendmigrationsdienst (JMD)").category == "jmd"
    call_command("load_service_directory")
    assert Service.objects.count() == len(TYPICAL)


def test_the_admin_shows_no_cover_reason(client, root, alice, bob, team_a):
    case = open_case(bob, team_a)
    services.cover_access_grant(actor=alice, case=case, reason="Vertretung Mandelkern")
    entry = AccessLog.objects.get(action="case.cover_access")
    client.force_login(root)
    page = client.get(f"/admin/caseworks/accesslog/{entry.pk}/change/")
    assert page.status_code == 200
    assert "Mandelkern" not in page.content.decode()
    assert "case.cover_access" in page.content.decode()
