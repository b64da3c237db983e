"""Party work's day measures for the cockpit's rollups (docs/cockpit.md): per node and day, the expenses
entered and published (by the day spent) and the members' approved points (by their month). The ratings,
budgets and study hours are figures of a year: the KPI page reads them per year."""

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import chain
from typing import Any

from django.db.models import Count, Q, Sum

from gongzhi.core.kpis import measure_rows, on_days
from gongzhi.partywork.models import Expense, MemberPointsEntry

SOURCES = [
    ("partywork.expense", "spent_on", ("created_at", "published_at")),
    ("partywork.memberpointsentry", "month", ("created_at", "decided_at")),
]
NAMES = ("expenses", "expenses_published", "member_points_approved")


def daily_measures(*, days: Iterable[date] | None = None) -> Iterator[tuple[int, date, str, float]]:
    days = None if days is None else list(days)
    # unscoped: derived figures of every branch's spending; readers apply their own scope (cockpit)
    expenses = Expense.objects.all()
    # unscoped: derived figures of every member's points
    points = MemberPointsEntry.objects.filter(status="approved")
    if days is not None:
        expenses = expenses.filter(on_days("spent_on", days, is_date=True))
        points = points.filter(on_days("month", days, is_date=True))
    return chain(
        measure_rows(
            expenses,
            node="node_id",
            day="spent_on",
            is_date=True,
            aggregates={
                "expenses": Count("pk", filter=~Q(status="rejected")),
                "expenses_published": Count("pk", filter=Q(status="published")),
            },
        ),
        measure_rows(
            points,
            node="node_id",
            day="month",
            is_date=True,
            aggregates={"member_points_approved": Sum("points")},
        ),
    )


def figures(sums: dict[str, float]) -> dict[str, Any]:
    return {name: int(sums.get(name, 0)) for name in NAMES}
