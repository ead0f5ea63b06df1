"""Two coordinators editing one event or one newsletter draft: the second save is refused
with a message naming who changed which field, what was typed is kept, nothing of the first
save is lost, and saving again then works (caseworks.web.concurrency.versioned_update)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from caseworks.web.concurrency import ConcurrentEdit
from community import services
from community.models import Event, Issue
from tests.community.conftest import make_event
from tests.helpers import make_user

CHANGED = "while you were editing"


@pytest.fixture
def carla_client(db):
    """A second coordinator."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user("carla", "coordinator", first_name="Carla", last_name="Conrad"))
    return client


@pytest.fixture
def cody_client(client, cody):
    client.force_login(cody)
    return client


def loaded(client, url) -> dict:
    """The form on `url` as the browser would send it back unchanged."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False):
            continue
        if isinstance(value, list | tuple):
            data[name] = list(value)
        elif hasattr(value, "strftime"):
            data[name] = value.strftime("%Y-%m-%dT%H:%M")
        else:
            data[name] = value
    return data


def test_it_refuses_the_second_of_two_concurrent_event_edits(cody, cody_client, carla_client):
    event = make_event(cody, capacity=5)
    url = f"/events/{event.code}/edit/"
    mine = loaded(cody_client, url)
    theirs = loaded(carla_client, url)
    assert carla_client.post(url, {**theirs, "place": "Rathaus, Saal 2"}).status_code == 302

    response = cody_client.post(url, {**mine, "capacity": "8"})

    assert response.status_code == 200
    html = response.content.decode()
    assert CHANGED in html and "Nothing was saved" in html
    assert "Carla Conrad" in html and "(place)" in html  # who, and which field
    assert response.context["form"]["capacity"].value() == "8"  # what cody typed is kept
    event.refresh_from_db()
    assert (event.place, event.capacity, event.version) == ("Rathaus, Saal 2", 5, 2)
    # The form now carries the current version: saving again (after checking) works.
    form = response.context["form"]
    again = {key: form.data.getlist(key) for key in form.data}
    assert cody_client.post(url, again).status_code == 302
    event.refresh_from_db()
    assert event.capacity == 8 and event.version == 3


def test_it_refuses_an_event_update_with_an_old_version(cody):
    event = make_event(cody)
    services.event_update(actor=cody, event=event, expected_version=1, title="Neu")
    with pytest.raises(ConcurrentEdit) as conflict:
        services.event_update(actor=cody, event=event, expected_version=1, capacity=9)
    assert conflict.value.changed_fields == ["title"]
    assert Event.objects.get(pk=event.pk).capacity == 2


def test_a_cancelled_event_refuses_a_form_loaded_before(cody, cody_client, carla_client):
    event = make_event(cody)
    url = f"/events/{event.code}/edit/"
    mine = loaded(cody_client, url)
    services.event_cancel(actor=cody, event=event)
    response = cody_client.post(url, {**mine, "title": "Anders"})
    assert CHANGED in response.content.decode()
    assert Event.objects.get(pk=event.pk).title == "Austauschtreffen"


def test_it_refuses_the_second_of_two_concurrent_draft_edits(cody, cody_client, carla_client):
    issue = services.issue_create(actor=cody, subject="Juni", body="Hallo", audience="all")
    url = f"/newsletter/{issue.code}/edit/"
    mine = loaded(cody_client, url)
    theirs = loaded(carla_client, url)
    assert carla_client.post(url, {**theirs, "body": "Hallo zusammen"}).status_code == 302
    html = cody_client.post(url, {**mine, "subject": "Juli"}).content.decode()
    assert CHANGED in html and "Carla Conrad" in html
    issue.refresh_from_db()
    assert (issue.subject, issue.body) == ("Juni", "Hallo zusammen")


def test_a_draft_being_sent_is_not_changed(cody):
    issue = services.issue_create(actor=cody, subject="Juni", body="Hallo", audience="all")
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
    with pytest.raises(ValidationError):
        services.issue_update(actor=cody, issue=issue, expected_version=1, subject="Juli")
