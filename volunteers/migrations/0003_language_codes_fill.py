# Languages as codes (issue 32): the volunteers' languages and the requests' language needed: the typed text mapped to a code (caseworks.frozen_languages, a frozen copy of the mapping); a text naming no language of the catalogue is kept, as typed, in the "_other" field for the administrator (/manage/languages/). History rows alike.

from django.db import migrations

from caseworks import frozen_languages


def fill(apps, schema_editor):
    frozen_languages.fill_code(
        apps.get_model("volunteers", "volunteerrequest"),
        text="language_text",
        code="language",
        other="language_other",
    )
    frozen_languages.fill_code(
        apps.get_model("volunteers", "historicalvolunteerrequest"),
        text="language_text",
        code="language",
        other="language_other",
    )


def unfill(apps, schema_editor):
    frozen_languages.unfill_code(
        apps.get_model("volunteers", "volunteerrequest"),
        text="language_text",
        code="language",
        other="language_other",
    )
    frozen_languages.unfill_code(
        apps.get_model("volunteers", "historicalvolunteerrequest"),
        text="language_text",
        code="language",
        other="language_other",
    )


def fill_rows(apps, schema_editor):
    """A volunteer's language rows: the code of the typed text; the text stays only where it
    names no language of the catalogue (then the row waits for the administrator). Two rows
    of one volunteer that now have one code ("Persisch (Dari)" and "Dari") become one, at the
    better level: the text of the other is not lost, its language is the row's."""
    weight = {"basic": 1, "good": 2, "fluent": 3, "native": 4}
    row_model = apps.get_model("volunteers", "VolunteerLanguage")
    kept: dict[tuple[int, str], object] = {}
    for row in row_model.objects.order_by("pk").iterator(chunk_size=500):
        code = frozen_languages.parse(row.language or "")
        if code is None:
            continue
        earlier = kept.get((row.volunteer_id, code))
        if earlier is not None:
            if weight.get(row.level, 0) > weight.get(earlier.level, 0):
                earlier.level = row.level
                earlier.save(update_fields=["level"])
            row.delete()
            continue
        row.code, row.language = code, ""
        row.save(update_fields=["code", "language"])
        kept[(row.volunteer_id, code)] = row
    history = apps.get_model("volunteers", "HistoricalVolunteerLanguage")
    for row in history.objects.exclude(language="").iterator(chunk_size=500):
        code = frozen_languages.parse(row.language)
        if code:
            row.code = code
            row.save(update_fields=["code"])


def unfill_rows(apps, schema_editor):
    """Back: a row's code as its German name, and the old key of that name."""
    for name in ("VolunteerLanguage", "HistoricalVolunteerLanguage"):
        model = apps.get_model("volunteers", name)
        for row in model.objects.iterator(chunk_size=500):
            if row.code:
                row.language = frozen_languages.GERMAN.get(row.code, row.code)
            row.key = " ".join(row.language.split()).casefold()
            row.save(update_fields=["language", "key"])


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0002_language_codes_add")]

    operations = [
        migrations.RunPython(fill, unfill),
        migrations.RunPython(fill_rows, unfill_rows),
    ]
