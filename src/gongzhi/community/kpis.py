"""The module's figures for a subtree and period: service orders (by when they were placed) with response
and completion rates, mean rating and volunteer hours; providers listed; and the action plans' tasks
(owned in the subtree) with their weighted progress and how many are late."""

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.community.models import OrderStatus, PlanStatus, PlanTask, Provider, ProviderStatus, ServiceOrder
from gongzhi.community.selectors import COMPLETED, RESPONDED
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import HOURS, NUMBER, PERCENT, RATE, KpiFigure
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    asked = row["orders"] - row["unanswered_cancel"]
    return {
        "orders": row["orders"],
        "responded": row["responded"],
        "completed": row["completed"],
        "confirmed": row["confirmed"],
        "response_rate": round(row["responded"] / asked, 4) if asked else None,
        "completion_rate": round(row["completed"] / row["accepted"], 4) if row["accepted"] else None,
        "rating": round(row["rating"], 2) if row["rating"] is not None else None,
        "volunteer_hours": float(row["hours"] or 0),
    }


def community_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    rows = ServiceOrder.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end
    )
    result = kpi_result(
        fetched_by=fetched_by,
        node=node,
        start=start,
        end=end,
        rows=rows,
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
            "rating": Avg("rating"),
            "hours": Sum("hours", filter=Q(status=OrderStatus.CONFIRMED)),
        },
        path_field="node__path",
        date_field="created_at",
        finish=_finish,
        group_by=group_by,
    )
    total = result["total"]
    total["providers_listed"] = (
        Provider.objects.visible_to(fetched_by, "count")
        .filter(subtree_q("node", [node.path]), status=ProviderStatus.LISTED)
        .count()
    )
    tasks = PlanTask.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), plan__status=PlanStatus.ACTIVE
    )
    plan = tasks.aggregate(
        tasks=Count("pk"),
        weights=Sum("weight"),  # not "weight": an alias that names a field breaks the sum below
        weighted=Sum(F("weight") * F("progress")),
        late=Count("pk", filter=Q(due_on__lt=timezone.localdate(), progress__lt=100)),
    )
    total["plan_tasks"] = plan["tasks"]
    total["plan_tasks_late"] = plan["late"]
    total["plan_progress"] = round(plan["weighted"] / plan["weights"], 1) if plan["weights"] else None
    return result


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "orders": KpiFigure(_("Service orders")),
    "responded": KpiFigure(_("Orders answered")),
    "completed": KpiFigure(_("Orders completed")),
    "confirmed": KpiFigure(_("Orders confirmed")),
    "response_rate": KpiFigure(_("Response rate"), RATE),
    "completion_rate": KpiFigure(_("Completion rate"), RATE),
    "rating": KpiFigure(_("Average rating"), NUMBER),
    "volunteer_hours": KpiFigure(_("Volunteer hours on orders"), HOURS),
    "providers_listed": KpiFigure(_("Service providers listed")),
    "plan_tasks": KpiFigure(_("Action plan tasks")),
    "plan_tasks_late": KpiFigure(_("Action plan tasks late")),
    "plan_progress": KpiFigure(_("Action plan progress (%)"), PERCENT),
}
