# Languages as codes (issue 32): an issue's language segments were the register's folded
# language names ("ar", "kurdisch"); each becomes its code (caseworks.frozen_languages, a
# frozen copy of the mapping), and one naming no language of the catalogue is kept, as it
# was, in languages_other for the administrator (/manage/languages/). History rows alike.

from django.db import migrations

from caseworks import frozen_languages


def fill(apps, schema_editor):
    for name in ("Issue", "HistoricalIssue"):
        model = apps.get_model("community", name)
        for issue in model.objects.only("pk", "languages").iterator(chunk_size=500):
            if not issue.languages:
                continue
            codes, unknown = [], []
            for text in issue.languages:
                code = frozen_languages.parse(str(text))
                if code is None:
                    unknown.append(str(text))
                elif code not in codes:
                    codes.append(code)
            issue.languages, issue.languages_other = codes, ", ".join(unknown)
            issue.save(update_fields=["languages", "languages_other"])


def unfill(apps, schema_editor):
    """Back: the codes as their German names, then the kept texts."""
    for name in ("Issue", "HistoricalIssue"):
        model = apps.get_model("community", name)
        for issue in model.objects.only("pk", "languages", "languages_other").iterator():
            names = [frozen_languages.GERMAN.get(c, c) for c in issue.languages or ()]
            names += frozen_languages.split(issue.languages_other or "")
            if names != list(issue.languages or ()):
                model.objects.filter(pk=issue.pk).update(languages=names)


class Migration(migrations.Migration):
    dependencies = [("community", "0004_language_codes_add")]

    operations = [migrations.RunPython(fill, unfill)]
