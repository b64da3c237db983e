"""Evidence from the platform: the figure an item is measured by, for the branch's place and the round's year,
read through the other apps' KPI providers (so this app imports none of them) and this app's own ledgers."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gongzhi.core.registry import kpi_providers
from gongzhi.partywork.models import (
    Attendance,
    BranchMeeting,
    BranchRating,
    Expense,
    ItemSource,
    MemberPointsEntry,
)

CENT = Decimal("0.01")


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)


def _kpi(app: str, *, fetched_by: Any, node: Any, year: int) -> dict[str, Any] | None:
    provider = kpi_providers().get(app)
    if provider is None:
        return None
    start, end = _year_bounds(year)
    return provider(fetched_by=fetched_by, node=node, start=start, end=end)["total"]


def measure(source: str, *, fetched_by: Any, rating: BranchRating) -> tuple[Decimal | None, str]:
    """(figure, where it comes from) for an item measured automatically; (None, "") for uploaded evidence."""
    return measure_for(
        source, fetched_by=fetched_by, branch=rating.branch, node=rating.node, year=rating.round.year
    )


def measure_for(
    source: str, *, fetched_by: Any, branch: Any, node: Any, year: int
) -> tuple[Decimal | None, str]:
    """The figure of ``source`` for a branch at its place in a year (a rating's item, a strong branch's
    target)."""
    if source in (ItemSource.APPEAL_CONTAINMENT, ItemSource.APPEAL_SATISFACTION):
        total = _kpi("appeals", fetched_by=fetched_by, node=node, year=year)
        if total is None:
            return None, ""
        if source == ItemSource.APPEAL_CONTAINMENT:
            shares = total.get("containment") or {}
            share = (shares.get("compound") or 0) + (shares.get("community") or 0)
            figure = (
                Decimal(str(share * 100)).quantize(CENT, ROUND_HALF_UP) if total.get("resolved") else None
            )
            return figure, _(
                "Appeals of %(place)s in %(year)s: %(n)s resolved, %% within compound or community"
            ) % {"place": node.name, "year": year, "n": total.get("resolved", 0)}
        rate = total.get("satisfaction_rate")
        figure = None if rate is None else Decimal(str(rate * 100)).quantize(CENT, ROUND_HALF_UP)
        return figure, _("Appeals of %(place)s in %(year)s: %(n)s rated, %% satisfied") % {
            "place": node.name,
            "year": year,
            "n": total.get("rated", 0),
        }
    if source in (ItemSource.VOLUNTEER_HOURS, ItemSource.VOLUNTEER_SERVICES):
        total = _kpi("volunteering", fetched_by=fetched_by, node=node, year=year)
        if total is None:
            return None, ""
        if source == ItemSource.VOLUNTEER_HOURS:
            hours = Decimal(str(total.get("hours") or 0)).quantize(CENT)
            return hours, _("Confirmed volunteer hours at %(place)s in %(year)s") % {
                "place": node.name,
                "year": year,
            }
        return Decimal(total.get("services") or 0), _(
            "Confirmed volunteer services at %(place)s in %(year)s"
        ) % {"place": node.name, "year": year}
    if source in (ItemSource.MEETINGS_HELD, ItemSource.MINUTES_PUBLISHED):
        return _meetings(source, branch=branch, year=year)
    members = branch.memberships.filter(person__user__isnull=False).values("person__user_id")
    if source == ItemSource.TRAINING_HOURS:
        # unscoped: the study ledger of the branch's members, for a rating fetched in scope
        minutes = (
            # unscoped: the study ledger of the branch's members, for a rating fetched in scope
            Attendance.objects.filter(user_id__in=members, year=year).aggregate(m=Sum("minutes"))["m"] or 0
        )
        return (Decimal(minutes) / 60).quantize(CENT, ROUND_HALF_UP), _(
            "Study hours of the branch's members in %(year)s (training)"
        ) % {"year": year}
    if source == ItemSource.MEMBER_POINTS:
        # unscoped: the approved points of the branch's members, for a rating fetched in scope
        row = MemberPointsEntry.objects.filter(
            membership__party_org_id=branch.pk, month__year=year, status="approved"
        ).aggregate(points=Sum("points"), members=Count("membership", distinct=True))
        if not row["members"]:
            return Decimal(0), _("Members' approved points in %(year)s: none recorded") % {"year": year}
        average = (Decimal(row["points"] or 0) / row["members"]).quantize(CENT, ROUND_HALF_UP)
        return average, _("Average approved points per member in %(year)s (member points)") % {"year": year}
    if source == ItemSource.FUNDS_PUBLISHED:
        # unscoped: the branch's own spending, for a rating fetched in scope
        rows = Expense.objects.filter(branch_id=branch.pk, budget__year=year).exclude(status="rejected")
        row = rows.aggregate(n=Count("pk"), published=Count("pk", filter=Q(status="published")))
        share = Decimal(row["published"] * 100 / row["n"]).quantize(CENT, ROUND_HALF_UP) if row["n"] else None
        return share, _("Share of the branch's %(year)s expenses published on the notice board") % {
            "year": year
        }
    return None, ""


def _meetings(source: str, *, branch: Any, year: int) -> tuple[Decimal | None, str]:
    """The branch's organisational life in the year (三会一课, study days): meetings held, or the share of
    them whose minutes were added (no meetings: no share to give)."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    # unscoped: the branch's own meetings, for a rating or a strong branch fetched in scope
    row = BranchMeeting.objects.filter(branch_id=branch.pk, held_on__range=(start, end)).aggregate(
        n=Count("pk"), with_minutes=Count("pk", filter=~Q(minutes=""))
    )
    if source == ItemSource.MEETINGS_HELD:
        return Decimal(row["n"]), _("Meetings the branch held in %(year)s (三会一课, study days)") % {
            "year": year
        }
    share = (
        (Decimal(row["with_minutes"] * 100) / row["n"]).quantize(CENT, ROUND_HALF_UP) if row["n"] else None
    )
    return share, _("Share of the branch's %(n)s meetings in %(year)s with their minutes published") % {
        "n": row["n"],
        "year": year,
    }


def suggested_points(
    measured: Decimal | None, *, max_points: Decimal, full_at: Decimal | None
) -> Decimal | None:
    """Points a measured figure earns: in proportion up to the figure that earns full points."""
    if measured is None or not full_at:
        return None
    return min(max_points, (measured / full_at * max_points)).quantize(CENT, ROUND_HALF_UP)
