"""Writing the audit log, and the client address it (and the sign-in throttle) records."""

import ipaddress
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from gongzhi.core.models import AuditEvent

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in proxies if p.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of whoever sent the request.

    ``X-Forwarded-For`` is believed only when the connection comes from a trusted proxy
    (``GONGZHI_TRUSTED_PROXIES``): the header is read from the right, skipping trusted proxies, and the
    first address that is not one is the client. Anything a client wrote further left is ignored, so a
    forged header changes nothing; without a trusted proxy the header is not read at all.
    """
    if request is None:
        return None
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return None
    trusted = _trusted(tuple(settings.GONGZHI_TRUSTED_PROXIES))
    if not trusted or not _is_trusted(peer, trusted):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for hop in reversed([part for part in forwarded.split(",") if part.strip()]):
        address = _address(hop)
        if address is None:
            break  # a malformed entry: what lies left of it cannot be trusted either
        client = address
        if not _is_trusted(address, trusted):
            break
    return str(client)


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    node: Any = None,
    request: HttpRequest | None = None,
    **detail: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        node=node,
        ip=client_ip(request),
        detail=detail,
    )
