from django.db import migrations

from cases.reindex import reindex_names


def reindex(apps, schema_editor):
    """Every person's search rows again: each name part now has a row for its sound too."""
    reindex_names(apps.get_model("cases", "Client"), apps.get_model("cases", "NameToken"))


class Migration(migrations.Migration):
    """Sound-alike search (issue 36): the search rows gain one row a name part for its Kölner
    Phonetik code (caseworks.crypto.search). No schema change: existing persons are
    re-indexed, or the caseload search would not find them by a spelling variant."""

    dependencies = [
        ("cases", "0024_disclosure_exports"),
    ]

    operations = [
        migrations.RunPython(reindex, migrations.RunPython.noop, elidable=True),
    ]
