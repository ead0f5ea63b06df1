import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from cases.models import Client
from caseworks.fields import DecryptionError, EncryptedCharField

KEY_1 = Fernet.generate_key().decode()
KEY_2 = Fernet.generate_key().decode()


def raw_first_name(client):
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name FROM cases_client WHERE id = %s", [client.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def client_row(alice_case):
    return alice_case.clients.get()


def test_it_stores_ciphertext_and_reads_plaintext(client_row):
    stored = raw_first_name(client_row)
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert "Ahmad" not in stored
    assert Client.objects.get(pk=client_row.pk).first_name == "Ahmad"


def test_it_encrypts_the_same_value_differently_each_time(alice_case, bob):
    first, second = raw_first_name(alice_case.clients.get()), None
    alice_case.clients.get().save()
    second = raw_first_name(alice_case.clients.get())
    assert first != second


def test_it_refuses_lookups_on_ciphertext(db):
    with pytest.raises(FieldError, match="blind index"):
        list(Client.objects.filter(first_name="Ahmad"))
    with pytest.raises(FieldError):
        list(Client.objects.filter(last_name__icontains="Kar"))


def test_it_allows_isnull(client_row):
    assert Client.objects.filter(birth_date__isnull=False).count() == 1


def test_it_refuses_unique_and_index():
    with pytest.raises(ImproperlyConfigured, match="cannot be unique"):
        EncryptedCharField(max_length=10, unique=True)
    with pytest.raises(ImproperlyConfigured, match="cannot be db_index"):
        EncryptedCharField(max_length=10, db_index=True)


def test_it_raises_a_clear_error_with_a_wrong_key(client_row):
    with override_settings(CASEWORKS_FIELD_KEYS=[KEY_1]), pytest.raises(DecryptionError) as info:
        Client.objects.get(pk=client_row.pk)
    message = str(info.value)
    assert "cases.Client." in message
    assert "CASEWORKS_FIELD_KEYS" in message
    assert "Ahmad" not in message and "Karimi" not in message


def test_it_reads_old_values_after_rotation_and_writes_with_the_newest_key(settings, client_row):
    old_key = settings.CASEWORKS_FIELD_KEYS[0]
    with override_settings(CASEWORKS_FIELD_KEYS=[KEY_2, old_key]):
        client = Client.objects.get(pk=client_row.pk)
        assert client.first_name == "Ahmad"
        client.save()
        token = raw_first_name(client)
    assert Fernet(KEY_2.encode()).decrypt(token.encode()) == b"Ahmad"


def test_it_refuses_to_encrypt_without_keys(client_row):
    with (
        override_settings(CASEWORKS_FIELD_KEYS=[]),
        pytest.raises(ImproperlyConfigured, match="CASEWORKS_FIELD_KEYS is empty"),
    ):
        client_row.save()


def test_it_keeps_empty_optional_values_empty(alice_case):
    client = alice_case.clients.get()
    assert client.phone == ""
    assert Client.objects.get(pk=client.pk).email == ""


def test_a_wrong_key_shows_a_clear_page_not_a_crash(client, alice, alice_case, caplog):
    client.force_login(alice)
    with override_settings(CASEWORKS_FIELD_KEYS=[KEY_1]):
        response = client.get(f"/cases/{alice_case.code}/")
    assert response.status_code == 503
    html = response.content.decode()
    assert "cannot be read with the configured encryption key" in html
    assert "Karimi" not in html and "Karimi" not in caplog.text
    assert "cases.Client" in caplog.text or "cases.Case" in caplog.text


def test_a_migration_encrypts_plain_values_where_they_stand(alice, team_a, db):
    """encrypt_plaintext_column (used by the migrations that turned interpreter names and
    letter subjects into encrypted fields): plain values become ciphertext the ORM reads;
    values already encrypted are left alone, so running it twice is harmless."""
    from django.db import connection

    from caseworks.fields import encrypt_plaintext_column
    from tests.helpers import open_case
    from tests.visits.conftest import record
    from visits.models import Visit

    case = open_case(alice, team_a)
    visit = record(alice, case, kind="first", interpreter_name="Already Encrypted")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE visits_visit SET interpreter_name = %s WHERE id = %s",
            ["Plain Olddata", visit.pk],
        )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    assert encrypt_plaintext_column(editor, "visits_visit", "interpreter_name") == 1
    assert encrypt_plaintext_column(editor, "visits_visit", "interpreter_name") == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT interpreter_name FROM visits_visit WHERE id = %s", [visit.pk])
        assert "Olddata" not in cursor.fetchone()[0]
    assert Visit.objects.get(pk=visit.pk).interpreter_name == "Plain Olddata"
