from cases import services


def test_it_shows_who_changed_what(client, alice, bob, sam, alice_case):
    services.case_share(actor=alice, case=alice_case, user=bob)
    case = type(alice_case).objects.get(pk=alice_case.pk)
    services.case_update(
        actor=bob,
        case=case,
        expected_version=case.version,
        data={"accommodation_address": "Lindenweg 9"},
    )
    client.force_login(alice)
    response = client.get(f"/cases/{alice_case.code}/history/")
    html = response.content.decode()
    entries = list(response.context["page"])
    change = next(e for e in entries if e.action == "changed")
    assert change.user == bob
    labels = {c.label: (c.old, c.new) for c in change.changes}
    assert labels["accommodation address"] == ("Am Bahnhof 3\n12345 Musterstadt", "Lindenweg 9")
    assert "Bob Brandt" in html and "Lindenweg 9" in html
    # The intake: case, person and status, all by alice.
    created = [e for e in entries if e.action == "created"]
    assert {e.user for e in created} == {alice}
    assert any("Ahmad Karimi" in e.subject for e in created)


def test_it_shows_no_history_to_another_team(client, charlie, alice_case):
    client.force_login(charlie)
    assert client.get(f"/cases/{alice_case.code}/history/").status_code == 404
