"""Text messages: one backend, chosen with ``GONGZHI_SMS_BACKEND`` (a dotted path to a class).

The interface (``SmsBackend``): a class made without arguments, with ``send(phone, message)``. ``phone`` is
an 11-digit mainland mobile number, ``message`` the full text (Chinese, at most a few hundred characters).
``send`` returns once the gateway has taken the message. It raises ``SmsNotSent`` when the gateway
certainly did not take it (refused it, or could not be reached): the message may then be sent again
safely. Any other exception means it may have been delivered.

A backend whose gateway drops a repeated idempotency key sets ``supports_idempotency_key = True`` and takes
``send(phone, message, key=...)``: a message whose fate is unknown (the sender died, or the answer was lost)
is then sent again with the same key, which cannot deliver it twice.

Backends here:

- ``HttpSmsBackend``, for production: a signed JSON request to your gateway (or to a small adapter in front
  of your provider), retried with the same idempotency key (docs/deploy.md, "SMS gateway");
- ``ConsoleSmsBackend``, for the demo and development: prints a masked line and sends nothing. The
  production settings refuse it unless ``GONGZHI_SMS_ALLOW_CONSOLE=1``, and ``check --deploy`` warns;
- ``MemorySmsBackend``, for tests.
"""

import hashlib
import hmac
import json
import logging
import re
import time
import urllib.error
import urllib.request
import uuid
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gongzhi.core import pii

logger = logging.getLogger("gongzhi.sms")

CONSOLE = "gongzhi.accounts.sms.ConsoleSmsBackend"
MEMORY = "gongzhi.accounts.sms.MemorySmsBackend"
HTTP = "gongzhi.accounts.sms.HttpSmsBackend"


class SmsBackend(Protocol):
    def send(self, phone: str, message: str) -> None: ...


class SmsNotSent(Exception):
    """The gateway certainly did not take the message: it may be sent again safely."""


_DIGITS = re.compile(r"\d{4,}")


def mask_message(message: str) -> str:
    """Every run of four or more digits (codes, numbers, ids) as stars of the same length."""
    return _DIGITS.sub(lambda m: "*" * len(m.group()), message)


class ConsoleSmsBackend:
    """For the demo and development: prints the message, with the number and any codes masked, instead of
    sending it (a console's output ends up in journald, which is no place for sign-in codes). Only the
    single-machine demo settings show codes (``GONGZHI_SMS_CONSOLE_SHOW_CODES``), so that one can try the
    code sign-in; the production settings never do."""

    def send(self, phone: str, message: str) -> None:
        text = message if settings.GONGZHI_SMS_CONSOLE_SHOW_CODES else mask_message(message)
        print(f"[SMS to {pii.mask_phone(phone)}, not sent] {text}", flush=True)


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


def sign(secret: str, timestamp: str, key: str, body: bytes) -> str:
    """The request's signature: HMAC-SHA256 with the shared secret over ``timestamp \\n key \\n body``."""
    signed = timestamp.encode() + b"\n" + key.encode() + b"\n" + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


class SmsMaybeSent(Exception):
    """The gateway did not answer in time, or answered with an error after it may have taken the message."""


class _Retry(Exception):
    def __init__(self, reason: str, *, certainly_not_sent: bool) -> None:
        super().__init__(reason)
        self.certainly_not_sent = certainly_not_sent


class HttpSmsBackend:
    """An HTTP SMS gateway.

    ``POST GONGZHI_SMS_URL`` with the JSON body ``{"phone": ..., "message": ...}`` and the headers
    ``Idempotency-Key`` (the same on every retry of one message: the gateway must take a key once),
    ``X-Gongzhi-Timestamp`` (Unix seconds) and ``X-Gongzhi-Signature`` (``sign()``, with the secret
    ``GONGZHI_SMS_SECRET``: the gateway checks it, and refuses timestamps more than five minutes off).
    Any 2xx means the gateway has the message. A 429, a 5xx, a timeout or a refused connection is tried
    again, up to ``GONGZHI_SMS_RETRIES`` more times, waiting ``GONGZHI_SMS_RETRY_DELAY`` seconds, doubled
    each time; any other 4xx is final (``SmsNotSent``). Each try waits at most ``GONGZHI_SMS_TIMEOUT``.
    """

    supports_idempotency_key = True

    def send(self, phone: str, message: str, key: str = "") -> None:
        url, secret = settings.GONGZHI_SMS_URL, settings.GONGZHI_SMS_SECRET
        if not url.startswith(("https://", "http://")):
            raise SmsNotSent("GONGZHI_SMS_URL must be an http(s) address")
        if not secret:
            raise SmsNotSent("GONGZHI_SMS_SECRET is not set: requests to the gateway must be signed")
        key = key or uuid.uuid4().hex  # a code has no key of its own; its retries share this one
        body = json.dumps({"phone": phone, "message": message}, ensure_ascii=False).encode()
        tries = 1 + max(0, int(settings.GONGZHI_SMS_RETRIES))
        certainly_not_sent = True
        for attempt in range(tries):
            if attempt:
                time.sleep(settings.GONGZHI_SMS_RETRY_DELAY * 2 ** (attempt - 1))
            try:
                self._post(url, secret, key, body)
                return
            except _Retry as retry:
                certainly_not_sent = certainly_not_sent and retry.certainly_not_sent
                logger.warning("SMS gateway try %d of %d for %s failed: %s", attempt + 1, tries, key, retry)
        if certainly_not_sent:
            raise SmsNotSent(f"gateway did not take the message after {tries} tries")
        raise SmsMaybeSent(f"gateway did not answer after {tries} tries; the message may have arrived")

    def _post(self, url: str, secret: str, key: str, body: bytes) -> None:
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in send()
            url,
            data=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Idempotency-Key": key,
                "X-Gongzhi-Timestamp": timestamp,
                "X-Gongzhi-Signature": sign(secret, timestamp, key, body),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.GONGZHI_SMS_TIMEOUT) as answer:  # noqa: S310
                answer.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429:
                raise _Retry("429 busy", certainly_not_sent=True) from exc
            if exc.code < 500:
                raise SmsNotSent(f"gateway refused the message: {exc.code}") from exc
            raise _Retry(f"{exc.code}", certainly_not_sent=False) from exc
        except urllib.error.URLError as exc:
            refused = isinstance(exc.reason, OSError) and not isinstance(exc.reason, TimeoutError)
            raise _Retry(f"not reached: {exc.reason}", certainly_not_sent=refused) from exc
        except TimeoutError as exc:  # the answer did not come in time: the gateway may have the message
            raise _Retry("timed out", certainly_not_sent=False) from exc


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
