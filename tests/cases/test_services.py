import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, CaseShare, Client, ResidenceStatus
from cases.selectors import case_list_for_user
from caseworks.web.concurrency import ConcurrentEdit


def visible(user, **kwargs):
    return set(case_list_for_user(user=user, **kwargs))


def test_it_gives_the_assignee_access_on_create(alice, bob, alice_case):
    assert alice_case.assigned_to == alice
    assert alice.has_perm("cases.view_case", alice_case)
    assert alice.has_perm("cases.change_case", alice_case)
    assert not bob.has_perm("cases.view_case", alice_case)
    assert visible(alice) == {alice_case}
    assert visible(bob) == set()


def test_it_numbers_cases_per_year(alice, team_a, alice_case):
    from tests.helpers import open_case

    second = open_case(alice, team_a)
    year = alice_case.opened_on.year
    assert alice_case.reference == f"{year}-0001"
    assert second.reference == f"{year}-0002"


def test_reassigning_moves_the_permissions(sam, alice, bob, alice_case):
    services.case_assign(actor=sam, case=alice_case, caseworker=bob)
    alice_case.refresh_from_db()
    assert alice_case.assigned_to == bob
    # Fresh user objects: guardian caches permissions per user object.
    alice, bob = type(alice).objects.get(pk=alice.pk), type(bob).objects.get(pk=bob.pk)
    assert bob.has_perm("cases.view_case", alice_case)
    assert not alice.has_perm("cases.view_case", alice_case)
    assert visible(alice) == set() and visible(bob) == {alice_case}


def test_reassigning_keeps_access_for_whom_the_case_is_shared_with(
    sam, alice, bob, alice_case, team_a
):
    from tests.helpers import make_user

    carol = make_user("carol", "caseworker")
    team_a.members.add(carol)
    services.case_share(actor=alice, case=alice_case, user=carol)
    services.case_assign(actor=sam, case=alice_case, caseworker=bob)
    assert visible(carol) == {alice_case}
    assert visible(alice) == set()


def test_only_a_supervisor_of_the_team_assigns(alice, bob, sue, alice_case):
    with pytest.raises(ValidationError):
        services.case_assign(actor=alice, case=alice_case, caseworker=bob)
    with pytest.raises(ValidationError):
        services.case_assign(actor=sue, case=alice_case, caseworker=bob)


def test_it_refuses_a_caseworker_of_another_team(sam, charlie, alice_case):
    with pytest.raises(ValidationError, match="not a caseworker in team"):
        services.case_assign(actor=sam, case=alice_case, caseworker=charlie)
    alice_case.refresh_from_db()
    assert alice_case.assigned_to.username == "alice"


def test_sharing_grants_and_unsharing_revokes(alice, bob, alice_case):
    services.case_share(actor=alice, case=alice_case, user=bob)
    assert visible(bob) == {alice_case}
    services.case_unshare(actor=alice, case=alice_case, user=bob)
    assert visible(bob) == set()
    assert CaseShare.objects.count() == 0


def test_it_shares_only_within_the_team(alice, charlie, alice_case):
    with pytest.raises(ValidationError):
        services.case_share(actor=alice, case=alice_case, user=charlie)
    assert visible(charlie) == set()


def test_closing_ends_caseworker_access_and_keeps_it_for_supervisors(sam, alice, bob, alice_case):
    services.case_share(actor=alice, case=alice_case, user=bob)
    services.case_close(actor=sam, case=alice_case, reason="moved_away")
    assert visible(alice) == set() and visible(bob) == set()
    assert visible(sam) == set()  # not in the caseload ...
    assert visible(sam, include_closed=True) == {alice_case}  # ... but still findable


def test_a_supervisor_sees_the_team_and_not_the_other_team(sam, sue, alice_case, charlie_case):
    assert visible(sam) == {alice_case}
    assert visible(sue) == {charlie_case}


def test_every_change_in_history_names_its_user(sam, alice, bob, alice_case):
    client = alice_case.clients.get()
    services.client_update(
        actor=alice, client=client, expected_version=client.version, data={"languages": "Dari"}
    )
    services.case_assign(actor=sam, case=alice_case, caseworker=bob)
    services.case_update(
        actor=bob,
        case=Case.objects.get(pk=alice_case.pk),
        expected_version=Case.objects.get(pk=alice_case.pk).version,
        data={"accommodation_address": "Neue Straße 1"},
    )
    rows = [*Case.history.all(), *Client.history.all(), *ResidenceStatus.history.all()]
    assert len(rows) == 6
    assert all(row.history_user_id is not None for row in rows)
    assert Case.history.first().history_user == bob
    assert Case.history.earliest("history_date").history_user == alice


def test_a_stale_version_is_refused_and_nothing_is_overwritten(alice, alice_case):
    client = alice_case.clients.get()
    loaded = client.version
    services.client_update(
        actor=alice, client=client, expected_version=loaded, data={"languages": "Dari"}
    )
    with pytest.raises(ConcurrentEdit) as info:
        services.client_update(
            actor=alice, client=client, expected_version=loaded, data={"languages": "Paschtu"}
        )
    assert Client.objects.get(pk=client.pk).languages == ["prs"]  # the name, as its code
    assert info.value.changed_by == alice
    assert "languages" in " ".join(info.value.changed_fields)


def test_case_create_saves_nothing_when_the_status_is_invalid(alice, team_a):
    import datetime

    with pytest.raises(ValidationError):
        services.case_create(
            actor=alice,
            team=team_a,
            client={"first_name": "Nour", "last_name": "Haddad"},
            status={
                "kind": "toleration",
                "valid_from": datetime.date(2026, 5, 1),
                "valid_until": datetime.date(2026, 4, 1),
            },
        )
    assert Case.objects.count() == 0 and Client.objects.count() == 0


def test_a_closed_case_is_read_only(sam, alice_case):
    services.case_close(actor=sam, case=alice_case, reason="returned")
    case = Case.objects.get(pk=alice_case.pk)
    with pytest.raises(ValidationError, match="closed"):
        services.case_update(
            actor=sam, case=case, expected_version=case.version, data={"accommodation_address": "x"}
        )
    with pytest.raises(ValidationError, match="closed"):
        services.client_create(actor=sam, case=case, data={"first_name": "A", "last_name": "B"})
    with pytest.raises(ValidationError, match="closed"):
        services.case_close(actor=sam, case=case, reason="other")


def test_only_the_assignee_or_a_supervisor_shares(alice, bob, sam, alice_case, team_a):
    from tests.helpers import make_user

    carol = make_user("carol", "caseworker")
    team_a.members.add(carol)
    with pytest.raises(ValidationError, match="Only the assigned caseworker"):
        services.case_share(actor=bob, case=alice_case, user=carol)
    services.case_share(actor=sam, case=alice_case, user=bob)
    with pytest.raises(ValidationError, match="Only the assigned caseworker"):
        services.case_unshare(actor=carol, case=alice_case, user=bob)
    assert visible(bob) == {alice_case}
