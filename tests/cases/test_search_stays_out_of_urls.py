"""What a caseworker searches for (a name, a birth date, a document number) never appears
in a URL — proxies, server logs and browser histories keep URLs: the form posts, the results
page carries a random token that only the searching user's session resolves."""

from tests.helpers import open_case


def test_the_search_form_posts_and_the_result_url_names_nobody(client, alice, team_a):
    case = open_case(alice, team_a, first_name="Leyla", last_name="Quandt")
    for i in range(30):  # more than a page, so that the pagination links are shown too
        open_case(alice, team_a, first_name=f"Kind{i}", last_name="Quandt")
    client.force_login(alice)
    page = client.get("/cases/").content.decode()
    assert 'method="post" action="/cases/"' in page
    response = client.post("/cases/", {"q": "Leyla Quandt", "status": "", "order": ""})
    assert response.status_code == 302
    location = response["Location"]
    assert "Leyla" not in location and "Quandt" not in location and "s=" in location
    results = client.get(location)
    assert [c.pk for c in results.context["page"]] == [case.pk]
    assert 'value="Leyla Quandt"' in results.content.decode()  # the field keeps the query

    everyone = client.post("/cases/", {"q": "Quandt", "expiring": ""})
    listing = client.get(everyone["Location"])
    html = listing.content.decode()
    assert listing.context["page"].paginator.count == 31
    assert "page=2" in html
    for href in (part.split('"')[0] for part in html.split('href="')[1:]):
        assert "Quandt" not in href, href


def test_a_token_is_worth_nothing_in_another_session(client, alice, bob, team_a):
    open_case(alice, team_a, first_name="Leyla", last_name="Quandt")
    client.force_login(alice)
    location = client.post("/cases/", {"q": "Quandt"})["Location"]
    client.force_login(bob)
    response = client.get(location, follow=True)
    assert "That search has expired" in response.content.decode()
    assert response.context["filter"].form["q"].value() == ""


def test_plain_filters_stay_readable_in_the_url(client, alice, team_a):
    client.force_login(alice)
    location = client.post("/cases/", {"q": "", "status": "toleration", "expiring": "on"})[
        "Location"
    ]
    assert location == "/cases/?status=toleration&expiring=on"
