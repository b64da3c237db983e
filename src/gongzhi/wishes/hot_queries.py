"""The micro-wish requests each role makes most, whose plans must not grow with the years of wishes on the
wall (gongzhi.core.plans). A new list, queue or detail of wishes adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.plans import HotRequest
from gongzhi.wishes.models import Wish, WishStatus

LARGE_TABLES = ("wishes_wish",)

# The wall is sorted after an index finds it: a community's wishes on the wall, by state then newest first.
# It holds the open wishes and those fulfilled and thanked, a few hundred a community a year: it grows with
# the years (named in docs/benchmarks.md), not with the other communities' wishes.
_WALL = "one community's wall (its open wishes and those fulfilled), found by node and state"
_REVIEW = "the wishes awaiting review in reach: the desk's current work"
# Staff's wall page also counts their reach's wishes by state for its chart, from the wall index's entries.
_CHART = _WALL + "; the chart counts the reach's wishes by state from that index"

HOT_REQUESTS = [
    HotRequest("wish wall", "resident", "/api/v1/wishes?limit=25", sorted_ok=_WALL),
    HotRequest("wish wall", "community_staff", "/api/v1/wishes?limit=25", sorted_ok=_WALL),
    HotRequest(
        "own wishes",
        "resident",
        "/api/v1/wishes?view=mine&limit=25",
        sorted_ok="one resident's own wishes: a handful, found by their index",
    ),
    HotRequest(
        "wishes to review", "community_staff", "/api/v1/wishes?view=moderation&limit=25", sorted_ok=_REVIEW
    ),
    HotRequest("wish", "resident", "/api/v1/wishes/{wish}", kind="detail"),
    HotRequest("wish", "community_staff", "/api/v1/wishes/{wish}", kind="detail"),
    HotRequest("wish wall (web page)", "resident", "/wishes/", sorted_ok=_WALL),
    HotRequest("wish wall (web page)", "community_staff", "/wishes/", sorted_ok=_CHART),
]

# Of every 20 wishes: most of a few years' wall is thanked or fulfilled; a few wait for review or a helper.
_STATUSES = [WishStatus.THANKED] * 10 + [WishStatus.FULFILLED] * 3 + [WishStatus.REJECTED] * 2
_STATUSES += [WishStatus.WITHDRAWN, WishStatus.PUBLISHED, WishStatus.CLAIMED, WishStatus.ACCEPTED]
_STATUSES += [WishStatus.PENDING]


def seed(world: Any, *, count: int = 8_000) -> dict[str, Any]:
    """``count`` wishes over three years in ``world.compounds`` (a third in the first, where the roles are),
    one in two hundred the resident's own and some claimed by the commissioner."""
    rng = random.Random(22)
    w = world
    now = timezone.now()
    rows = []
    for i in range(count):
        compound = w.compounds[0] if rng.random() < 0.33 else rng.choice(w.compounds)
        status = rng.choice(_STATUSES)
        mine = i % 200 == 0
        claimed = status in (
            WishStatus.CLAIMED,
            WishStatus.ACCEPTED,
            WishStatus.FULFILLED,
            WishStatus.THANKED,
        )
        rows.append(
            Wish(
                node=compound,
                wisher=w.resident if mine else None,
                wisher_name="王秀英",
                posted_by=w.resident if mine else w.a1_staff,
                title=f"心愿{i}",
                status=status,
                claimant=w.commissioner if claimed and not mine and rng.random() < 0.1 else None,
                created_at=now - timedelta(days=rng.uniform(0, 3 * 365)),
            )
        )
    Wish.objects.bulk_create(rows, batch_size=2000)
    wall = Wish.objects.filter(node=w.compounds[0], status=WishStatus.PUBLISHED)
    return {"wish": wall.values_list("pk", flat=True).first()}
