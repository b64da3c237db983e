"""Sign-in at meetings by QR code, the way volunteering's check-in works: the secretary's screen shows a code
that changes every 30 seconds. A code names the meeting and a 30-second window, signed with the site's
secret under this module's own salt (a meeting's code is never an activity's); it is accepted in its own
window and the next, so a photo of the screen is useless a minute later."""

import re
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW_SECONDS = 30
SALT = "gongzhi.deliberation.sign_in"
# ASCII digits only ("²".isdigit() is true, but int("²") fails), and few enough for a 64-bit id.
_TOKEN = re.compile(r"([0-9]{1,18})-([0-9]{1,18})-([0-9a-f]{1,64})")


def _window(now: datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def _sign(meeting_id: int, window: int) -> str:
    return salted_hmac(SALT, f"{meeting_id}:{window}", algorithm="sha256").hexdigest()[:20]


def token_for(meeting_id: int, *, now: datetime | None = None) -> str:
    window = _window(now or timezone.now())
    return f"{meeting_id}-{window}-{_sign(meeting_id, window)}"


def token_valid(meeting_id: int, token: str, *, now: datetime | None = None) -> bool:
    parts = _TOKEN.fullmatch((token or "").strip())
    if parts is None or int(parts[1]) != meeting_id:
        return False
    window = int(parts[2])
    current = _window(now or timezone.now())
    if window not in (current, current - 1):
        return False
    return constant_time_compare(parts[3], _sign(meeting_id, window))


def seconds_left(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def scan_path(meeting_id: int, token: str) -> str:
    """Where a member's phone lands after scanning the code (the page with the sign-in button)."""
    return reverse("deliberation:sign_in", args=[meeting_id, token])
