"""The points mall's day measures for the cockpit's rollups (docs/cockpit.md): per node (where the item is
offered) and day of the order, the orders that stand, their pieces and points, and those refunded (the
buyers are counted per period on the KPI page: a distinct count does not add up over days)."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.core.kpis import measure_rows, on_days
from gongzhi.ledger.models import ACTIVE_ORDER_STATUSES, MallOrder

SOURCES = [("ledger.mallorder", "created_at", ("created_at", "decided_at", "closed_at"))]
NAMES = ("orders", "pieces", "points_spent", "refunded")


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    standing = Q(status__in=ACTIVE_ORDER_STATUSES)
    # unscoped: derived figures of every order; readers apply their own scope (cockpit)
    rows = MallOrder.objects.all()
    if days is not None:
        rows = rows.filter(on_days("created_at", days))
    return measure_rows(
        rows,
        node="node_id",
        day="created_at",
        aggregates={
            "orders": Count("pk", filter=standing),
            "pieces": Sum("quantity", filter=standing),
            "points_spent": Sum("points", filter=standing),
            "refunded": Count("pk", filter=~standing),
        },
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    return {name: int(sums.get(name, 0)) for name in NAMES}
