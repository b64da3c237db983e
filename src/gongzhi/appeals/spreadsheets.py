"""Appeals to Excel, for staff who report upwards in spreadsheets."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.rules import may_reveal
from gongzhi.appeals.contact import filer_phone
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal
from gongzhi.appeals.selectors import appeal_contact, appeal_list
from gongzhi.core.audit import audit_record
from gongzhi.core.excel import Column, write_workbook
from gongzhi.core.pii import mask_phone

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
    Column("assignee", "承办方"),
    Column("reply", "答复"),
    Column("rating", "评价"),
]
CONTACT_COLUMNS = [Column("filer", "反映人"), Column("phone", "联系电话")]


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _assignee(a: Appeal) -> str:
    return str(a.assignee_unit or a.assignee_team or a.assignee_user or "")


def appeals_export(*, appeals: QuerySet[Appeal], contact: bool = False, reveal: bool = False) -> bytes:
    """By default residents are not named: an appeal list travels further than the register does. With
    ``contact`` the filer's name and masked phone are added; with ``reveal`` the full number (the callers
    check who may and write the audit record)."""
    related = ["node", "handling_node", "category", "assignee_unit", "assignee_team", "assignee_user"]
    if contact:
        related += ["resident", "submitted_by"]

    def rows():
        for a in appeals.select_related(*related).iterator(chunk_size=2000):
            extra = []
            if contact:
                who = appeal_contact(a)
                phone = filer_phone(a)
                extra = [who["name"], phone if reveal else (mask_phone(phone) if phone else "")]
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
                _assignee(a),
                a.reply,
                a.get_rating_display() if a.rating else "",
                *extra,
            ]

    return write_workbook("诉求", APPEAL_COLUMNS + (CONTACT_COLUMNS if contact else []), rows())


def appeals_export_with(*, actor: Any, appeals: QuerySet[Appeal], contact: bool, reveal: bool) -> bytes:
    """Export ``appeals`` (already scoped), recorded in the audit log; full numbers only for staff who may
    reveal them."""
    if reveal and not may_reveal.test(actor):
        raise AppealError.forbidden(_("You cannot see residents' full phone numbers."))
    action = "appeal.export.reveal" if reveal else ("appeal.export.contact" if contact else "appeal.export")
    audit_record(actor=actor, action=action, target=actor, rows=appeals.count())
    return appeals_export(appeals=appeals, contact=contact, reveal=reveal)


def appeals_export_for(*, actor: Any, reveal: bool = False) -> bytes:
    """Every appeal ``actor`` may see (the Excel list of the registry; numbers are never in it); like the
    web export, recorded in the audit log."""
    appeals = appeal_list(fetched_by=actor)
    audit_record(actor=actor, action="appeal.export", target=actor, rows=appeals.count())
    return appeals_export(appeals=appeals)
