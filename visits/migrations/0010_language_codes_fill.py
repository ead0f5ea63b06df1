# Languages as codes (issue 32): the interpreting language of visits and accompaniments: the typed text mapped to a code (caseworks.frozen_languages, a frozen copy of the mapping); a text naming no language of the catalogue is kept, as typed, in the "_other" field for the administrator (/manage/languages/). History rows alike.

from django.db import migrations

from caseworks import frozen_languages


def fill(apps, schema_editor):
    frozen_languages.fill_code(
        apps.get_model("visits", "visit"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )
    frozen_languages.fill_code(
        apps.get_model("visits", "historicalvisit"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )
    frozen_languages.fill_code(
        apps.get_model("visits", "accompaniment"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )
    frozen_languages.fill_code(
        apps.get_model("visits", "historicalaccompaniment"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )


def unfill(apps, schema_editor):
    frozen_languages.unfill_code(
        apps.get_model("visits", "visit"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )
    frozen_languages.unfill_code(
        apps.get_model("visits", "historicalvisit"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )
    frozen_languages.unfill_code(
        apps.get_model("visits", "accompaniment"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )
    frozen_languages.unfill_code(
        apps.get_model("visits", "historicalaccompaniment"),
        text="interpreter_language_text",
        code="interpreter_language",
        other="interpreter_language_other",
    )


class Migration(migrations.Migration):
    dependencies = [("visits", "0009_language_codes_add")]

    operations = [migrations.RunPython(fill, unfill)]
