"""Loads the typical authorities, institutions, doctors and specialised services (DOMAIN.md)
into the service directory. Idempotent: entries that exist (by name) are left as they are.
Addresses differ from town to town: admins complete them in the admin."""

from django.core.management.base import BaseCommand
from django.db import transaction

from caseworks.models import Service

K, C = Service.Kind, Service.Category
TYPICAL = [
    # Authorities (Behörden)
    ("Ausländerbehörde", K.AUTHORITY, ""),
    ("BAMF – Bundesamt für Migration und Flüchtlinge", K.AUTHORITY, ""),
    ("Jobcenter", K.AUTHORITY, ""),
    ("Sozialamt / Leistungsbehörde nach AsylbLG", K.AUTHORITY, ""),
    ("Agentur für Arbeit", K.AUTHORITY, ""),
    ("Familienkasse", K.AUTHORITY, ""),
    ("Bürgeramt / Meldebehörde", K.AUTHORITY, ""),
    ("Standesamt", K.AUTHORITY, ""),
    ("Jugendamt", K.AUTHORITY, ""),
    ("Gesundheitsamt", K.AUTHORITY, ""),
    ("Verwaltungsgericht", K.AUTHORITY, ""),
    # Institutions (Einrichtungen)
    ("Schule", K.INSTITUTION, ""),
    ("Kita", K.INSTITUTION, ""),
    ("Bank", K.INSTITUTION, ""),
    ("Vermieter / Wohnungsgesellschaft", K.INSTITUTION, ""),
    ("Krankenkasse", K.INSTITUTION, ""),
    ("Tafel", K.INSTITUTION, ""),
    # Doctors (Ärztinnen und Ärzte)
    ("Hausarztpraxis", K.DOCTOR, ""),
    ("Kinderarztpraxis", K.DOCTOR, ""),
    ("Facharztpraxis", K.DOCTOR, ""),
    ("Zahnarztpraxis", K.DOCTOR, ""),
    ("Krankenhaus", K.DOCTOR, ""),
    ("Psychotherapeutische Praxis", K.DOCTOR, ""),
    # Specialised services (weiterführende Dienste)
    ("Migrationsberatung für erwachsene Zuwanderer (MBE)", K.COUNSELLING, C.MIGRATION_ADULTS),
    ("Jugendmigrationsdienst (JMD)", K.COUNSELLING, C.YOUTH_MIGRATION),
    ("Asylverfahrensberatung", K.COUNSELLING, C.ASYLUM_COUNSELLING),
    ("Rechtsberatung / Rechtsanwält·in", K.COUNSELLING, C.LEGAL),
    ("Psychosoziales Zentrum für Geflüchtete", K.COUNSELLING, C.PSYCHOSOCIAL),
    ("Servicestelle für Antidiskriminierungsarbeit", K.COUNSELLING, C.ANTIDISCRIMINATION),
    ("Integrationskurs / Sprachkurs", K.COUNSELLING, C.LANGUAGE_COURSE),
    ("Rucksack KiTa", K.COUNSELLING, C.RUCKSACK),
    ("Schuldnerberatung", K.COUNSELLING, C.DEBT),
    ("DRK Suchdienst", K.COUNSELLING, C.TRACING),
    ("Rückkehrberatung", K.COUNSELLING, C.RETURN),
    ("Schwangerschaftsberatung", K.COUNSELLING, C.PREGNANCY),
    ("Suchtberatung", K.COUNSELLING, C.ADDICTION),
    ("Frauenberatung / Gewaltschutz", K.COUNSELLING, C.WOMEN),
    ("Ehrenamtliche Begleitung", K.COUNSELLING, C.VOLUNTEERS),
    ("Wohnungslosenhilfe", K.COUNSELLING, C.HOMELESSNESS),
]


class Command(BaseCommand):
    help = "Load the typical services and authorities into the directory (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        existing = set(Service.objects.values_list("name", flat=True))
        added = 0
        for name, kind, category in TYPICAL:
            if name not in existing:
                service = Service(name=name, kind=kind, category=category)
                service.full_clean()
                service.save()
                added += 1
        self.stdout.write(f"{added} services added, {len(TYPICAL) - added} already there.")
