"""Issue 31: each carrier is a controller of its own. A carrier's data protection officer reads
its own access log entries, disclosures and retention reports, and gets 404 on the other
carriers'; the joint arrangement (Art. 26) prints the set-up for the admin and every DPO."""

import io
import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from pypdf import PdfReader

from cases.models import Case, Client
from caseworks.access.dpo import (
    check_retired_permission,
    dpo_organisation_ids,
    is_data_protection_officer,
)
from caseworks.audit.dataprotection import HOUSE_WIDE
from caseworks.audit.insider import acting_as
from caseworks.audit.log import organisation_of
from caseworks.audit.views import visible_entries
from caseworks.extensions.personal_data import not_person_data, person_data_sources
from caseworks.house.services import organisation_save
from caseworks.models import AccessLog, AccountRequest, Organisation, RetentionRun
from tests.helpers import make_user, open_case


@pytest.fixture
def dirk(team_b):
    user = make_user("dirk")
    team_b.organisation.data_protection_officers.add(user)
    return user


@pytest.fixture
def cases(alice, charlie, team_a, team_b):
    return open_case(alice, team_a, last_name="Karimi"), open_case(
        charlie, team_b, last_name="Haile"
    )


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_dpo_is_the_dpo_of_the_carriers_that_name_them(dora, dirk, org_a, org_b, alice):
    assert dpo_organisation_ids(dora) == {org_a.pk}
    assert dpo_organisation_ids(dirk) == {org_b.pk}
    assert not is_data_protection_officer(alice)


def test_each_dpo_discloses_its_own_carriers_persons_only(client, dora, dirk, cases):
    for case, own, other in ((cases[0], dora, dirk), (cases[1], dirk, dora)):
        person = case.clients.get()
        url = f"/cases/{case.code}/clients/{person.code}/disclosure.json"
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.get(url.replace(".json", ".pdf")).status_code == 404
        client.force_login(own)
        assert client.get(url).status_code == 200


def test_access_log_entries_carry_the_carrier_of_their_record(
    client, sam, sue, cases, org_a, org_b
):
    client.force_login(sam)
    assert client.get(f"/cases/{cases[0].code}/").status_code == 200
    client.force_login(sue)
    assert client.get(f"/cases/{cases[1].code}/").status_code == 200
    viewed = AccessLog.objects.filter(action="case.viewed")
    assert set(viewed.values_list("object_code", "organisation")) == {
        (cases[0].code, org_a.pk),
        (cases[1].code, org_b.pk),
    }


def test_the_carrier_of_a_record_is_read_from_what_the_caller_loaded(
    django_assert_num_queries, alice, cases, org_a, org_b
):
    """organisation_of: from the team loaded with the record (a batch of letters loads it
    once), without a query; else one query. The same carrier either way."""
    case_a, case_b = cases
    for case, carrier in ((case_a, org_a), (case_b, org_b)):
        bare = Case.objects.get(pk=case.pk)
        with django_assert_num_queries(1):
            assert organisation_of(bare) == carrier.pk
        loaded = Case.objects.select_related("team").get(pk=case.pk)
        with django_assert_num_queries(0):
            assert organisation_of(loaded) == carrier.pk
        # A person-data row, through its case (Source.by_case).
        person = Client.objects.select_related("case__team").get(case=case)
        with django_assert_num_queries(0):
            assert organisation_of(person) == carrier.pk
        person = Client.objects.get(case=case)
        with django_assert_num_queries(1):
            assert organisation_of(person) == carrier.pk


def test_a_dpo_reads_its_carriers_and_the_houses_entries_only(
    client, dora, dirk, sam, sue, cases, org_a, org_b
):
    for user, case in ((sam, cases[0]), (sue, cases[1])):
        client.force_login(user)
        client.get(f"/cases/{case.code}/")
    a_ref, b_ref = cases[0].reference, cases[1].reference
    labels = set(visible_entries(dora).values_list("object_label", flat=True))
    assert a_ref in labels and b_ref not in labels
    labels = set(visible_entries(dirk).values_list("object_label", flat=True))
    assert b_ref in labels and a_ref not in labels
    # The page: the other carrier's entries are not listed, asking for that carrier is 404.
    client.force_login(dora)
    page = client.get("/audit/").content.decode()
    assert a_ref in page and b_ref not in page
    assert not list(client.get(f"/audit/?reference={b_ref}").context["page"])
    assert client.get(f"/audit/?organisation={org_b.code}").status_code == 404
    assert client.get(f"/audit/?organisation={org_a.code}").status_code == 200
    assert client.get("/audit/?organisation=house").status_code == 200


def test_each_dpo_decides_its_own_carriers_requests_only(client, adam, dora, dirk, org_a, org_b):
    """adam asks for a second DPO of each carrier: each carrier's DPO lists and opens that
    carrier's request, and gets 404 on the other's."""
    requests = {}
    for organisation, dpo in ((org_a, dora), (org_b, dirk)):
        second = make_user(f"second-{organisation.pk}")
        organisation_save(actor=adam, organisation=organisation, data={}, dpos=[dpo, second])
        requests[dpo.username] = AccountRequest.objects.get(user=second)
    for own, other in ((dora, dirk), (dirk, dora)):
        client.force_login(own)
        listed = client.get("/manage/requests/").content.decode()
        assert str(requests[own.username].code) in listed
        assert str(requests[other.username].code) not in listed
        assert client.get(f"/manage/requests/{requests[own.username].code}/").status_code == 200
        other_page = f"/manage/requests/{requests[other.username].code}/"
        assert client.get(other_page).status_code == 404
        assert client.post(other_page, {"decision": "approve"}).status_code == 404
    assert not org_a.data_protection_officers.filter(username__startswith="second-").exists()
    assert not org_b.data_protection_officers.filter(username__startswith="second-").exists()


def test_a_change_of_a_carriers_dpo_is_in_that_carriers_log(
    client, adam, alice, dora, org_a, org_b
):
    with acting_as(adam):
        org_b.data_protection_officers.add(alice)
    entry = AccessLog.objects.get(action="user.dpo_added")
    assert entry.organisation_id == org_b.pk and entry.object_label == "alice"
    assert not visible_entries(dora).filter(action="user.dpo_added").exists()


def test_each_dpo_reads_its_own_carriers_part_of_a_retention_run(client, dora, dirk, org_a, org_b):
    RetentionRun.objects.create(
        dry_run=False,
        status=RetentionRun.Status.FINISHED,
        cutoffs={str(org_a.pk): "2023-01-01", str(org_b.pk): "2021-01-01"},
        counts={"cases": 5},
        organisation_counts={str(org_a.pk): {"cases": 2}, str(org_b.pk): {"cases": 3}},
    )
    client.force_login(dora)
    assert client.get("/audit/retention/").url == f"/audit/retention/{org_a.code}/"
    # The cut-off as a German date, each count under its name (templates/caseworks/
    # retention_report.html).
    page = client.get(f"/audit/retention/{org_a.code}/").content.decode()
    assert "01.01.2023" in page and "<li>cases: 2</li>" in page
    assert "01.01.2021" not in page and "cases: 3" not in page and "cases: 5" not in page
    assert client.get(f"/audit/retention/{org_b.code}/").status_code == 404
    client.force_login(dirk)
    assert client.get(f"/audit/retention/{org_a.code}/").status_code == 404
    page = client.get(f"/audit/retention/{org_b.code}/").content.decode()
    assert "01.01.2021" in page and "<li>cases: 3</li>" in page and "cases: 2" not in page


def test_the_joint_arrangement_prints_the_set_up(client, adam, dora, alice, org_a, org_b):
    org_a.protection_law = Organisation.ProtectionLaw.DSGVO
    org_a.dpo_contact = "Datenschutz AWO, dsb@awo.example"
    org_a.save()
    org_b.protection_law = Organisation.ProtectionLaw.KDG
    org_b.save()
    client.force_login(alice)
    assert client.get("/audit/arrangement.pdf").status_code == 404
    for user in (adam, dora):
        client.force_login(user)
        response = client.get("/audit/arrangement.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    assert org_a.name in text and org_b.name in text
    assert "dsb@awo.example" in text
    assert "KDG" in text
    assert "Team A" in text and "Team B" in text
    letters = re.sub(r"\W", "", text)  # words broken across lines count
    for item in HOUSE_WIDE:
        assert re.sub(r"\W", "", str(item.title)) in letters


def test_what_the_house_shares_holds_no_carriers_client_data():
    per_carrier = {source.label for source in person_data_sources()}
    for item in HOUSE_WIDE:
        for label in item.models:
            assert label not in per_carrier, label
            assert label == "auth.User" or label in not_person_data(), label


def test_accounts_still_holding_the_retired_permission_are_named(db, django_user_model):
    assert check_retired_permission(databases=["default"]) == []
    permission = Permission.objects.create(
        codename="data_protection",
        name="old",
        content_type=ContentType.objects.get(app_label="caseworks", model="accesslog"),
    )
    user = make_user("olddpo")
    user.user_permissions.add(permission)
    assert not is_data_protection_officer(type(user).objects.get(pk=user.pk))
    warnings = check_retired_permission(databases=["default"])
    assert [w.id for w in warnings] == ["caseworks.W020"]
    assert "olddpo" in warnings[0].msg and warnings[0].level == checks.WARNING
