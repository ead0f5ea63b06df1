# Languages as codes (issue 32): the interpreting language of visits and accompaniments: the code beside the typed text, until it is mapped.

from django.db import migrations, models

import caseworks.fields


class Migration(migrations.Migration):
    dependencies = [("visits", "0008_accompaniment_volunteer_note")]

    operations = [
        migrations.RenameField("visit", "interpreter_language", "interpreter_language_text"),
        migrations.AddField(
            "visit",
            "interpreter_language",
            caseworks.fields.LanguageCodeField(
                blank=True, max_length=8, verbose_name="interpreting: language"
            ),
        ),
        migrations.AddField(
            "visit",
            "interpreter_language_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=80,
                verbose_name="interpreting: language (not yet assigned)",
            ),
        ),
        migrations.RenameField(
            "historicalvisit", "interpreter_language", "interpreter_language_text"
        ),
        migrations.AddField(
            "historicalvisit",
            "interpreter_language",
            caseworks.fields.LanguageCodeField(
                blank=True, max_length=8, verbose_name="interpreting: language"
            ),
        ),
        migrations.AddField(
            "historicalvisit",
            "interpreter_language_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=80,
                verbose_name="interpreting: language (not yet assigned)",
            ),
        ),
        migrations.RenameField(
            "accompaniment", "interpreter_language", "interpreter_language_text"
        ),
        migrations.AddField(
            "accompaniment",
            "interpreter_language",
            caseworks.fields.LanguageCodeField(
                blank=True, max_length=8, verbose_name="interpreting: language"
            ),
        ),
        migrations.AddField(
            "accompaniment",
            "interpreter_language_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=80,
                verbose_name="interpreting: language (not yet assigned)",
            ),
        ),
        migrations.RenameField(
            "historicalaccompaniment", "interpreter_language", "interpreter_language_text"
        ),
        migrations.AddField(
            "historicalaccompaniment",
            "interpreter_language",
            caseworks.fields.LanguageCodeField(
                blank=True, max_length=8, verbose_name="interpreting: language"
            ),
        ),
        migrations.AddField(
            "historicalaccompaniment",
            "interpreter_language_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=80,
                verbose_name="interpreting: language (not yet assigned)",
            ),
        ),
    ]
