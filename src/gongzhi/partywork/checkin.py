"""Check-in codes for in-person training sessions: "session id : 30-second window" signed with the site's
key (like volunteering's), so every server checks with the same key and nothing is stored."""

import time

from django.utils.crypto import constant_time_compare, salted_hmac

WINDOW = 30


def _code(session_id: int, window: int) -> str:
    return salted_hmac("gongzhi.partywork.checkin", f"{session_id}:{window}").hexdigest()[:16]


def current_code(session_id: int, *, now: float | None = None) -> str:
    return _code(session_id, int((now if now is not None else time.time()) // WINDOW))


def code_valid(session_id: int, code: str, *, now: float | None = None) -> bool:
    """The code of this window or the previous one."""
    window = int((now if now is not None else time.time()) // WINDOW)
    return any(constant_time_compare(_code(session_id, w), code or "") for w in (window, window - 1))
