"""The alliance's day measures for the cockpit's rollups (docs/cockpit.md): per node and day a project was
set up, the projects published, claimed and finished, the residents they reached and their ratings; per
node and day a need was posted, the needs posted and matched (as the KPI page counts them)."""

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.alliances.kpis import CLAIMED, _finish
from gongzhi.alliances.models import (
    FINISHED_PROJECT,
    PUBLIC_PROJECT,
    ListStatus,
    Need,
    Project,
    ProjectRating,
)
from gongzhi.core.kpis import measure_rows, on_days

SOURCES = [
    ("alliances.project", "created_at", ("created_at", "done_at")),
    ("alliances.projectrating", "project__created_at", ("at",)),
    ("alliances.need", "created_at", ("created_at",)),
]
NAMES = ("projects", "claimed", "finished", "reached", "rated", "satisfied", "needs", "needs_matched")


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    days = None if days is None else list(days)
    # unscoped: derived figures of every project; readers apply their own scope (cockpit)
    projects = Project.objects.all()
    # unscoped: derived figures of every rating
    ratings = ProjectRating.objects.all()
    # unscoped: derived figures of every need
    needs = Need.objects.all()
    if days is not None:
        projects = projects.filter(on_days("created_at", days))
        ratings = ratings.filter(on_days("project__created_at", days))
        needs = needs.filter(on_days("created_at", days))
    return chain(
        measure_rows(
            projects,
            node="node_id",
            day="created_at",
            aggregates={
                "projects": Count("pk", filter=Q(status__in=PUBLIC_PROJECT)),
                "claimed": Count("pk", filter=Q(status__in=CLAIMED)),
                "finished": Count("pk", filter=Q(status__in=FINISHED_PROJECT)),
                "reached": Sum("residents_reached", filter=Q(status__in=PUBLIC_PROJECT)),
            },
        ),
        measure_rows(
            ratings,
            node="project__node_id",
            day="project__created_at",
            aggregates={
                "rated": Count("pk"),
                "satisfied": Count("pk", filter=Q(rating__in=("satisfied", "basically_satisfied"))),
            },
        ),
        measure_rows(
            needs,
            node="node_id",
            day="created_at",
            aggregates={
                "needs": Count("pk", filter=~Q(status=ListStatus.DRAFT)),
                "needs_matched": Count("pk", filter=Q(status__in=(ListStatus.MATCHED,))),
            },
        ),
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    row = {name: int(sums.get(name, 0)) for name in NAMES}
    out = _finish(row)
    out.update({k: row[k] for k in ("rated", "satisfied", "needs", "needs_matched")})
    out["satisfaction"] = round(row["satisfied"] / row["rated"], 4) if row["rated"] else None
    return out
