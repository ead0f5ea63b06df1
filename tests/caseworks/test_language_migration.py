"""Issue 32: the migration of typed languages to codes loses nothing. The demo and the city
data sets are built, the language migrations are taken back (the codes become the typed
German names they stand for), odd texts are typed into every language field as people did
("ar", "Dari/Farsi", "Kikongo" …), and the migrations run forwards again with Django's
MigrationExecutor. Every language text before is, after, either a code of its record
(mapped) or kept, as typed, for the administrator: mapped + kept == before."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from caseworks import frozen_languages

# serialized_rollback: the rows the migrations seed (roles, print texts) are back for each run.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The last migrations before languages were codes.
BEFORE = [
    ("cases", "0027_kept_figures"),
    ("caseworks", "0018_organisation_supervisory_authority"),
    ("visits", "0008_accompaniment_volunteer_note"),
    ("volunteers", "0001_volunteer_network"),
    ("community", "0003_public_requests_in_the_database"),
]

INTERPRETING = ("interpreter_language", "interpreter_language", "interpreter_language_other")
# (app, model, field before, codes after, kept after, how the field holds languages)
FIELDS = [
    ("cases", "Client", "languages", "languages", "languages_other", "many"),
    ("caseworks", "Service", "languages", "languages", "languages_other", "many"),
    ("visits", "Visit", *INTERPRETING, "one"),
    ("visits", "Accompaniment", *INTERPRETING, "one"),
    ("volunteers", "VolunteerRequest", "language", "language", "language_other", "one"),
    ("volunteers", "VolunteerLanguage", "language", "code", "language", "row"),
    ("community", "Issue", "languages", "languages", "languages_other", "list"),
]  # fmt: skip

# Typed as people did: codes, dialects, two in one field, a language the catalogue lacks.
ODD = ["ar", "Arabisch (syrisch)", "kurdisch", "Dari/Farsi", "Kikongo", "Sprache: unklar"]


def _texts(value, how: str) -> list[str]:
    if how == "list":
        return [str(v) for v in value or ()]
    if how == "many":
        return frozen_languages.split(value or "")
    value = " ".join((value or "").split())
    return [value] if value else []


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _type_odd_texts(apps) -> None:
    """Into every field, before: the odd texts, as the old free-text forms took them."""
    for i, client in enumerate(apps.get_model("cases", "Client").objects.order_by("pk")[:12]):
        client.languages = ", ".join([ODD[i % len(ODD)], "Deutsch"])
        client.save(update_fields=["languages"])
    service = apps.get_model("caseworks", "Service").objects.order_by("pk").first()
    service.languages = "Deutsch, Lingala; Kituba und Englisch"
    service.save(update_fields=["languages"])
    for name in ("Visit", "Accompaniment"):
        for i, record in enumerate(apps.get_model("visits", name).objects.order_by("pk")[:6]):
            record.interpreter_language = ODD[i]
            record.save(update_fields=["interpreter_language"])
    rows = apps.get_model("volunteers", "VolunteerLanguage")
    taken = rows.objects.filter(key__in=["dari", "persisch", "persisch (dari)"])
    volunteer = rows.objects.exclude(volunteer__in=taken.values("volunteer")).first().volunteer_id
    rows.objects.create(volunteer_id=volunteer, language="Kikongo", key="kikongo")
    # The same language twice in other words: one row after, at the better level.
    rows.objects.create(
        volunteer_id=volunteer, language="Persisch (Dari)", key="persisch (dari)", level="basic"
    )
    rows.objects.create(volunteer_id=volunteer, language="Dari", key="dari", level="native")
    issue = apps.get_model("community", "Issue").objects.order_by("pk").first()
    issue.languages = ["ar", "kurdisch", "kikongo"]
    issue.save(update_fields=["languages"])


def _count_before(apps) -> dict[tuple[str, str], list[tuple[object, str]]]:
    """(app, model) -> [(owner, text)]: every language text of every record."""
    before: dict[tuple[str, str], list[tuple[object, str]]] = {}
    for app, model, field, _codes, _other, how in FIELDS:
        texts = before.setdefault((app, model), [])
        owner = "volunteer_id" if how == "row" else "pk"
        for row in apps.get_model(app, model).objects.all():
            texts += [(getattr(row, owner), text) for text in _texts(getattr(row, field), how)]
    return before


def _count_after(apps, before) -> tuple[int, int, list[str]]:
    """(mapped, kept, texts found nowhere) over every field."""
    mapped = kept = 0
    missing = []
    for app, model, _field, codes, other, how in FIELDS:
        rows = apps.get_model(app, model).objects.all()
        held: dict[object, tuple[set[str], list[str]]] = {}
        for row in rows:
            owner = row.volunteer_id if how == "row" else row.pk
            found, texts = held.setdefault(owner, (set(), []))
            value = getattr(row, codes)
            found.update(value if isinstance(value, list) else [value] if value else [])
            texts += _texts(getattr(row, other), "many" if how != "one" else "one")
        for owner, text in before[(app, model)]:
            found, texts = held.get(owner, (set(), []))
            if text in texts:
                kept += 1
            elif frozen_languages.parse(text) in found:
                mapped += 1
            else:
                missing.append(f"{app}.{model} {owner}: {text!r}")
    return mapped, kept, missing


@pytest.mark.parametrize("clients", [40, 1000], ids=["demo", "city"])
def test_the_migration_maps_or_keeps_every_language_text(clients):
    with override_settings(DEBUG=True):
        call_command("seed_demo", clients=clients, stdout=io.StringIO())
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        _type_odd_texts(old)
        before = _count_before(old)
        total = sum(len(texts) for texts in before.values())
        assert total > clients  # every person has a language, and more fields have one
        new = _migrate(latest)
        mapped, kept, missing = _count_after(new, before)
    finally:
        _migrate(latest)  # the next tests need the schema of today, whatever happened
    assert missing == []
    assert mapped + kept == total
    # What named no language of the catalogue waits for the administrator, as typed.
    assert kept >= 6
    client = new.get_model("cases", "Client")
    assert client.objects.filter(languages_other="Kikongo").exists()
    assert client.objects.filter(languages_other="Sprache: unklar").exists()
    service = new.get_model("caseworks", "Service").objects.order_by("pk").first()
    assert service.languages == ["deu", "lin", "eng"] and service.languages_other == "Kituba"
    rows = new.get_model("volunteers", "VolunteerLanguage").objects
    assert rows.filter(code="", language="Kikongo").count() == 1
    assert rows.filter(code="prs", level="native").exists()
    issue = new.get_model("community", "Issue").objects.order_by("pk").first()
    assert issue.languages == ["ara", "kur"] and issue.languages_other == "kikongo"
