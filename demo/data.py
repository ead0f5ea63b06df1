"""The demo data's constant tables: users, names by origin, purposes, authorities, notes.

Plain data, imported by the builders (demo.house, demo.city); imports no other demo module.
"""

from cases.models import StatusKind
from caseworks.access.roles import Role

PASSWORD = "demo"  # noqa: S105  (documented demo password; the command is DEBUG-only)

# (username, first name, last name, roles, team key, leads team)
USERS = [
    ("admin", "Andrea", "Admin", [Role.ADMIN], None, False),
    ("supervisor", "Sabine", "Becker", [Role.SUPERVISOR], "A", True),
    ("supervisor2", "Thomas", "Wagner", [Role.SUPERVISOR], "B", True),
    ("caseworker1", "Leyla", "Demir", [Role.CASEWORKER], "A", False),
    ("caseworker2", "Jonas", "Hoffmann", [Role.CASEWORKER], "A", False),
    ("caseworker3", "Miriam", "Schulz", [Role.CASEWORKER], "B", False),
    ("supervisor3", "Jan", "Krüger", [Role.SUPERVISOR], "C", True),
    ("caseworker4", "Aylin", "Yıldız", [Role.CASEWORKER], "C", False),
    ("office", "Petra", "Kühn", [Role.OFFICE], None, False),
    ("volunteer1", "Karl", "Neumann", [Role.VOLUNTEER], None, False),
    ("koordination", "Katrin", "Vogt", [Role.COORDINATOR], None, False),
    # The data protection officers, one per carrier (DPOS below), no role.
    ("datenschutz", "Dana", "Schutz", [], None, False),
    ("datenschutz2", "Clemens", "Hüter", [], None, False),
    ("datenschutz3", "Edith", "Wacht", [], None, False),
]
# Whose data protection officer each DPO login is (by the carrier's short name): each sees
# its own carrier's access log, disclosures and retention runs, and no other carrier's.
DPOS = {"datenschutz": "AWO", "datenschutz2": "Caritas", "datenschutz3": "Diakonie"}

# Transliterated names as they appear on German documents, by nationality, and the languages
# (ISO 639-3 codes, caseworks.languages; as the household would name them in the comment).
ORIGINS = {
    "SY": (
        ["Mohammed", "Ahmad", "Omar", "Khaled", "Yusuf", "Hassan", "Mahmoud", "Bilal"],
        ["Fatima", "Aisha", "Rania", "Lina", "Nour", "Hiba", "Amal", "Reem"],
        ["Al-Hassan", "Khalil", "Haddad", "Darwish", "Othman", "Hamdan", "Suleiman"],
        ["ara"],  # Arabisch
    ),
    "AF": (
        ["Ahmad Shah", "Mohammad Reza", "Farid", "Hamid", "Jawad", "Mustafa"],
        ["Zahra", "Maryam", "Farzana", "Parwana", "Shabnam", "Nilofar"],
        ["Karimi", "Ahmadi", "Rahimi", "Hosseini", "Noori", "Sultani", "Haidari"],
        ["prs", "pus"],  # Dari, Paschtu
    ),
    "IQ": (
        ["Haidar", "Karwan", "Rebwar", "Mustafa"],
        ["Shirin", "Zainab", "Narin", "Dilan"],
        ["Mahmoud", "Ibrahim", "Kareem", "Jaff"],
        ["ckb", "ara"],  # Kurdisch (Sorani), Arabisch
    ),
    "TR": (
        ["Mehmet", "Emre", "Serdar", "Baran"],
        ["Zeynep", "Elif", "Rojda", "Berfin"],
        ["Yılmaz", "Demir", "Kaya", "Aydın", "Çelik"],
        ["tur", "kmr"],  # Türkisch, Kurdisch (Kurmanji)
    ),
    "ER": (
        ["Yonas", "Tesfay", "Dawit", "Filmon"],
        ["Selam", "Helen", "Saba", "Mebrat"],
        ["Tesfamariam", "Gebremedhin", "Haile", "Kidane"],
        ["tir"],  # Tigrinya
    ),
    "IR": (
        ["Reza", "Arash", "Hossein"],
        ["Mahsa", "Leila", "Parisa"],
        ["Moradi", "Rezaei", "Jafari"],
        ["fas"],  # Persisch
    ),
    "UA": (
        ["Oleksandr", "Dmytro", "Andrii"],
        ["Olena", "Iryna", "Nataliia"],
        ["Kovalenko", "Shevchenko", "Bondarenko", "Melnyk"],
        ["ukr", "rus"],  # Ukrainisch, Russisch
    ),
    "GE": (["Giorgi", "Levan"], ["Nino", "Tamar"], ["Beridze", "Kapanadze"], ["kat"]),  # Georgisch
    "NG": (
        ["Chinedu", "Emeka", "Tunde"],
        ["Ngozi", "Chiamaka", "Funmilayo"],
        ["Okafor", "Adeyemi", "Okonkwo"],
        ["eng", "ibo"],  # Englisch, Igbo
    ),
    "SO": (["Abdirahman", "Mohamed"], ["Hodan", "Ifrah"], ["Warsame", "Abdi", "Farah"], ["som"]),
    "GN": (
        ["Mamadou", "Ibrahima", "Alpha"],
        ["Fatoumata", "Mariama", "Aissatou"],
        ["Diallo", "Bah", "Barry", "Camara"],
        ["fra", "ful"],  # Französisch, Fulfulde
    ),
}

PURPOSES = {
    "authority": [
        "Verlängerung der Aufenthaltsgestattung",
        "Antrag auf Leistungen",
        "Anmeldung des Wohnsitzes",
    ],
    "institution": ["Schulanmeldung", "Kontoeröffnung", "Anmeldung Kita"],
    "doctor": ["Vorsorgeuntersuchung", "Erstuntersuchung", "Impftermin"],
    "counselling": ["Erstgespräch in der Migrationsberatung", "Termin in der Schuldnerberatung"],
}

AUTHORITIES = ["Ausländerbehörde der Stadt", "BAMF Außenstelle", "Zentrale Ausländerbehörde"]
VALIDITY_DAYS = {
    StatusKind.ARRIVAL_CERTIFICATE: 180,
    StatusKind.PERMISSION_TO_RESIDE: 180,
    StatusKind.TOLERATION: 90,
    StatusKind.TOLERATION_UNCLEAR_IDENTITY: 90,
    StatusKind.BORDER_CROSSING_CERTIFICATE: 30,
    StatusKind.FICTIONAL_CERTIFICATE: 90,
    StatusKind.RESIDENCE_PERMIT_ASYLUM: 3 * 365,
}

# Visit notes of the city data set (an empty note is as common as any other).
VISIT_NOTES = [
    "Post durchgesehen, Termin bei der Ausländerbehörde vereinbart.",
    "Fragen zur Mülltrennung und zum Hausrecht besprochen.",
    "Kita-Anmeldung vorbereitet, Unterlagen fehlen noch.",
    "Bescheid des Jobcenters erklärt, Widerspruchsfrist notiert.",
    "Gespräch über Sprachkurs, Anmeldung beim VHS-Träger geplant.",
    "",
]

# What a volunteer reads about an accompaniment: where to meet, what to bring; never why.
VOLUNTEER_NOTES = [
    "Treffpunkt am Haupteingang, Ausweis mitbringen.",
    "Treffpunkt an der Haltestelle, zehn Minuten vorher.",
    "Bitte die Terminbestätigung mitnehmen.",
]
