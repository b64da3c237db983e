"""The monthly reports page: pick an area and a month, generate the report, download the stored PDFs and
workbooks of that area."""

from datetime import date

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.rules import is_overseer
from gongzhi.core.web import role_required, service_call
from gongzhi.orgs.selectors import node_list, node_roots
from gongzhi.reports import selectors, services
from gongzhi.reports.errors import ReportError
from gongzhi.reports.figures import add_months

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def last_month() -> date:
    return add_months(timezone.localdate(), -1)


@role_required(is_overseer)
def report_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    roots = [n for n in node_roots(fetched_by=request.user) if services.may_report(request.user, n)]
    wanted = request.GET.get("node")
    if wanted:
        try:
            node = services.report_node(actor=request.user, node_id=wanted)
        except ReportError:
            raise Http404 from None
    elif roots:
        node = roots[0]
    else:
        raise Http404
    month = request.GET.get("month") or f"{last_month():%Y-%m}"
    children = node_list(fetched_by=request.user).filter(path__startswith=node.path, depth=node.depth + 1)
    return render(
        request,
        "reports/index.html",
        {
            "node": node,
            "roots": roots,
            "children": children.order_by("path") if node.kind not in ("compound", "building") else [],
            "month": month,
            "this_month": f"{timezone.localdate():%Y-%m}",
            "reports": selectors.report_list(fetched_by=request.user, node=node)[:36],
        },
    )


@role_required(is_overseer)
@require_POST
def report_generate_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    node_id, month = request.POST.get("node", ""), request.POST.get("month", "")
    back = reverse("reports:index")
    with service_call(request, success=_("The report is ready.")):
        node = services.report_node(actor=request.user, node_id=node_id)
        back = f"{back}?node={node.pk}"
        services.report_generate(actor=request.user, node=node, month=services.month_parse(month))
    return redirect(back)


@role_required(is_overseer)
def report_download(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    report = selectors.report_get(fetched_by=request.user, pk=pk)
    if report is None or kind not in CONTENT_TYPES:
        raise Http404
    content = services.report_file(report=report, kind=kind)
    filename = f"report-{report.node_id}-{report.month:%Y-%m}.{kind}"
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
