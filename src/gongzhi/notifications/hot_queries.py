"""The messages page, whose plan must not grow with the years of messages a busy caseworker receives
(gongzhi.core.plans); every page's menu counts the unread ones too."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.plans import HotRequest
from gongzhi.notifications.models import Channel, Delivery, Notification

LARGE_TABLES = ("notifications_notification",)

HOT_REQUESTS = [
    HotRequest("messages (web page)", "resident", "/messages/"),
    HotRequest("messages (web page)", "commissioner", "/messages/"),
    HotRequest("messages (web page)", "community_staff", "/messages/"),
]


def seed(world: Any, *, count: int = 12_000) -> dict[str, Any]:
    """``count`` messages over a year, most of them to the caseworkers (an appeal's every step tells its
    handlers), a few to the resident, a fifth by SMS; the last weeks' unread."""
    rng = random.Random(24)
    w = world
    now = timezone.now()
    recipients = [w.commissioner] * 5 + [w.a1_staff] * 4 + [w.sub_admin] * 2 + [w.resident]
    rows = []
    for i in range(count):
        at = now - timedelta(days=rng.uniform(0, 365))
        rows.append(
            Notification(
                recipient=rng.choice(recipients),
                channel=Channel.SMS if i % 5 == 0 else Channel.IN_APP,
                kind="appeal",
                title="An appeal moved on",
                link="/appeals/",
                created_at=at,
                sent_at=at,
                delivery=Delivery.SENT,
                read_at=None if at > now - timedelta(days=14) else at + timedelta(hours=3),
                dedupe_key=f"plan-{i}",
            )
        )
    Notification.objects.bulk_create(rows, batch_size=2000)
    return {}
