"""Writing the audit log. Called from services, inside their transaction."""

from typing import Any

from django.db import models
from django.http import HttpRequest

from gongzhi.core.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
