"""Seed the reminders' new text for e-mail (how to stop them: by phone) as 0012 seeded the
others: German counted as reviewed, the translations not reviewed; edited texts stay."""

import importlib

from django.db import migrations

seed = importlib.import_module("referrals.migrations.0005_seed_print_texts").seed


class Migration(migrations.Migration):
    dependencies = [("referrals", "0012_seed_reminder_texts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
