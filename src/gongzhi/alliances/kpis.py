"""Alliance figures for a subtree and period (projects by when they were set up): projects published,
claimed, finished and rated satisfied, the residents they reached, and the needs posted and matched in
the same period. The cockpit reads only these."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.alliances.models import (
    FINISHED_PROJECT,
    PUBLIC_PROJECT,
    ListStatus,
    Need,
    Project,
    ProjectRating,
)
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import RATE, KpiFigure
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node

CLAIMED = ("claimed", "in_progress", *FINISHED_PROJECT)


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    counts = {k: row[k] or 0 for k in ("projects", "claimed", "finished", "reached")}
    rate = round(counts["finished"] / counts["claimed"], 4) if counts["claimed"] else None
    return {**counts, "completion_rate": rate}


def alliance_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    rows = Project.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end
    )
    result = kpi_result(
        fetched_by=fetched_by,
        node=node,
        start=start,
        end=end,
        rows=rows,
        aggregates={
            "projects": Count("pk", filter=Q(status__in=PUBLIC_PROJECT), distinct=True),
            "claimed": Count("pk", filter=Q(status__in=CLAIMED), distinct=True),
            "finished": Count("pk", filter=Q(status__in=FINISHED_PROJECT), distinct=True),
            "reached": Sum("residents_reached", filter=Q(status__in=PUBLIC_PROJECT)),
        },
        path_field="node__path",
        date_field="created_at",
        finish=_finish,
        group_by=group_by,
    )
    needs = Need.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end
    )
    ratings = ProjectRating.objects.filter(project__in=rows.values("pk")).aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=Q(rating__in=("satisfied", "basically_satisfied")))
    )
    ratings["satisfaction"] = round(ratings["satisfied"] / ratings["rated"], 4) if ratings["rated"] else None
    result["total"].update(ratings)
    result["total"].update(
        needs.aggregate(
            needs=Count("pk", filter=~Q(status=ListStatus.DRAFT)),
            needs_matched=Count("pk", filter=Q(status__in=(ListStatus.MATCHED,))),
        )
    )
    return result


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "projects": KpiFigure(_("Projects published")),
    "claimed": KpiFigure(_("Projects claimed")),
    "finished": KpiFigure(_("Projects finished")),
    "reached": KpiFigure(_("Residents reached")),
    "rated": KpiFigure(_("Ratings given")),
    "satisfied": KpiFigure(_("Satisfied ratings")),
    "satisfaction": KpiFigure(_("Satisfaction rate"), RATE),
    "needs": KpiFigure(_("Needs listed")),
    "needs_matched": KpiFigure(_("Needs matched")),
    "completion_rate": KpiFigure(_("Completion rate"), RATE),
}
