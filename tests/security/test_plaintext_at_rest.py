"""No name, birth date, document number, address or phone in any table, history included."""

import datetime

from django.db import connection

from cases import services
from documents.sanitise import sanitise
from documents.services import document_upload
from referrals.services import letter_issue, referral_transition
from tests.documents.conftest import EXIF_MARKER, jpeg_with_gps
from tests.helpers import TODAY, consent, open_case, refer

SECRETS = [
    "Xaverius",
    "Quentinsdottir",
    "1987-03-14",
    "ZX9876543",
    "Geheimweg",
    "2345678",
    "Zephyrine",
]


def all_rows_as_text():
    text = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            text.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(text)


def all_binary_values() -> list[bytes]:
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                values.extend(bytes(v) for v in row if isinstance(v, bytes | memoryview))
    return values


def test_it_keeps_personal_data_out_of_every_table(alice, team_a, mbe):
    case = open_case(
        alice,
        team_a,
        first_name="Xaverius",
        last_name="Quentinsdottir",
        birth_date=datetime.date(1987, 3, 14),
        document_number="ZX9876543",
        accommodation_address="Geheimweg 17",
    )
    client = case.clients.get()
    # A second version in the history tables, and a second household member.
    services.client_update(
        actor=alice,
        client=client,
        expected_version=client.version,
        data={"phone": "+49 151 2345678"},
    )
    services.client_create(
        actor=alice,
        case=case,
        data={
            "first_name": "Zephyrine",
            "last_name": "Quentinsdottir",
            "relationship": "child",
            "birth_date": TODAY,
        },
    )
    # A referral with its default letter subject ("Vermittlung: <name>"), consent and letter.
    consent(alice, case, mbe)
    referral = refer(alice, case, mbe)
    assert "Quentinsdottir" in referral.letter_subject
    referral = referral_transition(actor=alice, referral=referral, to="ready")
    letter_issue(actor=alice, referral=referral)
    # A document: its title and a phone photo with GPS and camera in EXIF.
    upload = sanitise([jpeg_with_gps()], max_bytes=20 * 1024 * 1024)
    document_upload(
        actor=alice,
        case=case,
        upload=upload,
        kind="identity",
        title="Ausweis Xaverius",
        client=client,
    )
    dump = all_rows_as_text()
    assert "historicalclient" in " ".join(connection.introspection.table_names()).lower()
    for secret in SECRETS:
        assert secret not in dump, secret
    # Neither the uploaded bytes nor their EXIF text, in any column (blobs as bytes too).
    assert EXIF_MARKER not in dump
    blobs = all_binary_values()
    assert blobs, "the document's encrypted bytes are stored"
    assert not any(upload.data[200:264] in blob for blob in blobs)
    assert not any(EXIF_MARKER.encode() in blob for blob in blobs)
    # The data is there, encrypted: the ORM reads it back.
    assert case.clients.get(pk=client.pk).phone == "+49 151 2345678"
    assert client.history.count() == 2
