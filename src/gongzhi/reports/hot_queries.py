"""The monthly-report requests each overseer makes most, whose plans must not grow with the years of stored
reports (gongzhi.core.plans). A new list or detail of reports adds its entry here."""

# unscoped-module: seeds the plan tests' database (bulk rows for every role) and reads back what it made

from datetime import date
from typing import Any

from gongzhi.core.plans import HotRequest
from gongzhi.orgs.models import Node
from gongzhi.reports.models import MonthlyReport

LARGE_TABLES = ("reports_monthlyreport",)

HOT_REQUESTS = [
    HotRequest("monthly reports", role, "/api/v1/reports?limit=25")
    for role in ("community_staff", "subdistrict_admin", "district_viewer")
]
HOT_REQUESTS += [
    HotRequest("one area's reports", "subdistrict_admin", "/api/v1/reports?node_id={report_node}&limit=25"),
    HotRequest("monthly reports (web page)", "subdistrict_admin", "/reports/"),
    HotRequest("monthly reports (web page)", "district_viewer", "/reports/"),
]


def seed(world: Any, *, years: int = 10) -> dict[str, Any]:
    """A report a month for ``years`` years for every area of the world's tree, as the monthly task makes
    them (each area's report of the month before)."""
    nodes = list(Node.objects.values_list("pk", flat=True))
    months = [date(2026 - y, m, 1) for y in range(years) for m in range(1, 13)]
    MonthlyReport.objects.bulk_create(
        (
            MonthlyReport(node_id=node, month=month, pdf_size=1, xlsx_size=1)
            for node in nodes
            for month in months
        ),
        batch_size=2000,
    )
    return {"report_node": world.sub_a.pk}
