"""Member points the platform can see for itself (党员积分 from the platform's own records), proposed for a
branch's members and a month by its secretary or staff, and counted only once someone else approves them:

- volunteer hours (rule source ``volunteer_hours``): the member's confirmed volunteering hours not yet
  credited, each whole hour once;
- 在职党员到小区报到 (source ``report_in``): for an in-service member, each volunteering service confirmed by its
  organiser at the compound the member lives in (their register entry's compound), one unit per service;
- 亮身份·开门一件事 (source ``open_door``): each micro-wish of a neighbour the member claimed and saw fulfilled,
  one unit per wish.

Each line names its source record (``source_ref``), so running again proposes only what is new, and a
rejected line may be proposed again. A rule's monthly cap holds as for lines entered by hand.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.orgs.models import NodeKind, PartyMembership, PartyOrg
from gongzhi.partywork import rules, services
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import EntryStatus, MemberPointsEntry, MemberPointsRule, PointsSource
from gongzhi.volunteering.models import Signup, SignupStatus
from gongzhi.wishes.models import Wish, WishStatus

AUTO_SOURCES = (PointsSource.VOLUNTEER_HOURS, PointsSource.REPORT_IN, PointsSource.OPEN_DOOR)


@dataclass
class AutoResult:
    proposed: int = 0  # lines proposed now
    already: int = 0  # found again: proposed or approved before
    capped: int = 0  # left out by a rule's monthly cap
    missing_rules: list[str] = field(default_factory=list)  # sources the subdistrict has no rule for


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    end = datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=zone)
    return start, end


def _home_compound_path(membership: PartyMembership) -> str | None:
    home = membership.person.node
    if home.kind == NodeKind.BUILDING:
        home = home.get_parent()
    return home.path if home is not None and home.kind == NodeKind.COMPOUND else None


def _propose(result: AutoResult, **kwargs: Any) -> None:
    # The member's line for this record, proposed before (a rule's cap is only for new lines).
    # unscoped: read for a proposal whose right was checked by the caller
    before = MemberPointsEntry.objects.filter(
        membership=kwargs["membership"], rule=kwargs["rule"], source_ref=kwargs["source_ref"]
    )
    if before.exclude(status=EntryStatus.REJECTED).exists():
        result.already += 1
        return
    try:
        services.points_propose(**kwargs)
    except PartyError as error:
        if error.code == "duplicate":
            result.already += 1
        elif error.code == "cap_reached":
            result.capped += 1
        else:
            raise
    else:
        result.proposed += 1


def points_auto(*, actor: User, branch: PartyOrg, month: date) -> AutoResult:
    """Propose the month's points the platform can see for every member of ``branch`` with an account."""
    placed = services._Placed(branch.node, branch.pk)
    if not (rules.is_branch_secretary.test(actor, placed) or rules.manages.test(actor, placed)):
        raise PartyError.forbidden()
    month = month.replace(day=1)
    start, end = _month_bounds(month)
    subdistrict = services.subdistrict_of(branch.node)
    # unscoped: the subdistrict's points rules, read for a proposal whose right was checked above
    found = MemberPointsRule.objects.filter(node=subdistrict, source__in=AUTO_SOURCES)
    by_source = {r.source: r for r in found}
    result = AutoResult(missing_rules=[s for s in AUTO_SOURCES if s not in by_source])
    members = (
        # unscoped: the branch's members, for a proposal whose right was checked above
        PartyMembership.objects.filter(party_org=branch, person__user__isnull=False)
        .select_related("person__user", "person__node", "party_org__node")
        .order_by("pk")
    )
    for membership in members:
        user = membership.person.user
        services_done = (
            # unscoped: the member's own volunteering services confirmed by their organisers
            Signup.objects.filter(
                user=user, status=SignupStatus.CONFIRMED, confirmed_at__isnull=False, hours__gt=0
            )
        )
        rule = by_source.get(PointsSource.VOLUNTEER_HOURS)
        if rule is not None:
            hours = services_done.aggregate(h=Sum("hours"))["h"] or Decimal(0)
            try:
                if services.points_from_volunteering(
                    actor=actor, membership=membership, month=month, hours=hours
                ):
                    result.proposed += 1
            except PartyError as error:
                if error.code != "cap_reached":
                    raise
                result.capped += 1
        rule = by_source.get(PointsSource.REPORT_IN)
        home = _home_compound_path(membership)
        if rule is not None and membership.in_service and home is not None:
            rows = services_done.filter(
                activity__node__path__startswith=home,
                activity__starts_at__gte=start,
                activity__starts_at__lt=end,
            ).select_related("activity")
            for signup in rows.order_by("activity__starts_at", "pk"):
                _propose(
                    result,
                    actor=actor,
                    membership=membership,
                    rule=rule,
                    month=month,
                    note=_("Served where I live: %(title)s") % {"title": signup.activity.title[:150]},
                    source_ref=f"signup:{signup.pk}",
                )
        rule = by_source.get(PointsSource.OPEN_DOOR)
        if rule is not None:
            # unscoped: the wishes the member claimed themselves, fulfilled in the month
            wishes = Wish.objects.filter(
                claimant=user,
                status__in=[WishStatus.FULFILLED, WishStatus.THANKED],
                fulfilled_at__gte=start,
                fulfilled_at__lt=end,
            )
            for wish in wishes.order_by("fulfilled_at", "pk"):
                _propose(
                    result,
                    actor=actor,
                    membership=membership,
                    rule=rule,
                    month=month,
                    note=_("A neighbour's wish fulfilled: %(title)s") % {"title": wish.title[:150]},
                    source_ref=f"wish:{wish.pk}",
                )
    return result
