"""What every KPI provider shares (``GongzhiApp.kpis``): one signature and the grouping by child area or
month. A provider counts only what the user may count (``visible_to(user, "count")``):

    def kpis(*, fetched_by, node, start, end, group_by=None) -> dict:
        return {"node": node.pk, "from": start, "to": end, "total": {...}, "groups": [...]}  # groups: with group_by
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Substr, TruncMonth

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
