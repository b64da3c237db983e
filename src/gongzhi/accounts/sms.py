"""Pluggable SMS delivery. Set GONGZHI_SMS_BACKEND to a class with ``send(phone, message)``.

A backend whose gateway drops a repeated idempotency key sets ``supports_idempotency_key = True`` and takes
``send(phone, message, key=...)``: a message whose fate is unknown (the sender died, or the answer was lost)
is then sent again with the same key, which cannot deliver it twice. Raise ``SmsNotSent`` when the gateway
certainly did not take the message (refused it, or could not be reached); any other exception means it may
have been delivered.
"""

import json
import logging
import urllib.error
import urllib.request
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gongzhi.sms")


class SmsNotSent(Exception):
    """The gateway certainly did not take the message: it may be sent again safely."""


class ConsoleSmsBackend:
    """For the demo and development: prints the message instead of sending it."""

    def send(self, phone: str, message: str) -> None:
        print(f"[SMS to {phone}] {message}", flush=True)


class MemorySmsBackend:
    """For tests: keeps sent messages in ``outbox``; a repeated idempotency key is dropped, like a gateway's."""

    outbox: list[tuple[str, str]] = []
    keys: set[str] = set()
    supports_idempotency_key = True

    def send(self, phone: str, message: str, key: str = "") -> None:
        if key and key in self.keys:
            return
        if key:
            self.keys.add(key)
        self.outbox.append((phone, message))


class HttpSmsBackend:
    """A gateway that takes ``POST {"phone": ..., "message": ...}`` as JSON at ``GONGZHI_SMS_URL`` with an
    ``Idempotency-Key`` header, and answers 2xx once it has the message (the same key again: 2xx, not
    sent again). Waits at most ``GONGZHI_SMS_TIMEOUT`` seconds (10)."""

    supports_idempotency_key = True

    def send(self, phone: str, message: str, key: str = "") -> None:
        url = settings.GONGZHI_SMS_URL
        if not url.startswith(("https://", "http://")):
            raise SmsNotSent("GONGZHI_SMS_URL must be an http(s) address")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=json.dumps({"phone": phone, "message": message}).encode(),
            headers={"Content-Type": "application/json", **({"Idempotency-Key": key} if key else {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.GONGZHI_SMS_TIMEOUT) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise SmsNotSent(f"gateway refused the message: {exc.code}") from exc
            raise
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, OSError) and not isinstance(exc.reason, TimeoutError):
                raise SmsNotSent(f"gateway not reached: {exc.reason}") from exc
            raise


@cache
def _backend(path: str) -> Any:
    return import_string(path)()


def sms_idempotent() -> bool:
    """Whether the configured gateway drops a repeated idempotency key (so a message may be sent again)."""
    return bool(getattr(_backend(settings.GONGZHI_SMS_BACKEND), "supports_idempotency_key", False))


def sms_send(phone: str, message: str, *, key: str = "") -> None:
    backend = _backend(settings.GONGZHI_SMS_BACKEND)
    if key and getattr(backend, "supports_idempotency_key", False):
        backend.send(phone, message, key=key)
    else:
        backend.send(phone, message)
