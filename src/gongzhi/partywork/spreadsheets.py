"""The funds of a year as a workbook for audit: one sheet of budgets, one of expenses."""

from io import BytesIO

from openpyxl import Workbook

from gongzhi.accounts.models import User
from gongzhi.partywork import selectors


def funds_xlsx(*, fetched_by: User, year: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "预算"
    sheet.append(["支部", "年度", "星级", "基础经费", "星级奖励", "追加/拨款", "合计", "已支出", "余额"])
    budgets = selectors.budgets(fetched_by=fetched_by, year=year)
    for b in budgets:
        sheet.append(
            [
                b.branch.name,
                b.year,
                b.stars or 0,
                b.base,
                b.star_amount,
                b.grants,
                b.total,
                b.spent,
                b.balance,
            ]
        )
    spending = book.create_sheet("支出")
    spending.append(["支部", "日期", "金额", "类别", "用途", "关联", "状态", "录入人", "审批人"])
    rows = (
        selectors.expenses(fetched_by=fetched_by)
        .filter(budget__year=year)
        .select_related("entered_by", "approved_by")
    )
    for e in rows:
        spending.append(
            [
                e.branch.name,
                e.spent_on.isoformat(),
                e.amount,
                e.get_category_display(),
                e.purpose,
                e.linked_to,
                e.get_status_display(),
                str(e.entered_by),
                str(e.approved_by or ""),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
