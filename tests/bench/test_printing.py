"""Printing on the city data set (issue 18): one letter and one bilingual consent form, each
under 0.2 s; a batch of 50 letters rendered the old way (50 documents, merged) against the
way the print queue renders now (one go: fonts loaded and embedded once, each letter cut
from the batch), timed alternately in one run, goal ≤ half. See conftest.py; `make bench`."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from caseworks.models import Team
from caseworks.pdf import merge_pdfs, render_pdf
from referrals import printouts
from referrals.letters import (
    _letter_html,
    covering_consent,
    render_letter,
    render_letters_batch,
)
from referrals.models import Referral
from tests.bench.conftest import RESULTS, Row, measure, measure_pair
from tests.referrals.conftest import pages

pytestmark = pytest.mark.django_db
User = get_user_model()
BATCH = 50


@pytest.fixture(scope="module")
def letters(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        supervisor = User.objects.get(username="supervisor")
        team = Team.objects.filter(supervisors=supervisor).first()
        ready = Referral.objects.filter(
            case__team=team, status="ready", case__closed_on__isnull=True
        ).select_related("client", "service", "case__team__organisation", "created_by")[:200]
        pairs = [(r, covering_consent(r)) for r in ready]
        pairs = [(r, c) for r, c in pairs if c is not None]
        assert len(pairs) >= 10, "the data set has too few printable referrals"
        # Fewer than 50 printable ones: the same letters again (the work is the same).
        return list(itertools.islice(itertools.cycle(pairs), BATCH))


def test_one_letter_and_one_consent_form(letters):
    referral, consent = letters[0]
    median, samples = measure(lambda: render_letter(referral, consent), rounds=10, warmup=2)
    print(f"\none letter: {median * 1000:.0f} ms")
    RESULTS.append(
        Row(
            "one referral letter PDF (issue 18)",
            median,
            goal="< 200 ms",
            met=median < 0.2,
            samples=samples,
        )
    )
    for language in ("ar", "ti", "fr"):
        median, samples = measure(
            lambda lang=language: printouts.consent_form_pdf(consent, language=lang),
            rounds=10,
            warmup=2,
        )
        print(f"consent form de+{language}: {median * 1000:.0f} ms")
        RESULTS.append(
            Row(
                f"consent form, German + {language}",
                median,
                goal="< 200 ms",
                met=median < 0.2,
                samples=samples,
            )
        )


def test_batch_of_50_letters_one_rendering_against_50_merged(letters):
    today = timezone.localdate()

    def merged():
        """Today's method before issue 18: each letter its own document (fonts loaded,
        subset and embedded each time), the 50 PDFs merged."""
        return merge_pdfs(
            [
                render_pdf(html, assets=assets)
                for html, assets in (
                    _letter_html(r, c, draft=False, today=today) for r, c in letters
                )
            ]
        )

    def one_go():
        return render_letters_batch(letters)

    old, new = merged(), one_go()
    assert pages(new[0]) == pages(old) and len(new[1]) == BATCH
    t_old, t_new = measure_pair(merged, one_go, rounds=3, warmup=1)
    ratio = t_new / t_old
    print(
        f"\nbatch of {BATCH}: 50 documents merged {t_old:.2f} s, one go {t_new:.2f} s "
        f"({ratio:.2f}×)"
    )
    RESULTS.append(Row(f"batch of {BATCH} letters, 50 documents merged", t_old, unit="s"))
    RESULTS.append(
        Row(
            f"batch of {BATCH} letters, one go (print queue)",
            t_new,
            unit="s",
            baseline="50 merged",
            ratio=ratio,
            goal="≤ 0.5×",
            met=ratio <= 0.5,
        )
    )
