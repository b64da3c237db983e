"""Rotating check-in codes: the organiser's screen shows a QR code that changes every 30 seconds.

A code names the activity and a 30-second window, signed with the site's secret (HMAC). A code is
accepted in its own window and the next one, so a photo of the screen is useless a minute later.
"""

import re
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
SALT = "gongzhi.volunteering.checkin"
# ASCII digits only ("²".isdigit() is true, but int("²") fails), and few enough for a 64-bit id.
_TOKEN = re.compile(r"([0-9]{1,18})-([0-9]{1,18})-([0-9a-f]{1,64})")


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def _sign(activity_id: int, window: int) -> str:
    return salted_hmac(SALT, f"{activity_id}:{window}", algorithm="sha256").hexdigest()[:20]


def token_for(activity_id: int, *, now: datetime | None = None) -> str:
    window = _window(now or timezone.now())
    return f"{activity_id}-{window}-{_sign(activity_id, window)}"


def token_valid(activity_id: int, token: str, *, now: datetime | None = None) -> bool:
    parts = _TOKEN.fullmatch((token or "").strip())
    if parts is None or int(parts[1]) != activity_id:
        return False
    window = int(parts[2])
    current = _window(now or timezone.now())
    if window not in (current, current - 1):
        return False
    return constant_time_compare(parts[3], _sign(activity_id, window))


def activity_of(token: str) -> int | None:
    """The activity a code claims to be for, or None when it is not a code at all."""
    parts = _TOKEN.fullmatch((token or "").strip())
    return int(parts[1]) if parts else None


def seconds_left(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def scan_path(token: str) -> str:
    """Where a phone lands after scanning the code (the page with the check-in button)."""
    return reverse("volunteering:scan", args=[token])
