"""The community services' day measures for the cockpit's rollups (docs/cockpit.md): per node and day a
service order was placed, the orders, answered, accepted, completed and confirmed, their ratings and the
volunteer hours. Providers and the action plans are as of now: the KPI page reads them."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.community.kpis import _finish
from gongzhi.community.models import OrderStatus, ServiceOrder
from gongzhi.community.selectors import COMPLETED, RESPONDED
from gongzhi.core.kpis import measure_rows, on_days

SOURCES = [
    (
        "community.serviceorder",
        "created_at",
        ("created_at", "answered_at", "agreed_at", "done_at", "confirmed_at"),
    )
]
NAMES = (
    "orders",
    "responded",
    "unanswered_cancel",
    "accepted",
    "completed",
    "confirmed",
    "rated",
    "rating_sum",
    "hours",
)


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    # unscoped: derived figures of every order; readers apply their own scope (cockpit)
    rows = ServiceOrder.objects.all()
    if days is not None:
        rows = rows.filter(on_days("created_at", days))
    return measure_rows(
        rows,
        node="node_id",
        day="created_at",
        aggregates={
            "orders": Count("pk"),
            "responded": Count(
                "pk",
                filter=Q(status__in=RESPONDED) | Q(status=OrderStatus.CANCELLED, answered_at__isnull=False),
            ),
            "unanswered_cancel": Count(
                "pk", filter=Q(status=OrderStatus.CANCELLED, answered_at__isnull=True)
            ),
            "accepted": Count("pk", filter=Q(agreed_at__isnull=False)),
            "completed": Count("pk", filter=Q(status__in=COMPLETED)),
            "confirmed": Count("pk", filter=Q(status=OrderStatus.CONFIRMED)),
            "rated": Count("rating"),
            "rating_sum": Sum("rating"),
            "hours": Sum("hours", filter=Q(status=OrderStatus.CONFIRMED)),
        },
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    row: dict[str, Any] = {name: sums.get(name, 0) for name in NAMES}
    rated = row["rated"]
    row["rating"] = row["rating_sum"] / rated if rated else None
    out = _finish({k: (v if k in ("hours", "rating") else int(v or 0)) for k, v in row.items()})
    out["volunteer_hours"] = round(out["volunteer_hours"], 2)
    return out
