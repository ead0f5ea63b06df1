"""The needs catalogue as shipped (issue 23): the admin renames, adds and deactivates lines
under /manage/needs/. German names, as the house uses them; keys stay stable."""

from django.db import migrations

CATALOGUE = [
    # key, name, usual referral (caseworks.Service.Category)
    ("housing", "Wohnen", "homelessness"),
    ("health", "Gesundheit", ""),
    ("school", "Schule / Kita", "rucksack"),
    ("language", "Sprachkurs", "language_course"),
    ("work", "Arbeit / Ausbildung", "mbe"),
    ("benefits", "Leistungen", "mbe"),
    ("documents", "Dokumente", ""),
    ("asylum", "Asylverfahren / Aufenthalt", "asylum_counselling"),
    ("family_reunification", "Familiennachzug", "legal"),
    ("orientation", "Orientierung im Alltag", "volunteers"),
]


def seed(apps, schema_editor):
    NeedCategory = apps.get_model("cases", "NeedCategory")
    for order, (key, name, referral) in enumerate(CATALOGUE, start=1):
        NeedCategory.objects.get_or_create(
            key=key, defaults={"name": name, "referral_category": referral, "order": order * 10}
        )


def unseed(apps, schema_editor):
    NeedCategory = apps.get_model("cases", "NeedCategory")
    NeedCategory.objects.filter(key__in=[k for k, _n, _r in CATALOGUE], needs=None).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_case_plan_needs_special_needs_activities")]

    operations = [migrations.RunPython(seed, unseed)]
