# Languages as codes (issue 32): the volunteers' languages and the requests' language needed: the typed text, mapped, goes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0003_language_codes_fill")]

    operations = [
        migrations.RemoveField("volunteerrequest", "language_text"),
        migrations.RemoveField("historicalvolunteerrequest", "language_text"),
        # A default first, so that taking this migration back can add the column again.
        migrations.AlterField(
            "volunteerlanguage", "key", models.CharField(default="", editable=False, max_length=60)
        ),
        migrations.AlterField(
            "historicalvolunteerlanguage",
            "key",
            models.CharField(default="", editable=False, max_length=60),
        ),
        migrations.RemoveField("volunteerlanguage", "key"),
        migrations.RemoveField("historicalvolunteerlanguage", "key"),
        migrations.AlterModelOptions(
            name="volunteerlanguage",
            options={
                "ordering": ["code", "language"],
                "verbose_name": "language",
                "verbose_name_plural": "languages",
            },
        ),
        migrations.AlterField(
            "volunteerlanguage",
            "language",
            models.CharField(blank=True, max_length=60, verbose_name="language as typed"),
        ),
        migrations.AlterField(
            "historicalvolunteerlanguage",
            "language",
            models.CharField(blank=True, max_length=60, verbose_name="language as typed"),
        ),
        migrations.AddIndex(
            "volunteerlanguage", models.Index(fields=["code"], name="volunteerlanguage_code")
        ),
        migrations.AddConstraint(
            "volunteerlanguage",
            models.UniqueConstraint(
                condition=models.Q(("code", ""), _negated=True),
                fields=("volunteer", "code"),
                name="volunteerlanguage_code_once",
            ),
        ),
        migrations.AddConstraint(
            "volunteerlanguage",
            models.CheckConstraint(
                condition=models.Q(("code", ""), _negated=True)
                | models.Q(("language", ""), _negated=True),
                name="volunteerlanguage_code_or_text",
            ),
        ),
    ]
