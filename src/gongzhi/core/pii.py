"""Personal data at rest (PIPL): AES-256-GCM encryption, an HMAC blind index for exact lookup, masking.

Ciphertext layout: 12-byte random nonce || AES-GCM ciphertext+tag. The blind-index key is derived
from the field key with HKDF so that one secret (GONGZHI_FIELD_KEY) protects both.
"""

import base64
import hashlib
import hmac
import os
import re
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NONCE_BYTES = 12
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@cache
def _keys(field_key: str) -> tuple[AESGCM, bytes]:
    raw = base64.b64decode(field_key)
    if len(raw) != 32:
        raise ValueError("GONGZHI_FIELD_KEY must be the base64 encoding of 32 bytes")
    index_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"gongzhi blind index").derive(raw)
    return AESGCM(raw), index_key


def encrypt(value: str, *, context: str) -> bytes:
    """Encrypt ``value``; ``context`` (e.g. "phone") is bound as associated data so fields cannot be swapped."""
    aead, _ = _keys(settings.FIELD_KEY)
    nonce = os.urandom(NONCE_BYTES)
    return nonce + aead.encrypt(nonce, value.encode(), context.encode())


def decrypt(blob: bytes | memoryview, *, context: str) -> str:
    aead, _ = _keys(settings.FIELD_KEY)
    data = bytes(blob)
    return aead.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], context.encode()).decode()


def blind_index(value: str, *, context: str) -> str:
    """Deterministic keyed hash used to find a record by exact phone or ID number without decrypting."""
    _, index_key = _keys(settings.FIELD_KEY)
    return hmac.new(index_key, f"{context}:{value}".encode(), hashlib.sha256).hexdigest()


def normalize_phone(value: str) -> str:
    """Mainland mobile number: strip spaces, dashes and a +86 / 0086 prefix; raise ValidationError if invalid."""
    digits = re.sub(r"[\s\-()]", "", str(value or ""))
    digits = re.sub(r"^(\+86|0086)", "", digits)
    if not PHONE_RE.match(digits):
        raise ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13812341234."), code="phone")
    return digits


def normalize_id_number(value: str) -> str:
    """18-character resident ID number with a valid ISO 7064 check character."""
    text = str(value or "").strip().upper()
    if not re.match(r"^\d{17}[\dX]$", text):
        raise ValidationError(_("Enter an 18-character resident ID number."), code="id_number")
    total = sum(int(d) * w for d, w in zip(text[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != text[-1]:
        raise ValidationError(_("The resident ID number's check character is wrong."), code="id_number")
    return text


def id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_name(name: str, *, stars: int | None = None) -> str:
    """王小明 → 王**: the family name only (``stars`` fixed, to hide the length too: 王*)."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[:1] + "*" * (stars if stars is not None else max(1, len(name) - 1))


def mask_id_number(id_number: str) -> str:
    return f"{id_number[:3]}***********{id_number[-4:]}" if len(id_number) == 18 else "****"
