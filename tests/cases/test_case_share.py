"""Sharing a case with a colleague and ending it: the share is addressed by its code."""

from cases import services
from cases.models import CaseShare


def _share(alice, bob, alice_case) -> CaseShare:
    services.case_share(actor=alice, case=alice_case, user=bob)
    return CaseShare.objects.get(case=alice_case, user=bob)


def test_it_ends_a_share_by_its_code(client, alice, bob, alice_case):
    share = _share(alice, bob, alice_case)
    client.force_login(alice)
    page = client.get(f"/cases/{alice_case.code}/share/").content.decode()
    assert f"/cases/{alice_case.code}/share/{share.code}/end/" in page
    response = client.post(f"/cases/{alice_case.code}/share/{share.code}/end/")
    assert response.status_code == 302
    assert not CaseShare.objects.filter(pk=share.pk).exists()


def test_the_sequential_id_is_no_address(client, alice, bob, alice_case):
    share = _share(alice, bob, alice_case)
    client.force_login(alice)
    assert client.post(f"/cases/{alice_case.code}/share/{share.pk}/end/").status_code == 404
    assert CaseShare.objects.filter(pk=share.pk).exists()


def test_it_checks_ownership(client, alice, bob, charlie, alice_case, charlie_case):
    share = _share(alice, bob, alice_case)
    client.force_login(charlie)  # another team: neither the case nor its share
    assert client.post(f"/cases/{alice_case.code}/share/{share.code}/end/").status_code == 404
    # Another case of hers does not reach alice's share either.
    assert client.post(f"/cases/{charlie_case.code}/share/{share.code}/end/").status_code == 404
    assert CaseShare.objects.filter(pk=share.pk).exists()
