"""The work queue over several handling nodes is paged by merging one ordered walk per node: the pages must
be the queue's own rows, in its order, at every offset (due dates may be empty)."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.appeals.models import Appeal, Status, Tier
from gongzhi.appeals.selectors import appeal_queue
from gongzhi.core.pagination import page_by_ids

pytestmark = pytest.mark.postgres


def _seed(world):
    rng = random.Random(7)
    now = timezone.now()
    community = world.cmp_a1a.get_parent()
    places = [
        (world.cmp_a1a, world.cmp_a1a, Tier.COMPOUND),
        (world.cmp_a1b, world.cmp_a1b, Tier.COMPOUND),
        (world.cmp_a1a, community, Tier.COMMUNITY),
        (world.cmp_a2a, world.cmp_a2a, Tier.COMPOUND),
        (world.cmp_a2a, community.get_parent(), Tier.SUBDISTRICT),
        (world.cmp_b1a, world.cmp_b1a, Tier.COMPOUND),  # outside subdistrict A
    ]
    statuses = [Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.CLOSED]
    rows = []
    for i in range(120):
        node, handling, tier = rng.choice(places)
        # Some share a due date (the id breaks the tie); some have none yet.
        accept_due = None if i % 11 == 0 else now + timedelta(hours=rng.randint(0, 30))
        resolve_due = None if i % 3 == 0 else now + timedelta(days=rng.randint(1, 5))
        rows.append(
            Appeal(
                node=node,
                handling_node=handling,
                tier=tier,
                status=rng.choice(statuses),
                title=f"诉求{i}",
                body="楼道照明",
                accept_due=accept_due,
                resolve_due=resolve_due,
            )
        )
    Appeal.objects.bulk_create(rows)


@pytest.mark.parametrize("who", ["sub_admin", "a1_staff"])
def test_every_page_of_a_queue_over_several_nodes_is_the_queues_own(world, who):
    _seed(world)
    queue = appeal_queue(fetched_by=getattr(world, who))
    assert getattr(queue, "page_ids", None) is not None, "the merge serves this queue"
    expected = list(queue.values_list("pk", flat=True))  # the plain query, one walk in the queue's order
    assert 10 < len(expected) < 120
    for offset in range(0, len(expected) + 7, 7):
        assert [a.pk for a in page_by_ids(queue, offset, 7)] == expected[offset : offset + 7]


def test_a_narrowed_queue_is_paged_as_a_plain_query(world):
    _seed(world)
    queue = appeal_queue(fetched_by=world.sub_admin)
    narrowed = queue.filter(tier=Tier.COMPOUND)
    assert getattr(narrowed, "page_ids", None) is None
    expected = list(narrowed.values_list("pk", flat=True))
    assert [a.pk for a in page_by_ids(narrowed, 3, 5)] == expected[3:8]
