"""Letter rendering speed (issue: one letter well under a second). Run with `make bench`."""

import pytest

from caseworks.models import Service
from caseworks.pdf import merge_pdfs
from referrals import services
from referrals.letters import covering_consent, render_letter
from tests.conftest import TODAY, open_case


@pytest.fixture
def ready(alice, team_a):
    service = Service.objects.create(name="Migrationsberatung MBE", kind="counselling",
                                     category="mbe", address="Marktstraße 1\n12345 Musterstadt")
    referrals = []
    for i in range(50):
        case = open_case(alice, team_a, first_name=f"Person{i}", last_name="Muster")
        services.consent_record(actor=alice, client=case.clients.first(), services=[service],
                                purpose="Vermittlung", signed_on=TODAY)
        referral = services.referral_create(actor=alice, case=case, data={
            "client": case.clients.first(), "service": service, "reason": "x"})
        referrals.append(services.referral_transition(actor=alice, referral=referral,
                                                      to="ready"))
    return referrals


def test_one_letter(benchmark, ready):
    referral = ready[0]
    consent = covering_consent(referral)
    render_letter(referral, consent)  # warm-up: fonts parsed once per process
    pdf = benchmark.pedantic(render_letter, args=(referral, consent), rounds=10, iterations=1)
    assert pdf.startswith(b"%PDF")


def test_batch_of_50_letters(benchmark, ready):
    pairs = [(r, covering_consent(r)) for r in ready]
    render_letter(*pairs[0])

    def batch():
        return merge_pdfs([render_letter(r, c) for r, c in pairs])

    pdf = benchmark.pedantic(batch, rounds=3, iterations=1)
    assert pdf.startswith(b"%PDF")
