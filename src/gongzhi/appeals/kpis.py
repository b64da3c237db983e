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

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.appeals.models import Appeal, AppealDayTally, AppealMonthTally, Category, Status, Tier
from gongzhi.appeals.tallies import (
    COUNTS,
    FIELDS,
    TOP_CATEGORY,
    appeal_sums,
    day_start,
    days_to_read_live,
    filed_between,
    local_zone,
    month_start,
    next_month,
    tally_sums,
)
from gongzhi.core.registry import HOURS, RATE, KpiFigure
from gongzhi.core.roles import OVERSIGHT_ROLES
from gongzhi.core.scoping import has_role, subtree_q
from gongzhi.orgs.models import Node


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

    def hours(seconds: float, count: int) -> float | None:
        return round(seconds / count / 3600, 1) if count else None

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
        "avg_hours_to_accept": hours(row["accept_seconds"], row["responded"]),
        "avg_hours_to_resolve": hours(row["resolve_seconds"], resolved),
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


def _tallies_serve(user: User, node: Node) -> bool:
    """Whether the user may count every appeal of ``node``'s subtree, so that the tallies (which know no
    scope) give the same figures as the appeals the user may count."""
    return has_role(user, OVERSIGHT_ROLES, at_path=node.path)


def _whole_days(start: datetime, end: datetime) -> tuple[Any, Any] | None:
    """The first and the day after the last local day lying wholly in [start, end), if any."""
    zone = local_zone()
    try:
        first = start.astimezone(zone).date()
        if start.astimezone(zone).timetz().replace(tzinfo=None) != time.min:
            first += timedelta(days=1)
        last = end.astimezone(zone).date()
        day_start(first).astimezone(zone)
        day_start(last).astimezone(zone)
    except (OverflowError, ValueError):
        return None
    return (first, last) if first < last else None


def _split(first: date, last: date, behind: set[date]) -> tuple[list[tuple[date, date]], list[date]]:
    """The whole days [first, last) as runs of days to read from the day tallies and the months (first
    days) to read from the month tallies: the days before the first whole month and after the last, and
    the days of a whole month that holds a day still to be refreshed (``behind``, counted from the appeals
    instead), whose month tally is behind too."""
    first_month = first if first.day == 1 else next_month(first)
    last_month = month_start(last)
    if first_month >= last_month:
        return [(first, last)], []
    days = [(first, first_month), (last_month, last)]
    months = []
    month = first_month
    while month < last_month:
        if any(month <= day < next_month(month) for day in behind):
            days.append((month, next_month(month)))
        else:
            months.append(month)
        month = next_month(month)
    return [(a, b) for a, b in days if a < b], months


class Sources(NamedTuple):
    """What ``appeal_kpis`` adds up for a period: the appeals to count one by one and, when the tallies
    serve, the day tallies and the month tallies of the rest (None where there are none to read)."""

    live: QuerySet[Appeal]
    days: QuerySet[AppealDayTally] | None = None
    months: QuerySet[AppealMonthTally] | None = None


def _sources(*, fetched_by: User, node: Node, start: datetime, end: datetime) -> Sources:
    """The appeals to count one by one and the day and month tallies to add to them for [start, end)."""
    live = appeals_in(fetched_by=fetched_by, node=node, start=start, end=end)
    whole = _whole_days(start, end) if _tallies_serve(fetched_by, node) else None
    behind = days_to_read_live() if whole else None
    if whole is None or behind is None:
        return Sources(live)
    first, last = whole
    behind = {d for d in behind if first <= d < last}
    ranges = [(start, day_start(first)), (day_start(last), end)]
    ranges += [(day_start(d), day_start(d + timedelta(days=1))) for d in behind]
    live = live.filter(filed_between((a, b) for a, b in ranges if a < b))
    spans, months = _split(first, last, behind)
    place = subtree_q("node", [node.path])
    days: QuerySet[AppealDayTally] | None = None
    if spans:
        in_spans = Q(pk__in=[])
        for a, b in spans:
            in_spans |= Q(day__gte=a, day__lt=b)
        days = AppealDayTally.objects.filter(place, in_spans)
        if behind:
            days = days.exclude(day__in=behind)
    month_tallies: QuerySet[AppealMonthTally] | None = None
    if months:
        month_tallies = AppealMonthTally.objects.filter(place, month__in=months)
    return Sources(live, days, month_tallies)


def _add(into: dict[Any, dict[str, Any]], rows: Any, key: Callable[[Any], Any]) -> None:
    for row in rows:
        target = into[key(row.get("key"))]
        for name in FIELDS:
            target[name] += row[name] or 0


def appeal_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    """Totals for ``node``'s subtree in [start, end) and, with ``group_by``, one row per group: the month
    tallies for whole months, the day tallies for the other whole days (appeals/tallies.py), the appeals
    themselves for the rest."""
    found = _sources(fetched_by=fetched_by, node=node, start=start, end=end)
    # Each source with the expressions of its tier, top category and month.
    sources: list[tuple[QuerySet[Any], dict[str, Any], dict[str, Any]]] = [
        (
            found.live,
            appeal_sums(),
            {"tier": F("tier"), "category": TOP_CATEGORY, "month": TruncMonth("created_at")},
        )
    ]
    tallied = {"tier": F("tier"), "category": F("category_top")}
    if found.days is not None:
        # Grouped by day and folded into months here: SQLite would call back into Python to cut each date.
        sources.append((found.days, tally_sums(), tallied | {"month": F("day")}))
    if found.months is not None:
        sources.append((found.months, tally_sums(), tallied | {"month": F("month")}))

    def empty() -> dict[str, Any]:
        return dict.fromkeys(COUNTS, 0) | {"accept_seconds": 0.0, "resolve_seconds": 0.0}

    totals: dict[Any, dict[str, Any]] = defaultdict(empty)
    for qs, sums, _keys in sources:
        _add(totals, [qs.aggregate(**sums)], lambda k: None)
    result: dict[str, Any] = {"node": node.pk, "from": start, "to": end, "total": _finish(totals[None])}
    if group_by is None:
        return result
    groups: dict[Any, dict[str, Any]] = defaultdict(empty)
    if group_by == "node":
        child_len = len(node.path) + Node.steplen
        for qs, sums, _keys in sources:
            rows = (
                qs.annotate(key=Substr("node__path", 1, child_len)).values("key").annotate(**sums).order_by()
            )
            _add(groups, rows, lambda k: k)
        children = {
            c.path: c
            for c in Node.objects.visible_to(fetched_by, "view").filter(
                path__startswith=node.path, depth=node.depth + 1
            )
        }
        result["groups"] = [
            {"key": children[path].pk, "label": children[path].name, **_finish(row)}
            for path, row in sorted(groups.items(), key=lambda item: item[0] or "")
            if path in children
        ]
    elif group_by == "tier":
        for qs, sums, keys in sources:
            _add(groups, qs.values(key=keys["tier"]).annotate(**sums).order_by(), lambda k: k)
        order = list(Tier.values)
        result["groups"] = [
            {"key": k, "label": str(Tier(k).label), **_finish(row)}
            for k, row in sorted(groups.items(), key=lambda item: order.index(item[0]))
        ]
    elif group_by == "category":
        for qs, sums, keys in sources:
            _add(groups, qs.values(key=keys["category"]).annotate(**sums).order_by(), lambda k: k)
        names = dict(Category.objects.filter(level=1).values_list("pk", "name"))
        result["groups"] = [
            {"key": k, "label": names.get(k, "—"), **_finish(row)}
            for k, row in sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or 0))
        ]
    elif group_by == "month":
        for qs, sums, keys in sources:
            rows = qs.annotate(key=keys["month"]).values("key").annotate(**sums).order_by()
            _add(groups, rows, lambda k: k.strftime("%Y-%m"))
        result["groups"] = [{"key": k, "label": k, **_finish(row)} for k, row in sorted(groups.items())]
    else:
        raise ValueError(group_by)
    return result


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "collected": KpiFigure(_("Appeals collected")),
    "responded": KpiFigure(_("Appeals responded to")),
    "resolved": KpiFigure(_("Appeals resolved")),
    "rated": KpiFigure(_("Appeals rated")),
    "ratings.satisfied": KpiFigure(_("Rated satisfied")),
    "ratings.basically_satisfied": KpiFigure(_("Rated basically satisfied")),
    "ratings.dissatisfied": KpiFigure(_("Rated dissatisfied")),
    "ratings.not_rated": KpiFigure(_("Closed without a rating")),
    "response_rate": KpiFigure(_("Response rate"), RATE),
    "resolution_rate": KpiFigure(_("Resolution rate"), RATE),
    "satisfaction_rate": KpiFigure(_("Satisfaction rate"), RATE),
    "composite_score": KpiFigure(_("Composite score"), RATE),
    "on_time_rate": KpiFigure(_("Resolved on time"), RATE),
    "avg_hours_to_accept": KpiFigure(_("Average hours to accept"), HOURS),
    "avg_hours_to_resolve": KpiFigure(_("Average hours to resolve"), HOURS),
    "containment.compound": KpiFigure(_("Resolved in the compound"), RATE),
    "containment.community": KpiFigure(_("Resolved in the community"), RATE),
    "containment.subdistrict": KpiFigure(_("Resolved in the subdistrict"), RATE),
}
