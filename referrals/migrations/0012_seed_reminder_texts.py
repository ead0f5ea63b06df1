"""Seed the texts added for the reminders (the printout "reminders" and the sentence on the
consent form and the information sheet) the way 0005 seeded the first ones: German counted as
reviewed, the translations not reviewed. Only missing rows are added: edited texts stay."""

import importlib

from django.db import migrations

seed = importlib.import_module("referrals.migrations.0005_seed_print_texts").seed


class Migration(migrations.Migration):
    dependencies = [("referrals", "0011_reminders")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
