"""Item 11 of issue 36: the offer waiting for the volunteer's answer is on their start page,
not only under "My volunteering"."""

from tests.volunteers.conftest import profile, register, volunteer_login
from volunteers import services


def test_the_open_offer_is_on_the_start_page(client, cody, vera_profile, request_):
    services.request_offer(actor=cody, request=request_, volunteers=[vera_profile])
    offer = vera_profile.offers.get()
    client.force_login(vera_profile.user)
    start = client.get("/")
    assert start.url == "/volunteer/"
    page = client.get(start.url).content.decode()
    assert "Can you go along?" in page and f"/volunteers/me/offers/{offer.code}/" in page
    # Answered, it leaves the start page.
    client.post(f"/volunteers/me/offers/{offer.code}/", {"answer": "decline"})
    assert f"/volunteers/me/offers/{offer.code}/" not in client.get("/volunteer/").content.decode()


def test_another_volunteers_offer_is_not_on_my_start_page(client, cody, vera_profile, request_):
    services.request_offer(actor=cody, request=request_, volunteers=[vera_profile])
    other = volunteer_login("otto")
    register(other, cody)
    client.force_login(profile(other).user)
    page = client.get("/volunteer/").content.decode()
    assert "Can you go along?" not in page and "/volunteers/me/offers/" not in page


def test_my_volunteering_says_how_to_get_the_newsletter(client, vera_profile):
    client.force_login(vera_profile.user)
    page = client.get("/volunteers/me/").content.decode()
    assert 'href="/newsletter/me/"' in page and "Subscribe to the newsletter" in page
