"""The stored reports a user may see: those of nodes within their oversight reach."""

from typing import Any

from django.db.models import QuerySet

from gongzhi.orgs.models import Node
from gongzhi.reports.models import MonthlyReport


def report_list(*, fetched_by: Any, node: Node | None = None) -> QuerySet[MonthlyReport]:
    """Newest month first, each month's areas in tree order. Without ``node`` the months are walked along
    ``report_by_month`` with the reach tested on its entries (``in_order``): a page reads its own months,
    not every stored report in reach first."""
    reports = MonthlyReport.objects.visible_to(fetched_by, "view", in_order=node is None).select_related(
        "node", "generated_by"
    )
    if node is not None:
        reports = reports.filter(node=node)
    return reports.order_by("-month", "node__path")


def report_get(*, fetched_by: Any, pk: int) -> MonthlyReport | None:
    return report_list(fetched_by=fetched_by).filter(pk=pk).first()
