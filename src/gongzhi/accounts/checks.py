"""System checks for sign-in and text messages (``gongzhi check``; the deploy ones with ``--deploy``)."""

import ipaddress
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.utils.module_loading import import_string

from gongzhi.accounts import sms


def trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every entry of GONGZHI_TRUSTED_PROXIES is an address or a network (else every sign-in would fail)."""
    errors: list[CheckMessage] = []
    for entry in settings.GONGZHI_TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"GONGZHI_TRUSTED_PROXIES: {entry!r} is not an IP address or network.",
                    id="gongzhi.accounts.E005",
                )
            )
    return errors


def deploy_proxy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.GONGZHI_TRUSTED_PROXIES:
        return [
            Warning(
                "The site expects a proxy in front (SECURE_PROXY_SSL_HEADER) but GONGZHI_TRUSTED_PROXIES is "
                "empty: every request would seem to come from the proxy, so the audit log loses the real "
                "addresses and failed sign-ins from anyone would throttle everyone.",
                hint="Set GONGZHI_TRUSTED_PROXIES to the proxy's address, e.g. 127.0.0.1,::1 (docs/deploy.md).",
                id="gongzhi.accounts.W003",
            )
        ]
    return []


def deploy_sms(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The configured SMS backend really sends, and the HTTP gateway client is complete."""
    path = settings.GONGZHI_SMS_BACKEND
    try:
        import_string(path)
    except ImportError as exc:
        return [Error(f"GONGZHI_SMS_BACKEND {path!r} cannot be imported: {exc}", id="gongzhi.accounts.E001")]
    if path == sms.CONSOLE:
        return [
            Warning(
                "GONGZHI_SMS_BACKEND is the console backend: no text message is sent (sign-in codes, notices).",
                hint="Set GONGZHI_SMS_BACKEND=gongzhi.accounts.sms.HttpSmsBackend and its GONGZHI_SMS_URL and "
                "GONGZHI_SMS_SECRET, or your own backend (docs/deploy.md, SMS gateway).",
                id="gongzhi.accounts.W001",
            )
        ]
    if path == sms.MEMORY:
        return [
            Error("GONGZHI_SMS_BACKEND is the test backend: nothing is sent.", id="gongzhi.accounts.E002")
        ]
    if path != sms.HTTP:
        return []
    found: list[CheckMessage] = []
    url = settings.GONGZHI_SMS_URL
    if not url.startswith(("https://", "http://")):
        found.append(
            Error("GONGZHI_SMS_URL must be the gateway's http(s) address.", id="gongzhi.accounts.E003")
        )
    elif not url.startswith("https://"):
        found.append(
            Warning(
                "GONGZHI_SMS_URL is plain http: numbers and codes cross the network readable.",
                hint="Use https, unless the gateway is on this machine or a private link.",
                id="gongzhi.accounts.W002",
            )
        )
    if len(settings.GONGZHI_SMS_SECRET) < 16:
        found.append(
            Error(
                "GONGZHI_SMS_SECRET must be set (16 characters or more): requests to the gateway are signed.",
                id="gongzhi.accounts.E004",
            )
        )
    return found
