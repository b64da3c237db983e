"""Pluggable SMS delivery. Set GONGZHI_SMS_BACKEND to a class with ``send(phone, message)``."""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gongzhi.sms")


class ConsoleSmsBackend:
    """For the demo and development: prints the message instead of sending it."""

    def send(self, phone: str, message: str) -> None:
        print(f"[SMS to {phone}] {message}", flush=True)


class MemorySmsBackend:
    """For tests: keeps sent messages in ``outbox``."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, message: str) -> None:
        self.outbox.append((phone, message))


@cache
def _backend(path: str):
    return import_string(path)()


def sms_send(phone: str, message: str) -> None:
    _backend(settings.GONGZHI_SMS_BACKEND).send(phone, message)
