"""Party-work figures for a subtree and period (the cockpit reads only these): branches rated, starred, five
stars and none (ratings of rounds in the period's years); budgets, spending and what was published; members'
approved points; study minutes credited."""

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import User
from gongzhi.core.kpis import kpi_result
from gongzhi.core.registry import MONEY, KpiFigure
from gongzhi.core.scoping import subtree_q
from gongzhi.orgs.models import Node
from gongzhi.partywork.models import Attendance, BranchRating, Budget, Expense, MemberPointsEntry


def partywork_kpis(
    *, fetched_by: User, node: Node, start: datetime, end: datetime, group_by: str | None = None
) -> dict[str, Any]:
    years = list(range(start.year, end.year + 1))
    ratings = BranchRating.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), round__year__in=years
    )
    result = kpi_result(
        fetched_by=fetched_by,
        node=node,
        start=start,
        end=end,
        rows=ratings,
        aggregates={
            "branches_rated": Count("pk", filter=Q(status__in=("final", "appealed"))),
            "starred": Count("pk", filter=Q(status__in=("final", "appealed"), stars__gte=1)),
            "five_star": Count("pk", filter=Q(status__in=("final", "appealed"), stars=5)),
            "no_star": Count("pk", filter=Q(status__in=("final", "appealed"), stars=0)),
            "in_progress": Count("pk", filter=~Q(status__in=("final", "appealed"))),
        },
        path_field="node__path",
        date_field="round__created_at",
        group_by=group_by if group_by == "node" else None,
    )
    budgets = Budget.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), year__in=years
    )
    money = budgets.aggregate(
        base=Sum("base"), stars=Sum("star_amount"), grants=Sum("grants"), spent=Sum("spent")
    )
    budget_total = sum((money[k] or 0 for k in ("base", "stars", "grants")), 0)
    spending = Expense.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), spent_on__gte=start.date(), spent_on__lt=end.date()
    )
    published = spending.aggregate(
        n=Count("pk", filter=~Q(status="rejected")), p=Count("pk", filter=Q(status="published"))
    )
    points = MemberPointsEntry.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), month__gte=start.date(), month__lt=end.date(), status="approved"
    )
    study = Attendance.objects.visible_to(fetched_by, "count").filter(
        subtree_q("node", [node.path]), year__in=years
    )
    result["total"].update(
        {
            "budget_yuan": str(budget_total),
            "spent_yuan": str(money["spent"] or 0),
            "expenses": published["n"],
            "expenses_published": published["p"],
            "member_points_approved": points.aggregate(p=Sum("points"))["p"] or 0,
            "study_minutes": study.aggregate(m=Sum("minutes"))["m"] or 0,
            "study_attendees": study.values("user_id").distinct().count(),
        }
    )
    return result


# The figures the provider returns (core.registry.KpiFigure): what the cockpit, the monthly reports and
# the action plans call them.
FIGURES: dict[str, KpiFigure] = {
    "branches_rated": KpiFigure(_("Branches rated")),
    "starred": KpiFigure(_("Branches with a star")),
    "five_star": KpiFigure(_("Five-star branches")),
    "no_star": KpiFigure(_("Branches without a star")),
    "in_progress": KpiFigure(_("Ratings under way")),
    "budget_yuan": KpiFigure(_("Party funds (yuan)"), MONEY),
    "spent_yuan": KpiFigure(_("Funds spent (yuan)"), MONEY),
    "expenses": KpiFigure(_("Expenses recorded")),
    "expenses_published": KpiFigure(_("Expenses made public")),
    "member_points_approved": KpiFigure(_("Member points approved")),
    "study_minutes": KpiFigure(_("Study minutes")),
    "study_attendees": KpiFigure(_("Members who studied")),
}
