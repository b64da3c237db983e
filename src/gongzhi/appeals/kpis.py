"""Appeal KPIs for a subtree and period, with drill-down by child node, tier, top-level category or month.

Definitions (merged duplicates are left out of every rate):
- collected: appeals filed in the period;
- response rate (响应率): accepted at least once / collected;
- resolution rate (解决率): resolved or closed after resolution / collected;
- satisfaction rate (满意率): (satisfied + 0.9 × basically satisfied) / rated ("not rated in time" is not rated);
- composite: weighted sum of the three (GONGZHI_KPI_WEIGHTS, default 0.1 / 0.5 / 0.4);
- on-time rate: resolved by the deadline of the tier that resolved it / resolved;
- average hours to first acceptance and to resolution;
- tier containment: of the resolved, the share resolved at compound, community and subdistrict level.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Coalesce, Substr, TruncMonth

from gongzhi.accounts.models import User
from gongzhi.appeals.models import Appeal, Category, Rating, Status, Tier
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node

RESOLVED = [Status.RESOLVED, Status.CLOSED]


class SecondsBetween(Func):
    """Seconds from ``earlier`` to ``later`` computed by the database itself: SQLite would otherwise call
    back into Python for each row's date difference, the most of a KPI request at 100,000 appeals."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def __init__(self, later: str, earlier: str) -> None:
        super().__init__(F(later), F(earlier))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "((julianday(%(expressions)s)) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)


def _aggregates() -> dict[str, Any]:
    resolved = Q(status__in=RESOLVED, resolved_at__isnull=False)
    return {
        "collected": Count("pk"),
        "responded": Count("pk", filter=Q(first_accepted_at__isnull=False)),
        "resolved": Count("pk", filter=resolved),
        "on_time": Count("pk", filter=resolved & Q(resolved_at__lte=F("resolve_due"))),
        "satisfied": Count("pk", filter=Q(rating=Rating.SATISFIED)),
        "basically_satisfied": Count("pk", filter=Q(rating=Rating.BASICALLY_SATISFIED)),
        "dissatisfied": Count("pk", filter=Q(rating=Rating.DISSATISFIED)),
        "not_rated": Count("pk", filter=Q(rating=Rating.NOT_RATED)),
        "resolved_compound": Count("pk", filter=resolved & Q(resolved_tier=Tier.COMPOUND)),
        "resolved_community": Count("pk", filter=resolved & Q(resolved_tier=Tier.COMMUNITY)),
        "resolved_subdistrict": Count("pk", filter=resolved & Q(resolved_tier=Tier.SUBDISTRICT)),
        "to_accept": Avg(SecondsBetween("first_accepted_at", "created_at")),
        "to_resolve": Avg(SecondsBetween("resolved_at", "created_at"), filter=resolved),
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    collected, resolved = row["collected"], row["resolved"]
    rated = row["satisfied"] + row["basically_satisfied"] + row["dissatisfied"]
    response = _ratio(row["responded"], collected)
    resolution = _ratio(resolved, collected)
    satisfaction = _ratio(row["satisfied"] + 0.9 * row["basically_satisfied"], rated) if rated else None
    weights = settings.GONGZHI_KPI_WEIGHTS
    parts = (response, resolution, satisfaction)
    composite = (
        round(sum(w * (p or 0.0) for w, p in zip(weights, parts, strict=True)), 4) if collected else None
    )
    hours = {
        k: (round(row[k] / 3600, 1) if row[k] is not None else None) for k in ("to_accept", "to_resolve")
    }
    return {
        "collected": collected,
        "responded": row["responded"],
        "resolved": resolved,
        "rated": rated,
        "ratings": {k: row[k] for k in ("satisfied", "basically_satisfied", "dissatisfied", "not_rated")},
        "response_rate": response,
        "resolution_rate": resolution,
        "satisfaction_rate": satisfaction,
        "composite_score": composite,
        "on_time_rate": _ratio(row["on_time"], resolved),
        "avg_hours_to_accept": hours["to_accept"],
        "avg_hours_to_resolve": hours["to_resolve"],
        "containment": {
            tier: _ratio(row[f"resolved_{tier}"], resolved)
            for tier in ("compound", "community", "subdistrict")
        },
    }


def appeals_in(*, fetched_by: User, node: Node, start: datetime, end: datetime) -> QuerySet[Appeal]:
    return (
        Appeal.objects.visible_to(fetched_by, "count")
        .filter(subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end)
        .exclude(status=Status.MERGED)
    )


def appeal_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    """Totals for ``node``'s subtree in [start, end) and, with ``group_by``, one row per group."""
    qs = appeals_in(fetched_by=fetched_by, node=node, start=start, end=end)
    result: dict[str, Any] = {
        "node": node.pk,
        "from": start,
        "to": end,
        "total": _finish(qs.aggregate(**_aggregates())),
    }
    if group_by is None:
        return result
    rows: Any
    if group_by == "node":
        child_len = len(node.path) + Node.steplen
        rows = (
            qs.annotate(key=Substr("node__path", 1, child_len))
            .values("key")
            .annotate(**_aggregates())
            .order_by()
        )
        children = {
            c.path: c
            for c in Node.objects.visible_to(fetched_by, "view").filter(
                path__startswith=node.path, depth=node.depth + 1
            )
        }
        groups = [
            {"key": children[r["key"]].pk, "label": children[r["key"]].name, **_finish(r)}
            for r in rows
            if r["key"] in children
        ]
    elif group_by == "tier":
        rows = qs.values(key=F("tier")).annotate(**_aggregates()).order_by("key")
        groups = [{"key": r["key"], "label": str(Tier(r["key"]).label), **_finish(r)} for r in rows]
    elif group_by == "category":
        top = Coalesce("category__parent__parent_id", "category__parent_id", "category_id")
        rows = qs.values(key=top).annotate(**_aggregates()).order_by()
        names = dict(Category.objects.filter(level=1).values_list("pk", "name"))
        groups = [{"key": r["key"], "label": names.get(r["key"], "—"), **_finish(r)} for r in rows]
    elif group_by == "month":
        rows = (
            qs.annotate(key=TruncMonth("created_at")).values("key").annotate(**_aggregates()).order_by("key")
        )
        groups = [
            {"key": r["key"].strftime("%Y-%m"), "label": r["key"].strftime("%Y-%m"), **_finish(r)}
            for r in rows
        ]
    else:
        raise ValueError(group_by)
    result["groups"] = groups
    return result
