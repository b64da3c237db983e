"""Points-mall figures for a subtree and period (orders by when they were placed): orders, pieces and
points spent on orders that stand (not rejected or cancelled), and the people who ordered; per child area
(where the item is offered) or month."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import KpiFigure
from gongzhi.core.scoping import subtree_q
from gongzhi.ledger.models import ACTIVE_ORDER_STATUSES, MallOrder
from gongzhi.orgs.models import Node


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    return {key: value or 0 for key, value in row.items()}


def points_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    standing = Q(status__in=ACTIVE_ORDER_STATUSES)
    rows = MallOrder.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end
    )
    return kpi_result(
        fetched_by=fetched_by,
        node=node,
        start=start,
        end=end,
        rows=rows,
        aggregates={
            "orders": Count("pk", filter=standing),
            "pieces": Sum("quantity", filter=standing),
            "points_spent": Sum("points", filter=standing),
            "buyers": Count("buyer", distinct=True, filter=standing),
            "refunded": Count("pk", filter=~standing),
        },
        path_field="node__path",
        date_field="created_at",
        finish=_finish,
        group_by=group_by,
    )


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "orders": KpiFigure(_("Mall orders")),
    "pieces": KpiFigure(_("Items redeemed")),
    "points_spent": KpiFigure(_("Points redeemed")),
    "buyers": KpiFigure(_("Residents who redeemed")),
    "refunded": KpiFigure(_("Orders refunded")),
}
