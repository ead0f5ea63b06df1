"""A POST with fields a form does not offer changes none of them (in a module of its own:
tests/security/test_markers.py shares one world per module, and this test builds its own
cast)."""

from cases.models import Case, Client


def test_extra_fields_in_a_post_change_nothing(client, alice, alice_case, charlie, team_b):
    client.force_login(alice)
    case = Case.objects.get(pk=alice_case.pk)
    response = client.post(
        f"/cases/{case.code}/edit/",
        {
            "opened_on": case.opened_on.isoformat(),
            "accommodation_address": "Neuer Weg 2",
            "version": case.version,
            # not on the form:
            "team": team_b.pk,
            "assigned_to": charlie.pk,
            "reference": "1999-0001",
            "closed_on": "2026-01-01",
            "is_superuser": "on",
            "owner": charlie.pk,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.accommodation_address == "Neuer Weg 2"  # the form's field did change
    assert case.team_id == alice_case.team_id and case.assigned_to_id == alice.pk
    assert case.reference == alice_case.reference and case.closed_on is None
    alice.refresh_from_db()
    assert not alice.is_superuser and not alice.is_staff

    person = case.clients.get()
    other = Case.objects.exclude(pk=case.pk).first()
    extra = {
        "case": other.pk if other else 999,
        "code": "00000000-0000-0000-0000-000000000000",
        "first_name_bidx": "0" * 64,
        "is_staff": "on",
    }
    response = client.post(
        f"/cases/{case.code}/clients/{person.code}/edit/",
        {
            "client-first_name": "Ahmad",
            "client-last_name": "Karimi",
            "client-birth_date": "1990-05-17",
            "client-gender": "male",
            "client-relationship": "main_contact",
            "client-version": person.version,
            **extra,
            **{f"client-{k}": v for k, v in extra.items()},
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Client.objects.get(pk=person.pk)
    assert stored.case_id == case.pk and stored.code == person.code
    assert stored.first_name_bidx != "0" * 64
    alice.refresh_from_db()
    assert not alice.is_staff
