# Languages as codes (issue 32): the newsletter's language segments, a list of codes; what
# named no language of the catalogue waits beside them.

from django.db import migrations, models

import caseworks.fields


class Migration(migrations.Migration):
    dependencies = [("community", "0003_public_requests_in_the_database")]

    operations = [
        migrations.AddField(
            "issue",
            "languages_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=255,
                verbose_name="languages (not yet assigned)",
            ),
        ),
        migrations.AddField(
            "historicalissue",
            "languages_other",
            models.CharField(
                blank=True,
                editable=False,
                max_length=255,
                verbose_name="languages (not yet assigned)",
            ),
        ),
    ]
