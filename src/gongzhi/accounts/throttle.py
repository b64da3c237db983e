"""The sign-in throttle: failed attempts counted per account and per client address.

An account key (a username, or a phone's blind index) or a client address that reaches its limit of
failures inside one sliding window (``GONGZHI_LOGIN_FAILURE_WINDOW``) is locked until
``GONGZHI_LOGIN_LOCKOUT`` after its last failure. The password backend applies it to every caller of
``authenticate()`` (the sign-in page, the API's token endpoint, the admin login), so no sign-in path goes
around it. A success clears the account's failures, never the address's: one's own account does not
wipe the record of guesses at other people's.
"""

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from gongzhi.accounts.errors import AddressThrottled, LockedOut
from gongzhi.accounts.models import LoginFailure
from gongzhi.core.audit import client_ip


def username_key(username: str) -> str:
    return "u:" + username.strip().lower()[:70]


def phone_key(phone_index: str) -> str:
    return "p:" + phone_index


def address_key(address: str) -> str:
    return "a:" + address


def is_locked(key: str, *, limit: int | None = None) -> bool:
    limit = limit or settings.GONGZHI_LOGIN_FAILURE_LIMIT
    now = timezone.now()
    window, lockout = settings.GONGZHI_LOGIN_FAILURE_WINDOW, settings.GONGZHI_LOGIN_LOCKOUT
    recent = LoginFailure.objects.filter(key=key, at__gte=now - max(window, lockout) - window)
    failures = list(recent.order_by("-at").values_list("at", flat=True)[:limit])
    if len(failures) < limit:
        return False
    # The limit was reached inside one window, and the lockout since the last failure is still running.
    newest, oldest = failures[0], failures[-1]
    return newest - oldest <= window and now - newest < lockout


def check(key: str, request: HttpRequest | None) -> None:
    """Raise AddressThrottled or LockedOut if the client's address or the account may not try now."""
    address = client_ip(request)
    if address and is_locked(address_key(address), limit=settings.GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT):
        raise AddressThrottled()
    if is_locked(key):
        raise LockedOut()


def is_blocked(key: str, request: HttpRequest | None) -> bool:
    try:
        check(key, request)
    except LockedOut:
        return True
    return False


def record_failure(key: str, request: HttpRequest | None) -> None:
    address = client_ip(request)
    LoginFailure.objects.create(key=key, ip=address)
    if address:
        LoginFailure.objects.create(key=address_key(address), ip=address)


def clear(key: str) -> None:
    LoginFailure.objects.filter(key=key).delete()
