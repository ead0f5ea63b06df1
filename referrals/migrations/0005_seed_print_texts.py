"""Seed the printout texts: German (the binding text, counted as reviewed) and the clients'
languages, not reviewed (convenience translations until a qualified translator confirms)."""

from django.db import migrations
from django.utils import timezone


def seed(apps, schema_editor):
    from referrals.printtexts import DEFAULTS

    PrintText = apps.get_model("referrals", "PrintText")
    existing = set(PrintText.objects.values_list("printout", "key", "language"))
    now = timezone.now()
    rows = [
        PrintText(
            printout=printout,
            key=key,
            language=language,
            text=text,
            review="reviewed" if language == "de" else "machine",
            reviewed_at=now if language == "de" else None,
            reviewed_by="Originaltext" if language == "de" else "",
        )
        for language, printouts in DEFAULTS.items()
        for printout, texts in printouts.items()
        for key, text in texts.items()
        if (printout, key, language) not in existing
    ]
    PrintText.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_printouts_texts_handouts")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
