"""Rotation weeks (轮值周): the communities and co-operatives taking part take turns running a centre's week
of activities. The schedule is a fair round robin on the working-day calendar: weeks left out (holidays)
are skipped, and each week goes to the member with the fewest working days so far (ties: fewest weeks,
then the order given), so a member landing on a short holiday week is not short-changed. Swaps are asked
by one owner, agreed by the other and approved by the centre."""

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.accounts.models import User
from gongzhi.core.workdays import SHANGHAI, is_workday, workday_overrides
from gongzhi.core.workflow import Step, Transition, Workflow
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.venues import rules
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import Rotation, RotationSwap, RotationWeek, SwapEvent, SwapStatus, Venue

MAX_WEEKS = 106


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def schedule(
    members: list[int], starts_on: date, ends_on: date, excluded: set[date], overrides: dict | None = None
) -> list[tuple[date, int, int]]:
    """(Monday, member, working days) for every week from ``starts_on`` to ``ends_on`` not excluded and
    with at least one working day."""
    overrides = workday_overrides() if overrides is None else overrides
    done_days = dict.fromkeys(members, 0)
    done_weeks = dict.fromkeys(members, 0)
    order = {m: i for i, m in enumerate(members)}
    weeks = []
    week = monday(starts_on)
    while week <= ends_on:
        workdays = sum(is_workday(week + timedelta(days=d), overrides) for d in range(7))
        if week not in excluded and workdays:
            owner = min(members, key=lambda m: (done_days[m], done_weeks[m], order[m]))
            done_days[owner] += workdays
            done_weeks[owner] += 1
            weeks.append((week, owner, workdays))
        week += timedelta(days=7)
    return weeks


def rotation_create(
    *,
    actor: User,
    venue: Venue,
    name: str,
    starts_on: date,
    ends_on: date,
    members: list[Node],
    excluded_weeks: list[date] | None = None,
) -> Rotation:
    if not rules.runs_venue.test(actor, venue):
        raise VenueError.forbidden(_("Only the venue's staff can set up its rotation."))
    name = (name or "").strip()
    if not name or len(name) > 80 or "\x00" in name:
        raise VenueError.invalid(_("Give the rotation a name (at most 80 characters)."), field="name")
    if ends_on < starts_on or (ends_on - starts_on).days > 7 * MAX_WEEKS:
        raise VenueError.invalid(_("A rotation runs from 1 day to two years."), field="ends_on")
    if len(members) < 2 or len({m.pk for m in members}) != len(members):
        raise VenueError.invalid(
            _("Choose at least two different communities or co-operatives."), field="members"
        )
    subdistrict = venue.node.path[:8]
    if any(m.kind != NodeKind.COMMUNITY or not m.path.startswith(subdistrict) for m in members):
        raise VenueError.invalid(
            _("Members are communities or co-operatives of the venue's subdistrict."), field="members"
        )
    excluded = {monday(d) for d in (excluded_weeks or [])}
    weeks = schedule([m.pk for m in members], starts_on, ends_on, excluded)
    if not weeks:
        raise VenueError.invalid(_("No week is left to run."), field="excluded_weeks")
    with transaction.atomic():
        rotation = Rotation.objects.create(
            venue=venue,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            excluded_weeks=sorted(d.isoformat() for d in excluded),
            created_by=actor,
        )
        rotation.members.set(members)
        RotationWeek.objects.bulk_create(
            RotationWeek(rotation=rotation, week_of=week, owner_id=owner, workdays=days)
            for week, owner, days in weeks
        )
    return rotation


def week_plan(*, actor: User, week: RotationWeek, plan: str) -> RotationWeek:
    """The week's owner (or the centre) writes what it will run."""
    if not rules.week_owner_or_centre.test(actor, week):
        raise VenueError.forbidden(_("Only this week's owner or the centre can plan it."))
    plan = (plan or "").strip()
    if len(plan) > 2000 or "\x00" in plan:
        raise VenueError.invalid(_("At most 2,000 characters."), field="plan")
    # unscoped: an update of the row fetched in scope
    RotationWeek.objects.filter(pk=week.pk).update(plan=plan)
    week.plan = plan
    return week


def week_activity_link(
    *, actor: User, week: RotationWeek, activity: Any, unlink: bool = False
) -> RotationWeek:
    """The week's owner (or the centre) names a volunteering activity it runs that week in the venue's
    subdistrict (or takes it off the week)."""
    if not rules.week_owner_or_centre.test(actor, week):
        raise VenueError.forbidden(_("Only this week's owner or the centre can plan it."))
    if unlink:
        week.activities.remove(activity)
        return week
    day = timezone.localtime(activity.starts_at, SHANGHAI).date()
    if not week.week_of <= day < week.week_of + timedelta(days=7):
        raise VenueError.invalid(_("The activity is not in this week."), field="activity")
    if not activity.node.path.startswith(week.rotation.venue.node.path[: 2 * Node.steplen]):
        raise VenueError.invalid(_("The activity is not in the venue's subdistrict."), field="activity")
    week.activities.add(activity)
    return week


# --- swaps -------------------------------------------------------------------------------------------

S = SwapStatus


def _other_owner(user, swap) -> bool:
    return rules.owns_week.test(user, swap.other)


def _centre(user, swap) -> bool:
    return rules.runs_venue.test(user, swap.week)


def _either(user, swap) -> bool:
    return _other_owner(user, swap) or _centre(user, swap) or rules.owns_week.test(user, swap.week)


SWAP_TRANSITIONS = {
    t.name: t
    for t in [
        Transition("agree", {S.REQUESTED}, S.AGREED, allowed=_other_owner),
        Transition("approve", {S.AGREED}, S.APPROVED, allowed=_centre),
        Transition("refuse", {S.REQUESTED, S.AGREED}, S.REFUSED, allowed=_either),
    ]
}


class SwapWorkflow(Workflow):
    model = RotationSwap
    event_model = SwapEvent
    event_fk = "swap"
    error = VenueError
    transitions = SWAP_TRANSITIONS.values()
    actor_first = True
    note_length = 300
    wrong_state_message = gettext_lazy("This swap is no longer in a state that allows this.")

    def audit_node(self, obj):
        return obj.week.rotation.venue.node

    def lock(self, step: Step) -> None:
        if step.action == "approve":
            # unscoped: the two weeks of a swap fetched in scope, locked in id order
            pair = sorted([step.obj.week_id, step.obj.other_id])
            list(
                # unscoped: see the reason above (a read the service makes as the system)
                RotationWeek.objects.select_for_update().filter(pk__in=pair).order_by("pk")
            )  # unscoped: the two weeks of a swap fetched in scope, locked in id order

    def after_approve(self, step: Step) -> None:
        swap = step.obj
        # unscoped: the two weeks of a swap fetched in scope
        weeks = {w.pk: w for w in RotationWeek.objects.filter(pk__in=[swap.week_id, swap.other_id])}
        a, b = weeks[swap.week_id], weeks[swap.other_id]
        if a.owner_id == b.owner_id:
            raise VenueError.conflict("stale_swap", _("These weeks have the same owner now."))
        RotationWeek.objects.filter(pk=a.pk).update(owner_id=b.owner_id)  # unscoped: as above
        RotationWeek.objects.filter(pk=b.pk).update(owner_id=a.owner_id)  # unscoped: as above


SWAP_WORKFLOW = SwapWorkflow()


def swap_request(*, actor: User, week: RotationWeek, other: RotationWeek) -> RotationSwap:
    if not rules.owns_week.test(actor, week):
        raise VenueError.forbidden(_("Only this week's owner can offer it for a swap."))
    if other.rotation_id != week.rotation_id or other.pk == week.pk or other.owner_id == week.owner_id:
        raise VenueError.invalid(_("Choose another member's week of the same rotation."), field="other")
    # unscoped: an open swap of either week, read to refuse a second
    busy = RotationSwap.objects.filter(status__in=[S.REQUESTED, S.AGREED]).filter(
        week__in=[week, other]
    ) | RotationSwap.objects.filter(  # unscoped: an open swap of either week, read to refuse a second
        status__in=[S.REQUESTED, S.AGREED], other__in=[week, other]
    )  # unscoped: as above
    if busy.exists():
        raise VenueError.conflict("swap_open", _("One of these weeks already has a swap under way."))
    with transaction.atomic():
        swap = RotationSwap.objects.create(week=week, other=other, requested_by=actor)
        SwapEvent.objects.create(
            swap=swap, actor=actor, action="request", from_status="", to_status=swap.status
        )
    return swap


def swap_transition(*, actor: User, swap: RotationSwap, action: str, note: str = "") -> RotationSwap:
    result: RotationSwap = SWAP_WORKFLOW.apply(
        actor=actor, obj=swap, action=action, note=note.replace("\x00", "")
    )
    return result
