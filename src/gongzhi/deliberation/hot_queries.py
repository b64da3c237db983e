"""The deliberation requests residents and staff make most, whose plans must not grow with years of topics
and action items (gongzhi.core.plans). A new list, queue, detail or count of the module adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.plans import HotRequest
from gongzhi.deliberation.models import ActionItem, ActionStatus, Council, Topic, TopicSource, TopicStatus

LARGE_TABLES = ("deliberation_topic", "deliberation_actionitem")

_OPEN_ITEMS = "the open action items in reach (decisions being carried out now), earliest due first"
_VOTES = "the votes in reach (a few a month per council, not a large table), newest first"

HOT_REQUESTS = [
    # Topic lists: one walk of the place index per council place in view, newest first, merged (selectors).
    HotRequest("topics near me", "resident", "/api/v1/topics?limit=25"),
    HotRequest("topics", "community_staff", "/api/v1/topics?limit=25"),
    HotRequest(
        "topics, middle page", "community_staff", "/api/v1/topics?limit=25&offset=500", kind="middle page"
    ),
    HotRequest("proposed topics", "community_staff", "/api/v1/topics?status=proposed&limit=25"),
    HotRequest("topics", "subdistrict_admin", "/api/v1/topics?limit=25"),
    HotRequest("topic", "resident", "/api/v1/topics/{topic}", kind="detail"),
    HotRequest("topic", "community_staff", "/api/v1/topics/{topic}", kind="detail"),
    HotRequest("open action items", "community_staff", "/api/v1/decisions?limit=25", sorted_ok=_OPEN_ITEMS),
    HotRequest("open action items", "subdistrict_admin", "/api/v1/decisions?limit=25", sorted_ok=_OPEN_ITEMS),
    HotRequest("votes", "resident", "/api/v1/votes?limit=25", sorted_ok=_VOTES),
    HotRequest("mediation counts", "subdistrict_admin", "/api/v1/mediation/counts", kind="KPI"),
]

# Of every 20 topics: most are settled long ago; a few are being carried out or still open.
_STATUSES = [TopicStatus.DONE] * 14 + [TopicStatus.DECLINED] * 2 + [TopicStatus.IN_PROGRESS] * 2
_STATUSES += [TopicStatus.ACCEPTED, TopicStatus.PROPOSED]


def seed(world: Any, *, count: int = 20_000) -> dict[str, Any]:
    """``count`` topics over five years in councils of ``world.compounds`` and their communities (a third in
    the first compound, where the roles are), each carried-out topic with two action items, most done."""
    rng = random.Random(17)
    staff = world.a1_staff
    nodes = list(world.compounds) + list({c.pk: c for c in world.community_of.values()}.values())
    councils = Council.objects.bulk_create(Council(node=n, name=f"{n.name}议事会") for n in nodes)
    home = councils[0]
    now = timezone.now()
    topics = []
    for i in range(count):
        council = home if rng.random() < 0.33 else rng.choice(councils)
        topics.append(
            Topic(
                node_id=council.node_id,
                council=council,
                title=f"议题{i}",
                source=TopicSource.MEMBER,
                proposer=staff,
                status=rng.choice(_STATUSES),
                created_at=now - timedelta(days=rng.uniform(0, 5 * 365)),
            )
        )
    Topic.objects.bulk_create(topics, batch_size=2000)
    carried = Topic.objects.filter(title__startswith="议题", status__in=["in_progress", "done"])
    items = []
    for pk, node_id, status, created in carried.values_list("pk", "node_id", "status", "created_at"):
        for k in range(2):
            done = status == "done" or (k == 0 and rng.random() < 0.5)
            items.append(
                ActionItem(
                    node_id=node_id,
                    topic_id=pk,
                    title=f"落实{pk}-{k}",
                    owner_name="物业",
                    due=(created + timedelta(days=30)).date(),
                    status=ActionStatus.DONE if done else ActionStatus.OPEN,
                    progress=100 if done else 40,
                )
            )
    ActionItem.objects.bulk_create(items, batch_size=2000)
    return {"topic": Topic.objects.filter(council=home).values_list("pk", flat=True).first()}
