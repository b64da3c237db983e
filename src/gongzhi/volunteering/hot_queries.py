"""The volunteering requests residents and organisers make most, whose plans must not grow with a year of
activities and sign-ups (gongzhi.core.plans). A new list or count of activities adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from gongzhi.core.plans import HotRequest
from gongzhi.volunteering.models import Activity, Signup, SignupStatus

LARGE_TABLES = ("volunteering_activity", "volunteering_signup")

# The activities not over yet in reach are found through (place, start) from a day ago, then sorted: the
# rows sorted are the coming weeks' activities, whatever the size of the past.
_UPCOMING = "the activities still to come in reach (found by place and start, not by reading the past)"

HOT_REQUESTS = [
    HotRequest("activities near me", "resident", "/api/v1/activities?limit=25", sorted_ok=_UPCOMING),
    HotRequest("activities", "community_staff", "/api/v1/activities?limit=25", sorted_ok=_UPCOMING),
    HotRequest("activity", "resident", "/api/v1/activities/{activity}", kind="detail"),
    HotRequest(
        "my hours",
        "resident",
        "/api/v1/volunteering/hours",
        sorted_ok="one person's own sign-ups, summed",
        kind="detail",
    ),
]


def seed(world: Any, *, count: int = 5_000, signups: int = 20_000) -> dict[str, Any]:
    """``count`` activities over the past year (a few still to come) in ``world.compounds`` and ``signups``
    sign-ups with confirmed hours, some of them the resident's."""
    rng = random.Random(23)
    now = timezone.now()
    organiser = world.a1_staff
    activities = []
    for i in range(count):
        start = now - timedelta(days=rng.uniform(-20, 365) if i % 50 else -rng.uniform(1, 20))
        activities.append(
            Activity(
                node=world.compounds[0] if i % 50 == 0 else rng.choice(world.compounds),
                organiser=organiser,
                title=f"活动{i}",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                capacity=10,
            )
        )
    Activity.objects.bulk_create(activities, batch_size=2000)
    made = list(Activity.objects.filter(title__startswith="活动").values_list("pk", "ends_at", "node_id"))
    people = [world.commissioner, world.a1_secretary, world.a2_staff, world.sub_admin]
    rows, seen = [], set()
    for i in range(signups):
        pk, ends, _node = rng.choice(made)
        user = world.resident if i % 400 == 0 else rng.choice(people)
        if (pk, user.pk) in seen:
            continue
        seen.add((pk, user.pk))
        done = ends < now
        rows.append(
            Signup(
                activity_id=pk,
                user=user,
                status=SignupStatus.CONFIRMED,
                hours=Decimal(2) if done else None,
                confirmed_at=ends if done else None,
                points=20 if done else 0,
            )
        )
    Signup.objects.bulk_create(rows, batch_size=2000)
    upcoming = next(pk for pk, ends, node in made if ends > now and node == world.compounds[0].pk)
    return {"activity": upcoming}
