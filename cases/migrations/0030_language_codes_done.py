# Languages as codes (issue 32): clients' languages: the typed text, mapped, goes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0029_language_codes_fill")]

    operations = [
        migrations.RemoveField("client", "languages_text"),
        migrations.RemoveField("historicalclient", "languages_text"),
    ]
