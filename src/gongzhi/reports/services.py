"""Making a monthly report: check who asks and for what, count the figures, write the PDF and the workbook,
record the report (replacing an earlier one of the same node and month) and audit it. Bad input or a node
outside the actor's reach is refused before anything is counted or stored."""

import os
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.audit import audit_record
from gongzhi.core.roles import OVERSIGHT_ROLES
from gongzhi.core.rules import is_overseer
from gongzhi.core.scoping import reach_paths
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.reports.errors import ReportError
from gongzhi.reports.figures import add_months, month_figures
from gongzhi.reports.models import MonthlyReport
from gongzhi.reports.pdf import report_pdf
from gongzhi.reports.workbook import report_workbook

MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
FIRST_YEAR = 2000
# The levels the monthly task makes reports for; compounds' reports are made on request.
MONTHLY_KINDS = (NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY)


def month_parse(text: Any) -> date:
    """``YYYY-MM`` of a month that has begun (2000 onwards), as its first day; else a 422 naming the field."""
    found = MONTH.fullmatch(str(text or "").strip())
    if found is None:
        raise ReportError.invalid(_("Give the month as YYYY-MM, e.g. 2026-11."), field="month")
    year, month = int(found[1]), int(found[2])
    this_month = timezone.localdate().replace(day=1)
    if not 1 <= month <= 12:
        raise ReportError.invalid(_("A month is numbered 01 to 12."), field="month")
    if year < FIRST_YEAR or date(year, month, 1) > this_month:
        raise ReportError.invalid(
            _("Choose a month from %(first)s to this month.") % {"first": f"{FIRST_YEAR}-01"}, field="month"
        )
    return date(year, month, 1)


def may_report(user: Any, node: Node) -> bool:
    """Whether ``user`` may have reports of ``node``: an oversight role bound at it or above it."""
    if user.is_superuser:
        return True
    return any(node.path.startswith(path) for path in reach_paths(user, OVERSIGHT_ROLES))


def report_node(*, actor: Any, node_id: Any) -> Node:
    """The node a report is asked for, if ``actor`` may have its reports; else a 404 that says so."""
    if not is_overseer.test(actor):
        raise ReportError.forbidden(_("Monthly reports are for community, subdistrict and district staff."))
    try:
        pk = int(str(node_id))
    except ValueError:
        pk = 0
    # unscoped: one node by id, then checked against the actor's oversight reach below
    node = Node.objects.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if node is None or not may_report(actor, node):
        raise ReportError.not_found(_("This area is not within your reach."))
    return node


def _system_reader() -> Any:
    """Whom the monthly task counts as: it counts everything; each stored report is then shown only to
    those whose reach holds its node."""
    return get_user_model()(username="monthly-reports", is_superuser=True, is_active=True)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=path.suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)  # a reader sees the old file or the new one, never half of one


def report_generate(*, actor: Any, node: Node, month: date) -> MonthlyReport:
    """Make (or make again) the report of ``node`` for ``month``; ``actor`` None is the monthly task."""
    if actor is not None and not (is_overseer.test(actor) and may_report(actor, node)):
        raise ReportError.not_found(_("This area is not within your reach."))
    if month.replace(day=1) > timezone.localdate().replace(day=1):
        raise ReportError.invalid(_("This month has not begun yet."), field="month")
    month = month.replace(day=1)
    now = timezone.now()
    figures = month_figures(fetched_by=actor or _system_reader(), node=node, month=month)
    pdf = report_pdf(figures, generated_at=now)
    xlsx = report_workbook(figures)
    with transaction.atomic():
        # unscoped: the one report of this node and month, whose node the actor was checked for above
        report, _created = MonthlyReport.objects.update_or_create(
            node=node,
            month=month,
            defaults={
                "generated_at": now,
                "generated_by": actor,
                "pdf_size": len(pdf),
                "xlsx_size": len(xlsx),
            },
        )
        _write(report.file_path("pdf"), pdf)
        _write(report.file_path("xlsx"), xlsx)
        audit_record(actor=actor, action="report.generate", target=report, node=node, month=f"{month:%Y-%m}")
    return report


def reports_monthly_generate(*, today: date | None = None) -> int:
    """The monthly task: last month's report of every district, subdistrict and community that has none
    yet (run daily, so a missed day is made up). Returns how many it made."""
    last_month = add_months((today or timezone.localdate()).replace(day=1), -1)
    # unscoped: the system reports on every area of these levels
    nodes = Node.objects.filter(kind__in=MONTHLY_KINDS).exclude(
        pk__in=MonthlyReport.objects.filter(month=last_month).values("node_id")  # unscoped: same
    )
    made = 0
    for node in nodes.order_by("path"):
        report_generate(actor=None, node=node, month=last_month)
        made += 1
    return made


def report_file(*, report: MonthlyReport, kind: str) -> bytes:
    """The stored file of a report the caller has already found in the user's reach."""
    if kind not in ("pdf", "xlsx"):
        raise ReportError.not_found()
    try:
        return report.file_path(kind).read_bytes()
    except FileNotFoundError:
        raise ReportError.not_found(_("The file of this report is missing; generate it again.")) from None
