"""Volunteering's day measures for the cockpit's rollups (docs/cockpit.md): per node and day an activity
starts, the activities with a confirmed service, the services and the confirmed hours (the people who
served are counted per period on the KPI page: a distinct count does not add up over days)."""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Sum

from gongzhi.core.kpis import measure_rows, on_days
from gongzhi.volunteering.models import Signup

SOURCES = [
    ("volunteering.signup", "activity__starts_at", ("created_at", "confirmed_at")),
    ("volunteering.activity", "starts_at", ("created_at",)),
]


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    # unscoped: derived figures of every activity; readers apply their own scope (cockpit)
    rows = Signup.objects.filter(activity__status="open", confirmed_at__isnull=False)
    if days is not None:
        rows = rows.filter(on_days("activity__starts_at", days))
    return measure_rows(
        rows,
        node="activity__node_id",
        day="activity__starts_at",
        aggregates={
            "activities": Count("activity", distinct=True),
            "services": Count("pk"),
            "hours": Sum("hours"),
        },
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    return {
        "activities": int(sums.get("activities", 0)),
        "services": int(sums.get("services", 0)),
        "hours": round(sums.get("hours", 0.0), 2),
    }
