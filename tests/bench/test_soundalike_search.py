"""Issue 36, item 3: the sound-alike search ("Haidary" finds Haidari) through the search rows,
against an indexed plaintext search on the same folded name parts and their Kölner Phonetik
codes (the floor): goal ≤ 2× plaintext, as for the part and prefix search (test_city.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from cases.models import Client
from cases.selectors import case_list_for_user, case_search
from caseworks.crypto.search import fold, matches, query_tokens, sound_text
from caseworks.fields import phonetic
from tests.bench.conftest import RESULTS, Row, measure_pair

pytestmark = pytest.mark.django_db
User = get_user_model()
# Spellings of names the city data set holds (demo.data.ORIGINS) that it does not hold.
VARIANTS = ["Haidary", "Rahimy", "Jusuf", "Yussuf", "Aidin", "Mohamad"]


def _plain_sound_table():
    """The floor: every folded name part in plaintext with its sound code, indexed both ways."""
    with connection.cursor() as cursor:
        if "bench_plain_sound" in connection.introspection.table_names(cursor):
            return
        cursor.execute(
            "CREATE TABLE bench_plain_sound (client_id integer NOT NULL, "
            "case_id integer NOT NULL, part varchar(150) NOT NULL, sound varchar(150) NOT NULL)"
        )
        rows = [
            (c.pk, c.case_id, part, phonetic(part))
            for c in Client.objects.only("case_id", "first_name", "last_name").iterator(
                chunk_size=2000
            )
            for part in fold(f"{c.first_name} {c.last_name}").split()
        ]
        cursor.executemany("INSERT INTO bench_plain_sound VALUES (%s, %s, %s, %s)", rows)
        cursor.execute("CREATE INDEX bench_plain_sound_part ON bench_plain_sound (part, case_id)")
        cursor.execute("CREATE INDEX bench_plain_sound_sound ON bench_plain_sound (sound, case_id)")


def test_soundalike_search_against_its_plaintext_floor():
    _plain_sound_table()
    for label, who in (
        ("caseworker", _busiest_caseworker()),
        ("supervisor", User.objects.get(username="supervisor")),
    ):
        _rows(label, who)


def _busiest_caseworker():
    supervisor = User.objects.get(username="supervisor")
    counts: dict[int, int] = {}
    for user_id in case_list_for_user(user=supervisor).values_list("assigned_to_id", flat=True):
        counts[user_id] = counts.get(user_id, 0) + 1
    return User.objects.get(pk=max(counts, key=counts.get))


def _rows(label, who):
    scope = list(case_list_for_user(user=who).values_list("pk", flat=True))
    in_scope = ",".join(map(str, scope))

    def tokens(q):
        """What case_search does for names, through the same cursor as the floor."""
        words = fold(q).split()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT client_id, case_id, verifier, whole FROM cases_nametoken "  # noqa: S608
                f"WHERE token IN ({','.join(map(str, query_tokens(words, sounds=True)))}) "
                f"AND case_id IN ({in_scope})"
            )
            rows = cursor.fetchall()
        case_of = {client_id: case_id for client_id, case_id, _v, _w in rows}
        found = matches(words, [(c, v, w) for c, _case, v, w in rows], sounds=True)
        return sorted({case_of[client_id] for client_id in found})

    def plaintext(q):
        word = fold(q)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT case_id FROM bench_plain_sound WHERE "  # noqa: S608
                f"((part >= %s AND part < %s) OR sound = %s) AND case_id IN ({in_scope}) "
                "ORDER BY case_id",
                # A word too short to be compared by sound looks for no sound.
                [word, word + "\uffff", phonetic(word) if sound_text(word) else "-"],
            )
            return [row[0] for row in cursor.fetchall()]

    def selector(q):
        return sorted(case_search(case_list_for_user(user=who), q).values_list("pk", flat=True))

    def letters_only(q):
        return sorted(
            case_search(case_list_for_user(user=who), q, sounds_like=False).values_list(
                "pk", flat=True
            )
        )

    hits = 0
    for q in VARIANTS:
        assert tokens(q) == plaintext(q) == selector(q), q
        hits += len(tokens(q))
    assert hits, "the data set holds none of the names these variants are spelt from"
    q = VARIANTS[0]
    t_token, t_plain = measure_pair(lambda: tokens(q), lambda: plaintext(q), rounds=40)
    RESULTS.append(Row(f"sound-alike search '{q}': plaintext index ({label})", t_plain))
    RESULTS.append(
        Row(
            f"sound-alike search '{q}': tokens ({label})",
            t_token,
            baseline="plaintext part/sound",
            ratio=t_token / t_plain,
            goal="≤ 2× plaintext",
            met=t_token / t_plain <= 2,
        )
    )
    t_sound, t_letters = measure_pair(lambda: selector(q), lambda: letters_only(q), rounds=20)
    RESULTS.append(
        Row(
            f"search '{q}', the selector with sounds ({label})",
            t_sound,
            baseline="letters only",
            ratio=t_sound / t_letters,
        )
    )
