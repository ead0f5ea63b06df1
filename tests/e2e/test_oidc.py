"""Sign-in with the carrier's directory on a phone (360 px, German): the button on the sign-in
page, the provider's own login page (tests/oidc: a real OpenID provider), back in Caseworks
with the mapped role; an unmapped colleague is told why not."""

import pytest
from django.contrib.auth import get_user_model

from caseworks.directory.models import DirectorySession
from caseworks.house import directory
from tests.caseworks.test_oidc_sign_in import PlainHttpBrowser, actions, person, set_up_directory
from tests.e2e.conftest import Journey
from tests.helpers import make_user
from tests.oidc.harness import start_provider

PASSWORD = "directory password"


@pytest.fixture(scope="module")
def oidc():
    yield from start_provider()


def test_a_caseworker_signs_in_with_the_carriers_directory(browser, live_server, house, oidc):
    adam, ada = make_user("adam-e2e", "admin"), make_user("ada-e2e", "admin")
    organisation = house["team"].organisation
    client_id, secret = oidc.register(
        redirect_uri=f"{live_server.url}/accounts/directory/{organisation.code}/callback/",
        backchannel_logout_uri=(
            f"{live_server.url}/accounts/directory/{organisation.code}/backchannel-logout/"
        ),
    )
    provider = directory.provider_save(
        actor=adam,
        organisation=organisation,
        data={
            "label": "Mit dem AWO-Konto anmelden",
            "issuer": oidc.issuer,
            "client_id": client_id,
            "client_secret": secret,
            "scopes": "openid email profile groups",
        },
    )
    mapping = directory.mapping_add(
        actor=adam, provider=provider, group="beratung", roles=["caseworker"], team=house["team"]
    )
    directory.mapping_approve(actor=ada, mapping=mapping)
    oidc.add_user("mira", groups=["beratung"], password=PASSWORD, name="Mira Yilmaz", amr=["mfa"])
    oidc.add_user("olaf", groups=["kantine"], password=PASSWORD, name="Olaf Berg")

    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15000)
    journey = Journey(page, live_server.url, 360)

    journey.go("/accounts/login/")
    button = page.get_by_role("link", name="Mit dem AWO-Konto anmelden")
    assert button.is_visible()
    assert page.get_by_label("Benutzername").is_visible()  # the local sign-in stays
    journey.check("directory-sign-in")
    button.click()
    page.fill('[name="login"]', "mira")
    page.fill('[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/**")
    assert "/accounts/login/" not in page.url
    journey.check("directory-signed-in")
    user = get_user_model().objects.get(username="mira")
    assert set(user.groups.values_list("name", flat=True)) == {"caseworker"}
    assert user.first_name == "Mira"

    context.clear_cookies()
    journey.go("/accounts/login/")
    page.get_by_role("link", name="Mit dem AWO-Konto anmelden").click()
    page.fill('[name="login"]', "olaf")
    page.fill('[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Anmeldung abgelehnt").wait_for()
    assert "gehört zu keiner Gruppe, der in Caseworks eine Rolle zugeordnet ist" in (
        page.get_by_role("alert").inner_text()
    )
    journey.check("directory-refused")
    assert not get_user_model().objects.filter(username="olaf").exists()
    context.close()


def test_the_providers_back_channel_logout_ends_the_session(oidc, house, live_server):
    """The provider posts its logout token to the live server (a real HTTP request): in the
    browser tests' process, where live servers and transactional tests belong."""
    admins = (make_user("adam", "admin"), make_user("ada", "admin"))
    # 127.0.0.1, not localhost: Node may try ::1 first, where the live server does not listen.
    base = live_server.url.replace("localhost", "127.0.0.1")
    provider = set_up_directory(oidc, admins, base=base)
    user_id = person(oidc, ["beratung"])
    browser = PlainHttpBrowser()  # one browser: Caseworks' cookies and the provider's
    start = browser.get(
        f"{base}/accounts/directory/{provider.organisation.code}/",
        allow_redirects=False,
    )
    back = oidc.log_in(browser, start.headers["Location"], user_id, PASSWORD)
    assert browser.get(back, allow_redirects=False).status_code == 302
    assert browser.get(f"{base}/cases/", allow_redirects=False).status_code == 200
    assert DirectorySession.objects.filter(identity__user__username=user_id).exists()
    oidc.end_session(browser)  # the provider posts a logout token to Caseworks
    assert not DirectorySession.objects.filter(identity__user__username=user_id).exists()
    again = browser.get(f"{base}/cases/", allow_redirects=False)
    assert again.status_code == 302 and "/accounts/login/" in again.headers["Location"]
    assert "directory.logout" in actions()
    # The account stays: only the session ended.
    assert get_user_model().objects.get(username=user_id).is_active
