"""Monthly reports: list the stored ones of an area, generate one (PDF and workbook), download either file."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import LimitOffset
from gongzhi.core.rules import is_overseer
from gongzhi.core.schemas import ErrorOut, file_download
from gongzhi.reports import selectors, services
from gongzhi.reports.errors import ReportError
from gongzhi.reports.views import CONTENT_TYPES

router = Router(tags=["reports"])


class MonthlyReportOut(Schema):
    id: int
    node_id: int
    node_name: str
    month: str = Field(description="YYYY-MM")
    generated_at: datetime
    generated_by_task: bool = Field(description="made by the monthly task rather than on request")
    pdf_size: int
    xlsx_size: int
    pdf_url: str
    xlsx_url: str


class MonthlyReportIn(Schema):
    node_id: int = Field(description="the district, subdistrict, community or compound", ge=1, le=2**63 - 1)
    month: str = Field(description="YYYY-MM, a month that has begun", max_length=7)


def _out(report) -> dict:
    base = f"/api/v1/reports/{report.pk}"
    return {
        "id": report.pk,
        "node_id": report.node_id,
        "node_name": report.node.name,
        "month": f"{report.month:%Y-%m}",
        "generated_at": report.generated_at,
        "generated_by_task": report.generated_by_id is None,
        "pdf_size": report.pdf_size,
        "xlsx_size": report.xlsx_size,
        "pdf_url": f"{base}/pdf",
        "xlsx_url": f"{base}/xlsx",
    }


@router.get("/reports", response={200: list[MonthlyReportOut], 403: ErrorOut, 404: ErrorOut})
@paginate(LimitOffset)
def reports(request: AuthenticatedHttpRequest, node_id: int | None = None):
    """The stored reports you may see, newest month first; with ``node_id`` that area's only."""
    node = services.report_node(actor=request.user, node_id=node_id) if node_id is not None else None
    if node is None and not is_overseer.test(request.user):
        raise ReportError.forbidden()
    return [_out(r) for r in selectors.report_list(fetched_by=request.user, node=node)[:500]]


@router.post(
    "/reports", response={201: MonthlyReportOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 503: ErrorOut}
)
def report_generate(request: AuthenticatedHttpRequest, data: MonthlyReportIn):
    """Make (or make again) an area's report of a month: a PDF with charts and an Excel workbook."""
    node = services.report_node(actor=request.user, node_id=data.node_id)
    report = services.report_generate(actor=request.user, node=node, month=services.month_parse(data.month))
    return Status(201, _out(report))


@router.get(
    "/reports/{report_id}/{kind}",
    response={200: None, 404: ErrorOut},
    openapi_extra=file_download("The report's PDF or workbook.", *CONTENT_TYPES.values()),
)
def report_download(request: AuthenticatedHttpRequest, report_id: int, kind: str):
    """The stored PDF (``kind`` pdf) or workbook (xlsx) of a report in your reach."""
    report = selectors.report_get(fetched_by=request.user, pk=report_id) if 0 < report_id < 2**63 else None
    if report is None or kind not in CONTENT_TYPES:
        raise ReportError.not_found()
    response = HttpResponse(services.report_file(report=report, kind=kind), content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = (
        f'attachment; filename="report-{report.node_id}-{report.month:%Y-%m}.{kind}"'
    )
    return response
