import datetime

from cases.models import Case
from cases.selectors import case_list_for_user
from tests.helpers import TODAY, open_case

DAY = datetime.timedelta(days=1)


def test_bulk_reassignment_confirms_then_moves_permissions_and_history(
    client, sam, alice, bob, team_a
):
    first, second = open_case(alice, team_a), open_case(alice, team_a, first_name="Omar")
    client.force_login(sam)
    url = f"/supervision/reassign/?team={team_a.pk}&caseworker={alice.pk}"
    form = client.get(url)
    assert "cases" not in form.context["form"].initial  # nothing preselected
    confirm = client.post(url, {"cases": [first.pk, second.pk], "to": bob.pk})
    html = confirm.content.decode()
    assert "Confirm reassignment" in html
    assert first.reference in html and second.reference in html and "Omar" in html
    assert Case.objects.filter(assigned_to=bob).count() == 0  # nothing moved yet
    done = client.post(url, {"cases": [first.pk, second.pk], "to": bob.pk, "step": "confirm"})
    assert done.status_code == 302
    assert set(case_list_for_user(user=bob)) == {first, second}
    assert set(case_list_for_user(user=alice)) == set()
    for case in (first, second):
        latest = case.history.first()
        assert latest.assigned_to_id == bob.pk and latest.history_user == sam


def test_unassigned_cases_are_assigned_the_same_way(client, sam, alice, team_a):
    unassigned = open_case(sam, team_a)
    client.force_login(sam)
    url = f"/supervision/reassign/?team={team_a.pk}&caseworker=none"
    client.post(url, {"cases": [unassigned.pk], "to": alice.pk, "step": "confirm"})
    assert Case.objects.get(pk=unassigned.pk).assigned_to == alice


def test_reassignment_cannot_reach_another_teams_cases(client, sam, alice, charlie_case, team_a):
    client.force_login(sam)
    url = f"/supervision/reassign/?team={team_a.pk}&caseworker=none"
    response = client.post(url, {"cases": [charlie_case.pk], "to": alice.pk, "step": "confirm"})
    assert response.status_code == 200  # the form refuses the foreign case
    assert Case.objects.get(pk=charlie_case.pk).assigned_to.username == "charlie"


def test_close_and_reopen_with_reasons(client, sam, alice, team_a):
    case = open_case(alice, team_a)
    client.force_login(sam)
    response = client.post(
        f"/cases/{case.code}/close/", {"reason": "moved_away", "closed_on": str(TODAY)}
    )
    assert response.status_code == 302
    closed = Case.objects.get(pk=case.pk)
    assert closed.closed_on == TODAY and closed.closing_reason == "moved_away"
    assert set(case_list_for_user(user=alice)) == set()  # leaves the caseload
    search = client.get("/cases/", {"closed": "1", "q": "Karimi"}).context["page"]
    assert [c.pk for c in search] == [case.pk]  # still findable for supervisors
    response = client.post(f"/cases/{case.code}/reopen/", {"reason": "new_need"})
    assert response.status_code == 302
    reopened = Case.objects.get(pk=case.pk)
    assert reopened.closed_on is None and reopened.reopening_reason == "new_need"
    assert set(case_list_for_user(user=alice)) == {case}
    assert [h.history_user for h in reopened.history.all()[:2]] == [sam, sam]


def test_a_case_cannot_be_closed_in_the_future(client, sam, alice, team_a):
    case = open_case(alice, team_a)
    client.force_login(sam)
    response = client.post(
        f"/cases/{case.code}/close/", {"reason": "returned", "closed_on": str(TODAY + DAY)}
    )
    assert "cannot be closed in the future" in response.content.decode()
    assert Case.objects.get(pk=case.pk).closed_on is None


def test_only_the_teams_supervisor_closes(client, alice, sue, team_a):
    case = open_case(alice, team_a)
    for user in (alice, sue):
        client.force_login(user)
        assert (
            client.post(
                f"/cases/{case.code}/close/", {"reason": "other", "closed_on": str(TODAY)}
            ).status_code
            == 404
        )
    assert Case.objects.get(pk=case.pk).closed_on is None
