# Languages as codes (issue 32): the service directory's languages: the typed text mapped to codes (caseworks.frozen_languages, a frozen copy of the mapping); a text naming no language of the catalogue is kept, as typed, in the "_other" field for the administrator (/manage/languages/). History rows alike.

from django.db import migrations

from caseworks import frozen_languages


def fill(apps, schema_editor):
    for name in ("service",):
        model = apps.get_model("caseworks", name)
        frozen_languages.fill_codes(
            model, text="languages_text", codes="languages", other="languages_other"
        )
    for name in ("historicalservice",):
        model = apps.get_model("caseworks", name)
        frozen_languages.fill_codes(
            model, text="languages_text", codes="languages", other="languages_other"
        )


def unfill(apps, schema_editor):
    for name in ("service",):
        model = apps.get_model("caseworks", name)
        frozen_languages.unfill_codes(
            model, text="languages_text", codes="languages", other="languages_other"
        )
    for name in ("historicalservice",):
        model = apps.get_model("caseworks", name)
        frozen_languages.unfill_codes(
            model, text="languages_text", codes="languages", other="languages_other"
        )


class Migration(migrations.Migration):
    dependencies = [("caseworks", "0019_language_codes_add")]

    operations = [migrations.RunPython(fill, unfill)]
