"""What Open311 shows without a key: the appeals their filers left open to neighbours, with the filer's
name, phone numbers, ID numbers and room numbers taken out of the text, the place given as the compound or
building only, and the location rounded to a grid (``GONGZHI_OPEN311_PUBLIC_GRID`` degrees)."""

import math
import re
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from gongzhi.appeals.models import Appeal, Status

_REMOVED = "*"
_PATTERNS = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?![\dXx])"),  # ID card numbers
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),  # mobile numbers
    re.compile(r"(?<!\d)0\d{2,3}[- ]?\d{7,8}(?!\d)"),  # landlines with their area code
    re.compile(r"(?<!\d)\d{1,3}[-－]\d{1,2}[-－]\d{3,4}(?!\d)"),  # building-unit-room: 3-2-501
    re.compile(r"(?<!\d)\d{1,3}[-－]\d{3,4}(?:室|号|户)?(?!\d)"),  # building-room: 12-501
    re.compile(r"(?<!\d)\d{3,5}\s*(?:室|号房|户)"),  # 501室, 1202户
    re.compile(r"(?<=单元)\d{3,4}(?!\d)"),  # 3单元502
]


def public_enabled() -> bool:
    return bool(getattr(settings, "GONGZHI_OPEN311_PUBLIC_READS", True))


def public_appeals() -> QuerySet[Appeal]:
    """Every appeal open to neighbours (not merged into another), for readers without a key."""
    if not public_enabled():
        return Appeal.objects.none()
    # unscoped: what filers left open to neighbours is shown to anyone, with personal data removed
    return Appeal.objects.filter(open_data=True, hidden_from_neighbours=False).exclude(status=Status.MERGED)


def scrub(text: str, names: list[str]) -> str:
    """The text without the given personal names, phone, ID and room numbers."""
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, name[0] + _REMOVED * (len(name) - 1))
    for pattern in _PATTERNS:
        text = pattern.sub(_REMOVED * 3, text)
    return text


def _grid(value: float | None) -> float | None:
    step = float(getattr(settings, "GONGZHI_OPEN311_PUBLIC_GRID", 0.005))
    if value is None or step <= 0:
        return None
    return round(math.floor(value / step) * step + step / 2, 6)  # the centre of the grid cell


def public_row(appeal: Appeal, row: dict[str, Any], place: str) -> dict[str, Any]:
    """A keyed reader's row for ``appeal`` made fit for anyone: same fields, personal data removed."""
    names = [appeal.resident.name] if appeal.resident_id and appeal.resident else []
    return {
        **row,
        "description": scrub(row["description"] or "", names),
        "service_notice": scrub(row["service_notice"], names) if row["service_notice"] else None,
        "address": place,
        "lat": _grid(row["lat"]),
        "long": _grid(row["long"]),
        "media_url": None,
    }
