# Languages as codes (issue 32): the segments' list holds codes only (LanguageCodesField),
# once the fill has mapped them (while it ran, a plain JSON list both ways).

from django.db import migrations

import caseworks.fields


class Migration(migrations.Migration):
    dependencies = [("community", "0005_language_codes_fill")]

    operations = [
        migrations.AlterField(
            "issue",
            "languages",
            caseworks.fields.LanguageCodesField(blank=True, default=list, verbose_name="languages"),
        ),
        migrations.AlterField(
            "historicalissue",
            "languages",
            caseworks.fields.LanguageCodesField(blank=True, default=list, verbose_name="languages"),
        ),
    ]
