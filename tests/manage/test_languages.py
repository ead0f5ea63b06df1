"""Issue 32: /manage/languages/ lists the language texts that named no language of the
catalogue (kept by the migration or an import) from every app, and the administrator assigns
a code to all records at once, or keeps the text as a note. Admin only (404 otherwise);
each change is versioned and carries the administrator in its history."""

import pytest

from cases.models import Client
from caseworks.models import LanguageDecision
from tests.helpers import make_user
from tests.volunteers.conftest import register, volunteer_login
from volunteers.models import VolunteerLanguage

URL = "/manage/languages/"


@pytest.fixture
def kept(alice_case, mbe, cody):
    """Texts as the migration kept them: a client's, the directory's, a volunteer's row."""
    person = alice_case.clients.get()
    Client.objects.filter(pk=person.pk).update(languages=["deu"], languages_other="Kikongo")
    mbe.languages_other = "kikongo , Lingala-Dialekt"
    mbe.save()
    volunteer = register(volunteer_login("vic"), cody, languages=[("ara", "good")])
    VolunteerLanguage.objects.create(volunteer=volunteer, language="Kikongo", level="fluent")
    return person, volunteer


def test_it_checks_ownership(client, alice, cody, kept):
    """Everyone but the administrator gets 404, on the list and the decision."""
    for user in (alice, cody, make_user("sam2", "supervisor"), make_user("olga2", "office")):
        client.force_login(user)
        assert client.get(URL).status_code == 404
        assert client.get(f"{URL}resolve/?text=kikongo").status_code == 404
        assert client.post(f"{URL}resolve/?text=kikongo", {"choice": "kon"}).status_code == 404
    assert Client.objects.get(pk=kept[0].pk).languages_other == "Kikongo"


def test_it_lists_the_texts_from_every_app(admin_client, kept):
    response = admin_client.get(URL)
    assert response.status_code == 200
    texts = {t.key: t for t in response.context["page"]}
    assert set(texts) == {"kikongo", "lingala dialekt"}
    assert texts["kikongo"].records == 3  # a client, the service, a volunteer's row
    html = response.content.decode()
    assert "not yet assigned: Kikongo" in html and "Service directory: languages (1)" in html
    assert response.context["open"] == 2
    # Listed on the /manage/ overview.
    assert URL in admin_client.get("/manage/").content.decode()


def test_assigning_a_code_changes_every_record_with_history(admin_client, ada, kept, mbe):
    person, volunteer = kept
    page = admin_client.get(f"{URL}resolve/?text=kikongo")
    assert page.status_code == 200 and page.context["form"]["version"].value() == 0
    response = admin_client.post(f"{URL}resolve/?text=kikongo", {"choice": "lin", "version": 0})
    assert response.status_code == 302 and response.url == URL
    person = Client.objects.get(pk=person.pk)
    assert person.languages == ["deu", "lin"] and person.languages_other == ""
    assert person.history.first().history_user == ada and person.version == 2
    mbe.refresh_from_db()
    assert mbe.languages == ["lin"] and mbe.languages_other == "Lingala-Dialekt"
    row = volunteer.languages.get(code="lin")
    assert row.language == "" and row.level == "fluent"
    assert row.history.first().history_user == ada
    decision = LanguageDecision.objects.get(key="kikongo")
    assert decision.code == "lin" and decision.records == 3 and decision.decided_by == ada
    # Gone from the list; the other text stays open.
    assert [t.key for t in admin_client.get(URL).context["page"]] == ["lingala dialekt"]


def test_keeping_a_note_takes_it_off_the_open_list_and_keeps_the_text(admin_client, kept, mbe):
    response = admin_client.post(
        f"{URL}resolve/?text=lingala+dialekt", {"choice": "note", "version": 0}
    )
    assert response.status_code == 302
    mbe.refresh_from_db()
    assert mbe.languages_other == "kikongo , Lingala-Dialekt"  # nothing dropped
    listed = admin_client.get(URL)
    assert listed.context["open"] == 1
    entry = next(t for t in listed.context["page"] if t.key == "lingala dialekt")
    assert entry.decision.code == "" and entry.version == 1
    # A later decision needs the version the page showed: a stale one is refused.
    stale = admin_client.post(
        f"{URL}resolve/?text=lingala+dialekt", {"choice": "lin", "version": 0}
    )
    mbe.refresh_from_db()
    assert stale.status_code == 200 and "lin" not in mbe.languages
    again = admin_client.post(
        f"{URL}resolve/?text=lingala+dialekt", {"choice": "lin", "version": 1}
    )
    assert again.status_code == 302
    mbe.refresh_from_db()
    assert mbe.languages == ["lin"]


def test_an_unknown_text_or_choice_is_refused(admin_client, kept):
    assert admin_client.get(f"{URL}resolve/?text=klingonisch").status_code == 404
    response = admin_client.post(f"{URL}resolve/?text=kikongo", {"choice": "xxx", "version": 0})
    assert response.status_code == 200 and response.context["form"].errors
    assert Client.objects.get(pk=kept[0].pk).languages_other == "Kikongo"


def test_an_empty_list_says_so(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200 and response.context["open"] == 0
    assert "Every language is assigned" in response.content.decode()
