"""What every KPI provider shares (``GongzhiApp.kpis``): one signature and the grouping by child area or
month. A provider counts only what the user may count (``visible_to(user, "count")``):

    def kpis(*, fetched_by, node, start, end, group_by=None) -> dict:
        return {"node": node.pk, "from": start, "to": end, "total": {...}, "groups": [...]}  # groups: with group_by
"""

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Substr, TruncDate, TruncMonth

from gongzhi.core.scoping import PATH_STEP, node_model

GROUPINGS = ("node", "month")


def kpi_result(
    *,
    fetched_by: Any,
    node: Any,
    start: datetime,
    end: datetime,
    rows: QuerySet,
    aggregates: dict[str, Any],
    path_field: str,
    date_field: str,
    finish: Callable[[dict[str, Any]], dict[str, Any]] = dict,
    group_by: str | None = None,
) -> dict[str, Any]:
    """Totals of ``rows`` (already scoped to the user, the node's subtree and the period) and, with
    ``group_by`` ("node": each child of ``node``; "month"), one row per group."""
    result: dict[str, Any] = {
        "node": node.pk,
        "from": start,
        "to": end,
        "total": finish(rows.aggregate(**aggregates)),
    }
    if group_by is None:
        return result
    if group_by == "node":
        width = len(node.path) + PATH_STEP
        grouped = (
            rows.annotate(key=Substr(path_field, 1, width)).values("key").annotate(**aggregates).order_by()
        )
        children: dict[str, Any] = {
            c.path: c
            for c in node_model()
            ._default_manager.visible_to(fetched_by, "view")
            .filter(path__startswith=node.path, depth=node.depth + 1)
        }
        result["groups"] = [
            {"key": children[r["key"]].pk, "label": children[r["key"]].name, **finish(r)}
            for r in grouped
            if r["key"] in children
        ]
    elif group_by == "month":
        grouped = (
            rows.annotate(key=TruncMonth(date_field)).values("key").annotate(**aggregates).order_by("key")
        )
        result["groups"] = [
            {"key": r["key"].strftime("%Y-%m"), "label": r["key"].strftime("%Y-%m"), **finish(r)}
            for r in grouped
        ]
    else:
        raise ValueError(f"group_by must be one of {GROUPINGS}")
    return result


# What the modules' measures (``GongzhiApp.measures``, the cockpit's day rollups) share: a module counts its
# figures per node and local day in the database and hands them over as (node id, day, measure, value).


def local_day(field: str) -> Any:
    """The local calendar day of a datetime field (the days of the rollups are the site's days)."""
    return TruncDate(field, tzinfo=ZoneInfo(settings.TIME_ZONE))


def on_days(field: str, days: Iterable[date], *, is_date: bool = False) -> Q:
    """Rows whose ``field`` (a datetime, or with ``is_date`` a date) falls on one of the local ``days``."""
    runs: list[list[date]] = []
    for day in sorted(set(days)):
        if runs and runs[-1][1] == day:
            runs[-1][1] = day + timedelta(days=1)
        else:
            runs.append([day, day + timedelta(days=1)])
    zone = ZoneInfo(settings.TIME_ZONE)
    q = Q(pk__in=[])
    for first, after in runs:
        if is_date:
            q |= Q(**{f"{field}__gte": first, f"{field}__lt": after})
        else:
            q |= Q(
                **{
                    f"{field}__gte": datetime.combine(first, time.min, tzinfo=zone),
                    f"{field}__lt": datetime.combine(after, time.min, tzinfo=zone),
                }
            )
    return q


def measure_rows(
    rows: QuerySet, *, node: str, day: str, aggregates: dict[str, Any], is_date: bool = False
) -> Iterator[tuple[int, date, str, float]]:
    """(node id, day, measure, value) of ``aggregates`` over ``rows`` per node (the field ``node``) and day
    (the field ``day``); zeros are left out."""
    key = F(day) if is_date else local_day(day)
    grouped = rows.annotate(_node=F(node), _day=key).values("_node", "_day").annotate(**aggregates).order_by()
    for row in grouped:
        for name in aggregates:
            value = row[name]
            if value:
                yield row["_node"], row["_day"], name, float(value)
