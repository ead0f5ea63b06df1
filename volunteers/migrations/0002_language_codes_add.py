# Languages as codes (issue 32): the volunteers' languages and the requests' language needed: the code beside the typed text, until it is mapped.

from django.db import migrations, models

import caseworks.fields


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_volunteer_network")]

    operations = [
        migrations.RenameField("volunteerrequest", "language", "language_text"),
        migrations.AddField(
            "volunteerrequest",
            "language",
            caseworks.fields.LanguageCodeField(
                blank=True, max_length=8, verbose_name="language needed"
            ),
        ),
        migrations.AddField(
            "volunteerrequest",
            "language_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=60,
                verbose_name="language needed (not yet assigned)",
            ),
        ),
        migrations.RenameField("historicalvolunteerrequest", "language", "language_text"),
        migrations.AddField(
            "historicalvolunteerrequest",
            "language",
            caseworks.fields.LanguageCodeField(
                blank=True, max_length=8, verbose_name="language needed"
            ),
        ),
        migrations.AddField(
            "historicalvolunteerrequest",
            "language_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=60,
                verbose_name="language needed (not yet assigned)",
            ),
        ),
        migrations.AddField(
            "volunteerlanguage",
            "code",
            models.CharField(blank=True, max_length=8, verbose_name="language"),
        ),
        migrations.AddField(
            "historicalvolunteerlanguage",
            "code",
            models.CharField(blank=True, max_length=8, verbose_name="language"),
        ),
        migrations.RemoveConstraint("volunteerlanguage", "volunteerlanguage_once"),
        migrations.RemoveIndex("volunteerlanguage", "volunteerlanguage_key"),
    ]
