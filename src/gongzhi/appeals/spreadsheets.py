"""Appeals to Excel, for staff who report upwards in spreadsheets."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from gongzhi.appeals.models import Appeal
from gongzhi.appeals.selectors import appeal_list
from gongzhi.core.audit import audit_record
from gongzhi.core.excel import Column, write_workbook

APPEAL_COLUMNS = [
    Column("id", "编号"),
    Column("created_at", "提交时间"),
    Column("title", "标题"),
    Column("body", "详细描述"),
    Column("node", "地点"),
    Column("category", "类别"),
    Column("channel", "渠道"),
    Column("status", "状态"),
    Column("tier", "当前层级"),
    Column("handling_node", "承办单位"),
    Column("accept_due", "受理期限"),
    Column("resolve_due", "办结期限"),
    Column("resolved_at", "办结时间"),
    Column("resolved_tier", "办结层级"),
    Column("reply", "答复"),
    Column("rating", "评价"),
]


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def appeals_export(*, appeals: QuerySet[Appeal]) -> bytes:
    """Residents are not named in the export: an appeal list travels further than the register does."""

    def rows():
        for a in appeals.select_related("node", "handling_node", "category").iterator(chunk_size=2000):
            yield [
                a.pk,
                _time(a.created_at),
                a.title,
                a.body,
                a.node.name,
                a.category.name if a.category else "",
                a.get_channel_display(),
                a.get_status_display(),
                a.get_tier_display(),
                a.handling_node.name,
                _time(a.accept_due),
                _time(a.resolve_due),
                _time(a.resolved_at),
                a.get_resolved_tier_display() if a.resolved_tier else "",
                a.reply,
                a.get_rating_display() if a.rating else "",
            ]

    return write_workbook("诉求", APPEAL_COLUMNS, rows())


def appeals_export_for(*, actor: Any, reveal: bool = False) -> bytes:
    """Every appeal ``actor`` may see (the Excel list of the registry; numbers are never in it); like the
    web export, recorded in the audit log."""
    appeals = appeal_list(fetched_by=actor)
    audit_record(actor=actor, action="appeal.export", target=actor, rows=appeals.count())
    return appeals_export(appeals=appeals)
