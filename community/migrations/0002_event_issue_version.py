"""A version on events and newsletter drafts: two coordinators editing one no longer
overwrite each other silently (caseworks.web.concurrency.versioned_update)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_events_and_newsletter"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="historicalissue",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="issue",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
