"""Visit notes, accompaniment purpose, outcome, free-text destination and the interpreter's
name (a third person): encrypted in the main and the history tables."""

from tests.security.test_plaintext_at_rest import all_rows_as_text
from tests.visits.conftest import in_hours, plan, record
from visits import services


def test_visit_and_accompaniment_texts_are_encrypted(alice, opened_case, first_visit):
    record(alice, opened_case, notes="Quixotisch besprochen", interpreter_name="Yusra Quendel")
    accompaniment = plan(
        alice,
        opened_case,
        when=in_hours(-1),
        destination_text="Praxis Zwiebelfisch",
        purpose="Vorsorge Xylophon",
        interpreter_name="Walburga Zedernholz",
    )
    services.accompaniment_update(
        actor=alice,
        accompaniment=accompaniment,
        expected_version=accompaniment.version,
        data={"status": "done", "outcome": "Befund Kumquat"},
    )
    dump = all_rows_as_text()
    for secret in ("Quixotisch", "Zwiebelfisch", "Xylophon", "Kumquat", "Quendel", "Zedernholz"):
        assert secret not in dump, secret
    assert accompaniment.history.count() == 2
