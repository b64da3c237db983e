"""Reads of teams, activities, sign-ups and hours, scoped to the user asking."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.core.geo import distance_m
from gongzhi.core.pii import mask_name
from gongzhi.core.roles import CASEWORK_ROLES, NEIGHBOUR_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.ledger.earning import earning_policy, points_for_hours
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.orgs.picker import PlaceChoice, casework_choice
from gongzhi.volunteering.models import (
    MAX_ACTIVITY_LENGTH,
    Activity,
    ActivityStatus,
    MemberRole,
    PartyMemberReport,
    Roster,
    Signup,
    SignupStatus,
    Team,
    TeamMember,
)
from gongzhi.volunteering.rules import may_organise, service_role


def activities_upcoming(
    *, fetched_by: User, node: Node | None = None, now: datetime | None = None
) -> QuerySet[Activity]:
    """Open activities not yet over where the user belongs (or in their reach), soonest first, with the
    number of places taken."""
    now = now or timezone.now()
    # An activity lasts at most a day, so "not over yet" is also "began less than a day ago": with that
    # bound each place's (place, start) index yields only what is still to come, not the past.
    activities = Activity.objects.visible_to(fetched_by, "view").filter(
        status=ActivityStatus.OPEN, ends_at__gt=now, starts_at__gt=now - MAX_ACTIVITY_LENGTH
    )
    if node is not None:
        activities = activities.filter(node__path__startswith=node.path)
    return activities.select_related("node", "team").annotate(taken=_taken()).order_by("starts_at", "id")


def _taken() -> Coalesce:
    """Places taken: the activity's confirmed sign-ups, counted from the waiting-list index (no GROUP BY
    over the whole list)."""
    return Coalesce(
        Subquery(
            # unscoped: the sign-ups of activities already in scope
            Signup.objects.filter(activity=OuterRef("pk"), status=SignupStatus.CONFIRMED)
            .values("activity")
            .annotate(n=Count("id"))
            .values("n")
        ),
        0,
    )


def activity_get(*, fetched_by: User, pk: int) -> Activity:
    """An activity offered around the user, or one they signed up for elsewhere (a team member serving in
    a neighbouring compound still opens the activities listed under 我的报名)."""
    activity = (
        Activity.objects.visible_to(fetched_by, "view")
        .select_related("node", "team", "organiser")
        .annotate(taken=_taken())
        .filter(pk=pk)
        .first()
    )
    # unscoped: the user's own sign-up
    if activity is None and Signup.objects.filter(activity_id=pk, user_id=fetched_by.pk).exists():
        activity = (
            # unscoped: an activity the user signed up for (checked just above)
            Activity.objects.select_related("node", "team", "organiser")
            .annotate(taken=_taken())
            .filter(pk=pk)
            .first()
        )
    if activity is None:
        raise Http404
    return activity


def activity_signups(*, fetched_by: User, activity: Activity) -> QuerySet[Signup]:
    """The roster of one activity: for those who organise it (staff over its place, its organiser, a leader
    of its team); nobody else sees who signed up."""
    if not may_organise.test(fetched_by, activity):
        return Signup.objects.none()
    return (
        # unscoped: the roster of an activity the user may organise (checked just above)
        Signup.objects.filter(activity=activity)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("user")
        .order_by("status", "created_at", "id")
    )


def own_signup(*, fetched_by: User, activity: Activity) -> Signup | None:
    # unscoped: the user's own sign-up
    return Signup.objects.filter(activity=activity, user_id=fetched_by.pk).first()


def signup_get(*, fetched_by: User, pk: int) -> Signup:
    """A sign-up its person, the activity's organiser or team leader, or staff over the place may see."""
    signup = (
        Signup.objects.visible_to(fetched_by, "view")
        .select_related("activity", "activity__node", "activity__team", "user")
        .filter(pk=pk)
        .first()
    )
    if signup is None:
        raise Http404
    return signup


def own_signups(*, fetched_by: User) -> QuerySet[Signup]:
    return (
        # unscoped: the user's own sign-ups
        Signup.objects.filter(user_id=fetched_by.pk)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("activity", "activity__node")
        .order_by("-activity__starts_at")
    )


@dataclass(frozen=True)
class HoursTotal:
    services: int  # confirmed services (sign-ups with confirmed hours)
    hours: Decimal
    people: int


def _total(signups: QuerySet[Signup]) -> HoursTotal:
    row = signups.filter(confirmed_at__isnull=False).aggregate(
        n=Count("id"), h=Sum("hours"), p=Count("user_id", distinct=True)
    )
    return HoursTotal(services=row["n"] or 0, hours=row["h"] or Decimal(0), people=row["p"] or 0)


def hours_of_person(*, fetched_by: User) -> HoursTotal:
    # unscoped: the user's own sign-ups
    return _total(Signup.objects.filter(user_id=fetched_by.pk))


def hours_of_team(*, fetched_by: User, team: Team) -> HoursTotal:
    return _total(Signup.objects.visible_to(fetched_by, "count").filter(activity__team=team))


def hours_of_node(*, fetched_by: User, node: Node) -> HoursTotal:
    return _total(
        Signup.objects.visible_to(fetched_by, "count").filter(activity__node__path__startswith=node.path)
    )


def teams_visible(*, fetched_by: User) -> QuerySet[Team]:
    """Teams where the user belongs or in their reach, with members, services (activities with confirmed
    hours) and hours."""
    # unscoped: the services of teams already in scope
    confirmed = Signup.objects.filter(activity__team=OuterRef("pk"), confirmed_at__isnull=False).values(
        "activity__team"
    )
    return (
        Team.objects.visible_to(fetched_by, "view")
        .select_related("node")
        .annotate(
            member_count=Subquery(
                TeamMember.objects.filter(team=OuterRef("pk"))
                .values("team")
                .annotate(n=Count("id"))
                .values("n")
            ),
            services=Subquery(confirmed.annotate(n=Count("activity", distinct=True)).values("n")),
            hours=Subquery(confirmed.annotate(h=Sum("hours")).values("h")),
        )
        .order_by("node__path", "name")
    )


def team_get(*, fetched_by: User, pk: int) -> Team:
    team = Team.objects.visible_to(fetched_by, "view").select_related("node").filter(pk=pk).first()
    if team is None:
        raise Http404
    return team


def party_board(*, fetched_by: User, node: Node | None = None) -> QuerySet[PartyMemberReport]:
    """The in-service party members who reported where the user belongs, with their confirmed services."""
    reports = PartyMemberReport.objects.visible_to(fetched_by, "view").filter(is_active=True)
    if node is not None:
        reports = reports.filter(node__path__startswith=node.path)
    return reports.select_related("node").order_by("node__path", "-reported_at")


def services_by_user(user_ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """(confirmed services, hours) per user, for the party members' board (三亮: their actions)."""
    rows = (
        # unscoped: the services of people on a board already in scope
        Signup.objects.filter(user_id__in=user_ids, confirmed_at__isnull=False)
        .values("user_id")
        .annotate(n=Count("id"), h=Sum("hours"))
    )
    return {r["user_id"]: (r["n"], r["h"] or Decimal(0)) for r in rows}


def may_organise_somewhere(*, user: User) -> bool:
    """Whether to offer "organise an activity": staff anywhere, or a team leader (no node list needed)."""
    return (
        has_role(user, CASEWORK_ROLES)
        or TeamMember.objects.filter(user_id=user.pk, role=MemberRole.LEADER).exists()
    )


def runs_rosters(*, user: User) -> bool:
    """Whether to offer the rosters page: the user leads or manages a team, or runs a roster."""
    return teams_led_or_managed(fetched_by=user).exists() or rosters_managed(fetched_by=user).exists()


def teams_led_or_managed(*, fetched_by: User) -> QuerySet[Team]:
    """Teams the user leads, or manages as staff."""
    managed = Team.objects.visible_to(fetched_by, "manage")
    # unscoped: teams the user leads
    led = Team.objects.filter(members__user_id=fetched_by.pk, members__role=MemberRole.LEADER)
    return (managed | led).distinct().select_related("node").order_by("node__path", "name")


def rosters_managed(*, fetched_by: User, now: datetime | None = None) -> QuerySet[Roster]:
    """Recurring duties the user runs (as staff over the place, or for a team they lead or manage), with
    the number of shifts still to come and the next one."""
    now = now or timezone.now()
    teams = teams_led_or_managed(fetched_by=fetched_by).values("pk")
    staff = Roster.objects.visible_to(fetched_by, "manage").values("pk")
    return (
        # unscoped: rosters of teams and places in the user's reach (the two subqueries)
        Roster.objects.filter(Q(team__in=teams) | Q(pk__in=staff))
        .select_related("team", "node")
        .annotate(
            upcoming=Count("shifts", filter=Q(shifts__starts_at__gte=now)),
            next_shift=Min("shifts__starts_at", filter=Q(shifts__starts_at__gte=now)),
        )
        .order_by("-is_active", "node__path", "start_time", "id")
    )


def roster_get(*, fetched_by: User, pk: int) -> Roster:
    roster = rosters_managed(fetched_by=fetched_by).filter(pk=pk).first()
    if roster is None:
        raise Http404
    return roster


# --------------------------------------------------------------------------------------------------------
# "Activities near me": one-off activities one by one, a duty roster's daily shifts as one entry.

WHEN_DAYS = {"today": 1, "week": 7, "month": 30}
NEAR_METRES = {"1km": 1000, "3km": 3000}
SHIFTS_SHOWN = 3  # free shifts offered under a duty's entry


@dataclass
class DutyEntry:
    roster: Roster
    weekdays: list[int]
    shifts: list[Activity]  # the next shifts with a free place (at most SHIFTS_SHOWN)
    upcoming: int  # shifts still to begin in the period shown
    next_shift: Activity  # the very next one, full or not
    full_before: int  # shifts before the first free one, all full


@dataclass
class ActivityBoard:
    activities: list[Activity]
    duties: list[DutyEntry]
    home: Node | None  # where distances are measured from (the user's compound), if known


def home_place(*, user: User) -> Node | None:
    """The place a resident, volunteer or party member lives (the deepest with a map position)."""
    bindings = (
        # unscoped: the user's own role bindings
        RoleBinding.objects.filter(user_id=user.pk, role__in=NEIGHBOUR_ROLES)
        .select_related("node")
        .order_by("-node__depth")
    )
    for binding in bindings:
        node = binding.node
        if node.lat is not None:
            return node
        parent = node.get_parent()
        if parent is not None and parent.lat is not None:
            return parent
    return None


def _position(activity: Activity) -> tuple[float, float] | None:
    node = activity.node
    return (node.lat, node.lng) if node.lat is not None and node.lng is not None else None


def activity_board(
    *,
    fetched_by: User,
    when: str = "",
    kind: str = "",
    near: str = "",
    now: datetime | None = None,
    limit: int = 100,
) -> ActivityBoard:
    """What the volunteering page lists: one-off activities soonest first, and each duty roster once with
    its next free shifts; filtered by period (today, a week, a month), kind (activities, duties) and
    distance from home."""
    now = now or timezone.now()
    upcoming = activities_upcoming(fetched_by=fetched_by, now=now)
    if when in WHEN_DAYS:
        end = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        upcoming = upcoming.filter(starts_at__lt=end + timedelta(days=WHEN_DAYS[when]))
    home = home_place(user=fetched_by)
    radius = NEAR_METRES.get(near) if home is not None else None

    def close(activity: Activity) -> bool:
        if radius is None:
            return True
        where = _position(activity)
        return where is not None and distance_m(home.lat, home.lng, *where) <= radius  # type: ignore[union-attr]

    one_off: list[Activity] = []
    if kind != "duty":
        one_off = [a for a in upcoming.filter(roster__isnull=True)[: limit * 3] if close(a)][:limit]
    duties: list[DutyEntry] = []
    if kind != "activity":
        by_roster: dict[int, list[Activity]] = {}
        for shift in upcoming.filter(roster__isnull=False).select_related("roster")[:2000]:
            by_roster.setdefault(shift.roster_id, []).append(shift)  # type: ignore[arg-type]
        for shifts in by_roster.values():
            # A shift under way is no longer offered; the entry is about the shifts still to begin.
            shifts = [s for s in shifts if s.starts_at > now]
            if not shifts or not close(shifts[0]):
                continue
            free = [s for s in shifts if s.taken < s.capacity][:SHIFTS_SHOWN]  # type: ignore[attr-defined]
            roster = shifts[0].roster
            assert roster is not None  # shifts of a roster (filtered above)
            full = shifts.index(free[0]) if free else len(shifts)
            duties.append(DutyEntry(roster, sorted(roster.days()), free, len(shifts), shifts[0], full))
        duties.sort(key=lambda d: (d.next_shift.starts_at, d.roster.pk))
    return ActivityBoard(one_off, duties[:limit], home)


def masked_name(name: str) -> str:
    """A neighbour's name as other residents see it: the family name and one star (张*), hiding the length."""
    return mask_name(name, stars=1) or "*"


def others_going(*, fetched_by: User, activity: Activity, limit: int = 30) -> list[str]:
    """Who else has a place: masked names, the viewer left out (their own place is shown apart)."""
    rows = (
        # unscoped: first names of those with a place in an activity the viewer may see, masked below
        Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED)
        .exclude(user_id=fetched_by.pk)
        .order_by("created_at", "id")
        .values_list("user__display_name", "user__username")[:limit]
    )
    return [masked_name(display or username) for display, username in rows]


@dataclass(frozen=True)
class Earning:
    points: int
    per_hour: int
    hours: Decimal
    multiplier: Decimal  # the viewer's role's (a team leader's 1.5, say)
    role: str


def activity_earning(*, fetched_by: User, activity: Activity) -> Earning | None:
    """The points the viewer would earn for the whole activity under the subdistrict's rule."""
    subdistrict = activity.node.ancestor_of_kind(NodeKind.SUBDISTRICT)
    if subdistrict is None:
        return None
    policy = earning_policy(subdistrict)
    hours = Decimal((activity.ends_at - activity.starts_at).total_seconds() / 3600).quantize(Decimal("0.01"))
    per_hour = activity.points_per_hour if activity.points_per_hour is not None else policy.points_per_hour
    role = service_role(fetched_by, activity)
    points = points_for_hours(policy=policy, hours=hours, role=role, per_hour=per_hour)
    multiplier = Decimal(str(policy.multipliers.get(role, 1.0)))
    return Earning(points=points, per_hour=per_hour, hours=hours, multiplier=multiplier, role=role)


def organise_choice(user: User) -> PlaceChoice:
    """Where the user may organise activities and rosters (the place picker's "organise" purpose): as staff,
    or anywhere a team they lead serves."""
    led = TeamMember.objects.filter(user_id=user.pk, role=MemberRole.LEADER).values_list(
        "team__node__path", flat=True
    )
    return casework_choice(
        user, [NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND], also_under=list(led)
    )


def hours_to_confirm(*, fetched_by: User, now: datetime | None = None, days: int = 30) -> list[Activity]:
    """Activities the user runs (organises, or leads the team of) that began in the last ``days`` days and
    still have people with a place whose hours are not confirmed: the organiser's to-do."""
    now = now or timezone.now()
    led = TeamMember.objects.filter(user_id=fetched_by.pk, role=MemberRole.LEADER).values("team_id")
    pending = Q(
        signups__status=SignupStatus.CONFIRMED,
        signups__confirmed_at__isnull=True,
    ) & ~Q(signups__attendance__in=["leave", "absent"])
    return list(
        # unscoped: activities the user organises or whose team they lead
        Activity.objects.filter(Q(organiser_id=fetched_by.pk) | Q(team_id__in=led))
        .filter(status=ActivityStatus.OPEN, starts_at__lte=now, starts_at__gte=now - timedelta(days=days))
        .select_related("node")
        .annotate(unconfirmed=Count("signups", filter=pending))
        .filter(unconfirmed__gt=0)
        .order_by("-starts_at", "-id")[:20]
    )


def hours_by_month(*, fetched_by: User, months: int = 12) -> dict[str, object] | None:
    """Confirmed hours by month over the last ``months`` months, for the activities page's chart: those the
    user may count (staff and oversight); None for others (the page stays light on phones) and when none."""
    today = timezone.localdate()
    first = today.year * 12 + today.month - 1 - (months - 1)  # the first month shown, counted from year 0
    since = today.replace(year=first // 12, month=first % 12 + 1, day=1)
    counted = Signup.objects.visible_to(fetched_by, "count")
    rows = (
        counted.filter(confirmed_at__isnull=False, activity__starts_at__date__gte=since)
        .annotate(month=TruncMonth("activity__starts_at"))
        .values("month")
        .annotate(h=Sum("hours"))
        .order_by("month")
    )
    figures = [(row["month"], row["h"] or Decimal(0)) for row in rows]
    if not figures:
        return None
    return {
        "kind": "bar",
        "labels": [f"{month:%Y-%m}" for month, _h in figures],
        "series": [{"name": str(_("Hours served")), "values": [float(h) for _m, h in figures]}],
    }
