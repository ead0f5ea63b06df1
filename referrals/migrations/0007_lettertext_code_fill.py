"""Letter texts' codes, step 2 of 3: a uuid4 for each row (a default on AddField would give
every row the same one), and each history row its text's code."""

import uuid

from django.db import migrations


def fill(apps, schema_editor):
    LetterText = apps.get_model("referrals", "LetterText")
    HistoricalLetterText = apps.get_model("referrals", "HistoricalLetterText")
    codes = {}
    for text in LetterText.objects.filter(code__isnull=True).only("pk"):
        text.code = codes[text.pk] = uuid.uuid4()
        text.save(update_fields=["code"])
    # History rows of a text deleted since keep one code per text as well.
    for row in HistoricalLetterText.objects.filter(code__isnull=True).only("history_id", "id"):
        row.code = codes.setdefault(row.id, uuid.uuid4())
        row.save(update_fields=["code"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_lettertext_code_nullable")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
