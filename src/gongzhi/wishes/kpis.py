"""Wish-wall figures for a subtree and period (wishes by when they were posted): posted, put on the wall,
claimed by a volunteer, fulfilled; per child area or month."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import RATE, KpiFigure
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node
from gongzhi.wishes.models import ON_THE_WALL, Wish, WishStatus

FULFILLED = (WishStatus.FULFILLED, WishStatus.THANKED)
CLAIMED = (WishStatus.CLAIMED, WishStatus.ACCEPTED, *FULFILLED)


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    """The counts, and of the wishes put on the wall the share fulfilled."""
    counts = {key: row[key] for key in ("posted", "published", "claimed", "fulfilled")}
    rate = round(row["fulfilled"] / row["published"], 4) if row["published"] else None
    return {**counts, "fulfilment_rate": rate}


def wishes_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    rows = Wish.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), created_at__gte=start, created_at__lt=end
    )
    return kpi_result(
        fetched_by=fetched_by,
        node=node,
        start=start,
        end=end,
        rows=rows,
        aggregates={
            "posted": Count("pk"),
            "published": Count("pk", filter=Q(status__in=ON_THE_WALL)),
            "claimed": Count("pk", filter=Q(status__in=CLAIMED)),
            "fulfilled": Count("pk", filter=Q(status__in=FULFILLED)),
        },
        path_field="node__path",
        date_field="created_at",
        finish=_finish,
        group_by=group_by,
    )


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "posted": KpiFigure(_("Wishes posted")),
    "published": KpiFigure(_("Wishes on the wall")),
    "claimed": KpiFigure(_("Wishes claimed")),
    "fulfilled": KpiFigure(_("Wishes fulfilled")),
    "fulfilment_rate": KpiFigure(_("Fulfilment rate"), RATE),
}
