# Languages as codes (issue 32): clients' languages: the codes beside the typed text, until it is mapped.

import caseworks.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0027_kept_figures")]

    operations = [
        migrations.RenameField("client", "languages", "languages_text"),
        migrations.AddField(
            "client",
            "languages",
            caseworks.fields.LanguageCodesField(blank=True, default=list, verbose_name="languages"),
        ),
        migrations.AddField(
            "client",
            "languages_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=255,
                verbose_name="languages (not yet assigned)",
            ),
        ),
        migrations.RenameField("historicalclient", "languages", "languages_text"),
        migrations.AddField(
            "historicalclient",
            "languages",
            caseworks.fields.LanguageCodesField(blank=True, default=list, verbose_name="languages"),
        ),
        migrations.AddField(
            "historicalclient",
            "languages_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=255,
                verbose_name="languages (not yet assigned)",
            ),
        ),
    ]
