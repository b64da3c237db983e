"""The points requests residents make most, whose plans must not grow with the books (gongzhi.core.plans).
A new list or count of points or orders adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

import random
from datetime import timedelta
from typing import Any

from django.utils import timezone

from gongzhi.core.plans import HotRequest
from gongzhi.ledger.models import AccountKind, PointsAccount, PointsEntry, PointsTransaction

LARGE_TABLES = ("ledger_pointsentry", "ledger_pointstransaction")

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
    return {}
