"""The wish wall's day measures for the cockpit's rollups (docs/cockpit.md): per node and day a wish was
posted, the wishes posted, put on the wall, claimed and fulfilled (as the KPI page counts them)."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Q

from gongzhi.core.kpis import measure_rows, on_days
from gongzhi.wishes.kpis import CLAIMED, FULFILLED, _finish
from gongzhi.wishes.models import ON_THE_WALL, Wish

SOURCES = [("wishes.wish", "created_at", ("created_at", "published_at", "claimed_at", "fulfilled_at"))]
NAMES = ("posted", "published", "claimed", "fulfilled")


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    # unscoped: derived figures of every wish; readers apply their own scope (cockpit)
    rows = Wish.objects.all()
    if days is not None:
        rows = rows.filter(on_days("created_at", days))
    return measure_rows(
        rows,
        node="node_id",
        day="created_at",
        aggregates={
            "posted": Count("pk"),
            "published": Count("pk", filter=Q(status__in=ON_THE_WALL)),
            "claimed": Count("pk", filter=Q(status__in=CLAIMED)),
            "fulfilled": Count("pk", filter=Q(status__in=FULFILLED)),
        },
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    return _finish({name: int(sums.get(name, 0)) for name in NAMES})
