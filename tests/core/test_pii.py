import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.accounts.models import Person
from gongzhi.core import pii
from tests.accounts.factories import PersonFactory, valid_id_number


def test_encrypt_round_trip_with_fresh_nonce_each_time():
    a = pii.encrypt("13812341234", context="phone")
    b = pii.encrypt("13812341234", context="phone")
    assert a != b  # random nonce: equal plaintexts do not give equal ciphertexts
    assert pii.decrypt(a, context="phone") == pii.decrypt(b, context="phone") == "13812341234"


def test_ciphertext_is_bound_to_its_field():
    blob = pii.encrypt("13812341234", context="phone")
    with pytest.raises(InvalidTag):
        pii.decrypt(blob, context="id_number")


def test_tampered_ciphertext_is_rejected():
    blob = bytearray(pii.encrypt("13812341234", context="phone"))
    blob[-1] ^= 1
    with pytest.raises(InvalidTag):
        pii.decrypt(bytes(blob), context="phone")


def test_blind_index_is_deterministic_and_field_specific():
    assert pii.blind_index("13812341234", context="phone") == pii.blind_index("13812341234", context="phone")
    assert pii.blind_index("13812341234", context="phone") != pii.blind_index(
        "13812341234", context="id_number"
    )
    assert "13812341234" not in pii.blind_index("13812341234", context="phone")


@pytest.mark.parametrize("raw", ["13812341234", "138 1234 1234", "+86 138-1234-1234", "008613812341234"])
def test_phone_normalisation_accepts_common_forms(raw):
    assert pii.normalize_phone(raw) == "13812341234"


@pytest.mark.parametrize("raw", ["", "12812341234", "1381234123", "138123412345", "abc", "02887654321", None])
def test_phone_normalisation_rejects_bad_numbers(raw):
    with pytest.raises(ValidationError):
        pii.normalize_phone(raw)


def test_id_number_checksum():
    good = valid_id_number()
    assert pii.normalize_id_number(good.lower()) == good
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError):
        pii.normalize_id_number(wrong_check)
    with pytest.raises(ValidationError):
        pii.normalize_id_number("33010519800101")


def test_masks():
    assert pii.mask_phone("13812341234") == "138****1234"
    assert pii.mask_id_number("330105198001011234") == "330***********1234"


@pytest.mark.postgres
@pytest.mark.django_db
def test_numbers_are_not_stored_in_clear(world):
    number = valid_id_number()
    person = PersonFactory(node=world.bld_a1a, phone="13512345678", id_number=number)
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phone_cipher, id_cipher, phone_index, id_index FROM {table} WHERE id = %s", [person.pk]
        )
        row = cursor.fetchone()
    stored = b"".join(bytes(v) if not isinstance(v, str) else v.encode() for v in row)
    assert b"13512345678" not in stored and number.encode() not in stored
    assert b"2345678" not in stored
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.phone_masked == "135****5678"
    assert fresh.decrypt_id_number() == number
