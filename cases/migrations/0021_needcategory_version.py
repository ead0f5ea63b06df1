"""The needs catalogue is edited in /manage/: a version for optimistic locking, and a history
row for every line the catalogue was seeded with (0016 wrote none), so a concurrent edit can
name the field the other administrator changed."""

from django.db import migrations, models
from django.utils import timezone

FIELDS = ("code", "key", "name", "referral_category", "order", "is_active", "version")


def record_seeded_lines(apps, schema_editor):
    NeedCategory = apps.get_model("cases", "NeedCategory")
    History = apps.get_model("cases", "HistoricalNeedCategory")
    recorded = set(History.objects.values_list("id", flat=True))
    now = timezone.now()
    History.objects.bulk_create(
        [
            History(
                id=line.pk,
                history_date=now,
                history_type="+",
                history_change_reason="seeded catalogue line",
                **{name: getattr(line, name) for name in FIELDS},
            )
            for line in NeedCategory.objects.exclude(pk__in=recorded)
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_codes_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalneedcategory",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="needcategory",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.RunPython(record_seeded_lines, migrations.RunPython.noop),
    ]
