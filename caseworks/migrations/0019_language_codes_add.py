# Languages as codes (issue 32): the service directory's languages: the codes beside the typed text, until it is mapped.

import caseworks.fields
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("caseworks", "0018_organisation_supervisory_authority")]

    operations = [
        migrations.RenameField("service", "languages", "languages_text"),
        migrations.AddField(
            "service",
            "languages",
            caseworks.fields.LanguageCodesField(blank=True, default=list, verbose_name="languages"),
        ),
        migrations.AddField(
            "service",
            "languages_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=255,
                verbose_name="languages (not yet assigned)",
            ),
        ),
        migrations.RenameField("historicalservice", "languages", "languages_text"),
        migrations.AddField(
            "historicalservice",
            "languages",
            caseworks.fields.LanguageCodesField(blank=True, default=list, verbose_name="languages"),
        ),
        migrations.AddField(
            "historicalservice",
            "languages_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=255,
                verbose_name="languages (not yet assigned)",
            ),
        ),
    ]
