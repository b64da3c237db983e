"""Rotating check-in codes: the organiser's screen shows a QR code that changes every 30 seconds.

A code names the activity and a 30-second window, signed with the site's secret (HMAC). A code is
accepted in its own window and the next one, so a photo of the screen is useless a minute later.
"""

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
SALT = "gongzhi.volunteering.checkin"


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def _sign(activity_id: int, window: int) -> str:
    return salted_hmac(SALT, f"{activity_id}:{window}", algorithm="sha256").hexdigest()[:20]


def token_for(activity_id: int, *, now: datetime | None = None) -> str:
    window = _window(now or timezone.now())
    return f"{activity_id}-{window}-{_sign(activity_id, window)}"


def token_valid(activity_id: int, token: str, *, now: datetime | None = None) -> bool:
    parts = (token or "").strip().split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return False
    claimed_activity, window = int(parts[0]), int(parts[1])
    current = _window(now or timezone.now())
    if claimed_activity != activity_id or window not in (current, current - 1):
        return False
    return constant_time_compare(parts[2], _sign(activity_id, window))


def seconds_left(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def scan_path(token: str) -> str:
    """Where a phone lands after scanning the code (the page with the check-in button)."""
    return reverse("volunteering:scan", args=[token])
