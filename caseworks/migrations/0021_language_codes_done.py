# Languages as codes (issue 32): the service directory's languages: the typed text, mapped, goes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("caseworks", "0020_language_codes_fill")]

    operations = [
        migrations.RemoveField("service", "languages_text"),
        migrations.RemoveField("historicalservice", "languages_text"),
    ]
