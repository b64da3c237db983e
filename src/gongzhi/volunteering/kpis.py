"""Volunteering figures for a subtree and period (activities by their start): activities held, services
(sign-ups with confirmed hours), confirmed hours and the people who served; per child area or month."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import HOURS, KpiFigure
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node
from gongzhi.volunteering.models import Signup


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "activities": row["activities"],
        "services": row["services"],
        "hours": float(row["hours"] or Decimal(0)),
        "volunteers": row["volunteers"],
    }


def volunteering_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    confirmed = Q(confirmed_at__isnull=False)
    rows = Signup.objects.visible_to(fetched_by, "count").filter(
        subtree_q("activity__node", [node.path]),
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
        activity__status="open",
    )
    return kpi_result(
        fetched_by=fetched_by,
        node=node,
        start=start,
        end=end,
        rows=rows,
        aggregates={
            "activities": Count("activity", distinct=True, filter=confirmed),
            "services": Count("pk", filter=confirmed),
            "hours": Sum("hours", filter=confirmed),
            "volunteers": Count("user", distinct=True, filter=confirmed),
        },
        path_field="activity__node__path",
        date_field="activity__starts_at",
        finish=_finish,
        group_by=group_by,
    )


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "activities": KpiFigure(_("Activities held")),
    "services": KpiFigure(_("Services given")),
    "hours": KpiFigure(_("Volunteer hours"), HOURS),
    "volunteers": KpiFigure(_("Active volunteers")),
}
