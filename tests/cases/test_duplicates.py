import datetime

import pytest
from django.utils import timezone
from django.utils.translation import override

from cases.models import Case
from cases.selectors import possible_duplicates
from caseworks.audit.labels import action_label
from caseworks.fields import phonetic
from caseworks.models import AccessLog
from tests.helpers import open_case
from tests.security.test_plaintext_at_rest import all_rows_as_text

BORN = datetime.date(1988, 4, 2)


@pytest.mark.parametrize(
    "known, typed",
    [
        (("Mohammed", "Al-Hassan"), ("Muhammad", "Al-Hassan")),
        (("Mohamad", "Khalil"), ("Mohammed", "Khalil")),
        (("Yusuf", "Haddad"), ("Youssef", "Haddad")),
        (("Anna", "Schmidt"), ("Anna", "Schmitt")),
        (("Yılmaz", "Çelik"), ("Yilmaz", "Celik")),  # Turkish letters transliterated
    ],
)
def test_spelling_variants_find_each_other(alice, team_a, known, typed):
    case = open_case(alice, team_a, first_name=known[0], last_name=known[1], birth_date=BORN)
    found = possible_duplicates(
        user=alice, first_name=typed[0], last_name=typed[1], birth_date=None
    )
    assert [c.pk for c in found["cases"]] == [case.pk]


@pytest.mark.parametrize("typed", [("Omar", "Haddad"), ("Yusuf", "Karimi"), ("Anna", "Schubert")])
def test_unrelated_names_do_not_match(alice, team_a, typed):
    open_case(alice, team_a, first_name="Yusuf", last_name="Haddad", birth_date=BORN)
    found = possible_duplicates(
        user=alice, first_name=typed[0], last_name=typed[1], birth_date=datetime.date(1990, 1, 1)
    )
    assert not found["found"]


def test_the_same_last_name_and_birth_date_match(alice, team_a):
    case = open_case(alice, team_a, first_name="Fatima", last_name="Rahimi", birth_date=BORN)
    found = possible_duplicates(user=alice, first_name="Fatma", last_name="Rahimi", birth_date=BORN)
    assert [c.pk for c in found["cases"]] == [case.pk]


def test_another_teams_record_is_only_a_hint(client, alice, charlie, team_b):
    open_case(
        charlie,
        team_b,
        first_name="Yonas",
        last_name="Haile",
        birth_date=BORN,
        accommodation_address="Geheimweg 9",
    )
    client.force_login(alice)
    response = client.post(
        "/cases/new/", {"step": "check", "check-first_name": "Yonas", "check-last_name": "Haile"}
    )
    html = response.content.decode()
    assert "A possibly matching record exists in team Team B" in html
    for secret in (
        "Geheimweg",
        "02.04.1988",
        "1988",
        Case.objects.get().reference,
        str(Case.objects.get().code),
    ):
        assert secret not in html


def test_going_on_needs_confirmation_and_is_recorded(client, alice, team_a):
    open_case(alice, team_a, first_name="Mohammed", last_name="Karimi", birth_date=BORN)
    client.force_login(alice)
    data = {
        "step": "create",
        "intake-team": team_a.pk,
        "client-first_name": "Muhammad",
        "client-last_name": "Karimi",
        "client-gender": "male",
        "status-kind": "unknown",
        "status-valid_from": str(timezone.localdate()),
        "case-opened_on": str(timezone.localdate()),
    }
    response = client.post("/cases/new/", data)
    assert "confirm that this is a different person" in response.content.decode()
    assert Case.objects.count() == 1
    response = client.post("/cases/new/", {**data, "different_person": "1"})
    assert response.status_code == 302
    new = Case.objects.latest("id")
    assert new.duplicate_check == "dismissed"
    entry = AccessLog.objects.get(action="intake.matches_dismissed")
    assert entry.user == alice and entry.object_code == new.code
    assert entry.detail == {"matches": 1}


def test_phonetic_codes_are_keyed_not_stored(alice, team_a):
    open_case(alice, team_a, first_name="Mohammed", last_name="Schmidt")
    dump = all_rows_as_text()
    for code in (phonetic("Mohammed"), phonetic("Schmidt")):  # "662", "862"
        assert f"'{code}'" not in dump
    assert "Schmidt" not in dump and "Mohammed" not in dump


def test_the_matches_stay_visible_while_correcting_an_error(client, alice, team_a):
    open_case(alice, team_a, first_name="Mohammed", last_name="Karimi", birth_date=BORN)
    client.force_login(alice)
    response = client.post(
        "/cases/new/",
        {
            "step": "create",
            "intake-team": team_a.pk,
            "client-first_name": "Muhammad",
            "client-last_name": "Karimi",
            "client-gender": "male",
            "status-kind": "toleration",
            "status-valid_from": str(timezone.localdate()),
            "case-opened_on": str(timezone.localdate()),
        },
    )  # toleration without expiry: an error
    html = response.content.decode()
    assert "enter its expiry date" in html
    assert "Possibly already known" in html and 'name="different_person"' in html


def _check(client, first="Yonas", last="Haile"):
    return client.post(
        "/cases/new/", {"step": "check", "check-first_name": first, "check-last_name": last}
    )


def test_every_check_is_in_the_access_log_without_the_name(client, alice, charlie, team_b, dora):
    """The check tells whether a person is known anywhere in the house: who asked, how many
    matches and which teams were hinted are logged (the name is not), for the DPO."""
    open_case(charlie, team_b, first_name="Yonas", last_name="Haile", birth_date=BORN)
    client.force_login(alice)
    _check(client)
    _check(client, "Niemand", "Unbekannt")
    entries = list(
        AccessLog.objects.filter(action="intake.duplicate_check", user=alice).order_by("at")
    )
    assert [e.detail for e in entries] == [
        {"matches": 1, "teams_hinted": ["Team B"]},
        {"matches": 0, "teams_hinted": []},
    ]
    assert all(e.user == alice for e in entries)
    assert "Haile" not in repr([(e.object_label, e.detail) for e in entries])
    client.force_login(dora)
    page = client.get("/audit/").content.decode()
    with override("en"):  # by its label (issue 36: no raw codes on the page)
        assert action_label("intake.duplicate_check") in page


def test_checks_are_limited_per_user_and_hour(client, settings, alice, bob, charlie, team_b):
    settings.CASEWORKS_DUPLICATE_CHECKS_PER_HOUR = 3
    open_case(charlie, team_b, first_name="Yonas", last_name="Haile", birth_date=BORN)
    client.force_login(alice)
    for _i in range(3):
        assert "Team B" in _check(client).content.decode()
    refused = _check(client).content.decode()
    assert "within the last hour" in refused and "Team B" not in refused
    assert AccessLog.objects.filter(action="intake.duplicate_check", user=alice).count() == 3
    client.force_login(bob)  # another user has checks left
    assert "Team B" in _check(client).content.decode()
    # An hour later the user may check again.
    later = timezone.now() + datetime.timedelta(hours=1, minutes=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        client.force_login(alice)
        assert "Team B" in _check(client).content.decode()
