"""Issue 37: the birth year in the clear beside the encrypted birth date, for the statistics'
age groups (no statistic decrypts per person; docs/statistics.md). Filled here by decrypting
each birth date once."""

from django.db import migrations

import cases.models.client

BATCH = 2000


def fill(apps, schema_editor):
    Client = apps.get_model("cases", "Client")
    batch = []
    rows = Client.objects.filter(birth_year__isnull=True).only("pk", "birth_date")
    for client in rows.iterator(chunk_size=BATCH):
        if client.birth_date is None:
            continue
        client.birth_year = client.birth_date.year
        batch.append(client)
        if len(batch) == BATCH:
            Client.objects.bulk_update(batch, ["birth_year"])
            batch = []
    Client.objects.bulk_update(batch, ["birth_year"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0025_name_search_sound_rows"),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="birth_year",
            field=cases.models.client.YearOfField(null=True, blank=True, source="birth_date"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
