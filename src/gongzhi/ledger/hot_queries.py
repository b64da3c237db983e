"""The points requests residents make most, whose plans must not grow with the books (gongzhi.core.plans).
A new list or count of points or orders adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.plans import HotRequest
from gongzhi.ledger.models import (
    AccountKind,
    MallItem,
    MallOrder,
    OrderStatus,
    PointsAccount,
    PointsEntry,
    PointsTransaction,
)

LARGE_TABLES = ("ledger_pointsentry", "ledger_pointstransaction", "ledger_mallorder")

# Found by (node, status) for the open states only, then put in order: the desk's current work.
_DESK = "the orders in reach waiting for approval or pickup (the desk's current work), oldest first"

HOT_REQUESTS = [
    HotRequest(
        "my points",
        "resident",
        "/api/v1/points/balance",
        sorted_ok="one person's accounts: one per subdistrict they served in",
        kind="detail",
    ),
    HotRequest(
        "my points history",
        "resident",
        "/api/v1/points/entries?limit=25",
        sorted_ok="one person's own entries, ordered by the day of what they record",
    ),
    HotRequest("my mall orders", "resident", "/api/v1/mall/orders?view=mine"),
    HotRequest("mall order", "resident", "/api/v1/mall/orders/{mall_order}", kind="detail"),
    HotRequest("mall orders to handle", "community_staff", "/api/v1/mall/orders?view=queue", sorted_ok=_DESK),
    HotRequest(
        "mall orders to handle", "subdistrict_admin", "/api/v1/mall/orders?view=queue", sorted_ok=_DESK
    ),
    HotRequest("mall order", "community_staff", "/api/v1/mall/orders/{mall_order}", kind="detail"),
]


def seed(world: Any, *, count: int = 20_000) -> dict[str, Any]:
    """``count`` movements from the subdistrict's issuance account to people's accounts over a year, one in
    fifty to the resident (the balances are not the point here: the plans are)."""
    rng = random.Random(25)
    issuance = PointsAccount.objects.create(kind=AccountKind.ISSUANCE, node=world.sub_a)
    people = [world.commissioner, world.a1_secretary, world.a2_staff, world.sub_admin, world.resident]
    accounts = {
        u.pk: PointsAccount.objects.create(kind=AccountKind.PERSON, node=world.sub_a, user=u) for u in people
    }
    now = timezone.now()
    records = [
        PointsTransaction(
            key=f"plan:{i}",
            kind="earn",
            memo="服务",
            created_at=now - timedelta(days=rng.uniform(0, 365)),
            occurred_at=now - timedelta(days=rng.uniform(0, 365)),
        )
        for i in range(count)
    ]
    PointsTransaction.objects.bulk_create(records, batch_size=2000)
    made = PointsTransaction.objects.filter(key__startswith="plan:").values_list("pk", flat=True)
    entries = []
    for i, pk in enumerate(made):
        user = world.resident if i % 50 == 0 else rng.choice(people[:-1])
        entries += [
            PointsEntry(transaction_id=pk, account=issuance, amount=-10),
            PointsEntry(transaction_id=pk, account=accounts[user.pk], amount=10),
        ]
    PointsEntry.objects.bulk_create(entries, batch_size=4000)
    return _seed_mall(world, rng, now)


def _seed_mall(world: Any, rng: random.Random, now: Any, *, count: int = 10_000) -> dict[str, Any]:
    """A year of ``count`` mall orders of a dozen items offered in the compounds, one in fifty the
    resident's; those of the last days still wait for approval or pickup."""
    items = MallItem.objects.bulk_create(
        MallItem(
            node=compound,
            subdistrict=world.subdistrict_of[compound.pk],
            name=f"兑换品{k}",
            price=10,
            stock=100,
            created_by=world.a1_staff,
        )
        for k, compound in enumerate(world.compounds[:12])
    )
    people = [world.commissioner, world.a1_secretary, world.a2_staff, world.sub_admin]
    rows = []
    for i in range(count):
        item = items[0] if rng.random() < 0.33 else rng.choice(items)
        at = now - timedelta(days=rng.uniform(0, 365))
        recent = at > now - timedelta(days=3)
        rows.append(
            MallOrder(
                item=item,
                node_id=item.node_id,
                buyer=world.resident if i % 50 == 0 else rng.choice(people),
                points=10,
                status=rng.choice([OrderStatus.PLACED, OrderStatus.APPROVED])
                if recent
                else OrderStatus.PICKED_UP,
                client_key=f"plan-{i}",
                created_at=at,
            )
        )
    MallOrder.objects.bulk_create(rows, batch_size=2000)
    mine = MallOrder.objects.filter(buyer=world.resident, node=world.compounds[0])
    return {"mall_order": mine.values_list("pk", flat=True).first()}
