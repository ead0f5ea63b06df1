"""Step 2 of 3: a code of its own for every existing share, cover access and needs category;
their history rows take the code of the record they describe."""

import uuid

from django.db import migrations

MODELS = (
    ("CaseShare", "HistoricalCaseShare"),
    ("CoverAccess", None),
    ("NeedCategory", "HistoricalNeedCategory"),
)


def fill(apps, schema_editor):
    for name, history_name in MODELS:
        model = apps.get_model("cases", name)
        codes = {}
        rows = list(model.objects.filter(code__isnull=True).only("pk"))
        for row in rows:
            row.code = codes[row.pk] = uuid.uuid4()
        model.objects.bulk_update(rows, ["code"], batch_size=500)
        if history_name is None:
            continue
        history = apps.get_model("cases", history_name)
        entries = list(history.objects.filter(code__isnull=True).only("history_id", "id"))
        for entry in entries:
            # A deleted record's history keeps a code of its own.
            entry.code = codes.get(entry.id) or uuid.uuid4()
        history.objects.bulk_update(entries, ["code"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_codes_for_shares_covers_categories"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
