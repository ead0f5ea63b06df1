# Languages as codes (issue 32): the interpreting language of visits and accompaniments: the typed text, mapped, goes.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("visits", "0010_language_codes_fill")]

    operations = [
        migrations.RemoveField("visit", "interpreter_language_text"),
        migrations.RemoveField("historicalvisit", "interpreter_language_text"),
        migrations.RemoveField("accompaniment", "interpreter_language_text"),
        migrations.RemoveField("historicalaccompaniment", "interpreter_language_text"),
    ]
