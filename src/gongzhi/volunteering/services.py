"""Every write about teams, activities, sign-ups and attendance."""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.errors import ServiceError
from gongzhi.core.geo import distance_m
from gongzhi.core.scoping import staff_over
from gongzhi.ledger.earning import earning_policy, points_for_hours, service_points_post
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.volunteering import checkin
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    Attendance,
    MemberRole,
    PartyMemberReport,
    Roster,
    Signup,
    SignupStatus,
    Team,
    TeamKind,
    TeamMember,
)
from gongzhi.volunteering.rules import (
    is_party_member,
    may_manage_team,
    may_organise,
    service_role,
)

CHECK_IN_EARLY = timedelta(minutes=30)  # check-in opens this long before the start
LATE_AFTER = timedelta(minutes=10)  # arriving later than this after the start is "late"
CHECK_OUT_GRACE = timedelta(hours=2)  # check-out closes this long after the end


class VolunteeringError(ServiceError):
    pass


# --------------------------------------------------------------------------------------------- teams


def team_create(
    *, actor: User, node: Node, name: str, kind: str = TeamKind.VOLUNTEERS, description: str = ""
) -> Team:
    if not staff_over(actor, node):
        raise VolunteeringError("forbidden", _("You cannot set up a team here."))
    name = (name or "").strip()
    if not name or kind not in TeamKind.values:
        raise VolunteeringError("invalid", _("Give the team a name and a kind."))
    try:
        with transaction.atomic():
            return Team.objects.create(
                node=node, name=name[:80], kind=kind, description=(description or "")[:1000]
            )
    except IntegrityError:
        raise VolunteeringError("invalid", _("A team of this name already serves here.")) from None


def team_member_add(*, actor: User, team: Team, user: User, role: str = MemberRole.MEMBER) -> TeamMember:
    """Staff or a leader add someone; anyone may add themselves as a member (join)."""
    joining_self = actor.pk == user.pk and role == MemberRole.MEMBER
    if not joining_self and not may_manage_team(actor, team):
        raise VolunteeringError("forbidden", _("You cannot add members to this team."))
    if role not in MemberRole.values:
        raise VolunteeringError("invalid", _("Unknown role in a team."))
    member, created = TeamMember.objects.get_or_create(team=team, user=user, defaults={"role": role})
    if not created and member.role != role and may_manage_team(actor, team):
        TeamMember.objects.filter(pk=member.pk).update(role=role)
        member.role = role
    return member


# ---------------------------------------------------------------------------------------- activities


def _check_place(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise VolunteeringError("invalid", _("Give both latitude and longitude, or neither."))
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise VolunteeringError("invalid", _("This is not a place on Earth."))


def activity_create(
    *,
    actor: User,
    node: Node,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    team: Team | None = None,
    description: str = "",
    place: str = "",
    lat: float | None = None,
    lng: float | None = None,
    checkin_radius_m: int = 200,
    points_per_hour: int | None = None,
    roster: Roster | None = None,
) -> Activity:
    if not (
        staff_over(actor, node)
        or (team is not None and may_manage_team(actor, team) and node.path.startswith(team.node.path))
    ):
        raise VolunteeringError("forbidden", _("You cannot organise activities here."))
    title = (title or "").strip()
    if not title:
        raise VolunteeringError("invalid", _("Give the activity a title."))
    if ends_at <= starts_at or ends_at - starts_at > timedelta(hours=24):
        raise VolunteeringError("invalid", _("An activity ends after it starts, within a day."))
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise VolunteeringError("invalid", _("Places are a whole number from 1 to 10,000."))
    if not 10 <= checkin_radius_m <= 5000:
        raise VolunteeringError("invalid", _("The check-in radius is from 10 to 5,000 metres."))
    _check_place(lat, lng)
    return Activity.objects.create(
        node=node,
        team=team,
        roster=roster,
        organiser=actor,
        title=title[:80],
        description=(description or "")[:2000],
        place=(place or "")[:120],
        lat=lat,
        lng=lng,
        checkin_radius_m=checkin_radius_m,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        points_per_hour=points_per_hour,
    )


def activity_cancel(*, actor: User, activity: Activity, reason: str) -> Activity:
    if not may_organise(actor, activity):
        raise VolunteeringError("forbidden", _("You cannot change this activity."))
    if not (reason or "").strip():
        raise VolunteeringError("note_required", _("Say why the activity is cancelled."))
    with transaction.atomic():
        if not Activity.objects.filter(pk=activity.pk, status=ActivityStatus.OPEN).update(
            status=ActivityStatus.CANCELLED
        ):
            raise VolunteeringError("wrong_state", _("This activity is already cancelled."))
        people = list(
            User.objects.filter(
                signups__activity=activity,
                signups__status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED],
            )
        )
        _tell(
            people,
            "activity_cancelled",
            _("Cancelled: %(title)s") % {"title": activity.title},
            reason,
            activity,
        )
    activity.status = ActivityStatus.CANCELLED
    return activity


def roster_create(
    *,
    actor: User,
    team: Team,
    node: Node,
    title: str,
    start_time: time,
    end_time: time,
    weekdays: str = "1,2,3,4,5,6,7",
    capacity: int = 2,
    place: str = "",
) -> Roster:
    if not (
        staff_over(actor, node) or (may_manage_team(actor, team) and node.path.startswith(team.node.path))
    ):
        raise VolunteeringError("forbidden", _("You cannot set up a roster here."))
    days = [d.strip() for d in (weekdays or "").split(",") if d.strip()]
    if not days or any(d not in "1234567" or len(d) != 1 for d in days) or end_time <= start_time:
        raise VolunteeringError("invalid", _("Give weekdays 1–7 and a shift that ends after it starts."))
    if not isinstance(capacity, int) or not 1 <= capacity <= 1000:
        raise VolunteeringError("invalid", _("Places are a whole number from 1 to 1,000."))
    return Roster.objects.create(
        team=team,
        node=node,
        title=(title or "").strip()[:80] or team.name,
        place=(place or "")[:120],
        weekdays=",".join(sorted(set(days))),
        start_time=start_time,
        end_time=end_time,
        capacity=capacity,
    )


def roster_generate(*, actor: User, roster: Roster, start: date, days: int = 14) -> list[Activity]:
    """One shift (activity) per matching day from ``start``; running it again adds only missing shifts."""
    if not (staff_over(actor, roster.node) or may_manage_team(actor, roster.team)):
        raise VolunteeringError("forbidden", _("You cannot set up a roster here."))
    if not roster.is_active:
        raise VolunteeringError("wrong_state", _("This roster is paused."))
    if not isinstance(days, int) or not 1 <= days <= 92:
        raise VolunteeringError("invalid", _("Generate from 1 to 92 days at a time."))
    tz = timezone.get_current_timezone()
    made = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.isoweekday() not in roster.days():
            continue
        starts = datetime.combine(day, roster.start_time, tz)
        activity, created = Activity.objects.get_or_create(
            roster=roster,
            starts_at=starts,
            defaults={
                "node": roster.node,
                "team": roster.team,
                "organiser": actor,
                "title": roster.title,
                "place": roster.place,
                "ends_at": datetime.combine(day, roster.end_time, tz),
                "capacity": roster.capacity,
            },
        )
        if created:
            made.append(activity)
    return made


def roster_set_active(*, actor: User, roster: Roster, active: bool) -> Roster:
    """Pause a roster (no new shifts; shifts already made stay) or take it up again."""
    if not (staff_over(actor, roster.node) or may_manage_team(actor, roster.team)):
        raise VolunteeringError("forbidden", _("You cannot set up a roster here."))
    Roster.objects.filter(pk=roster.pk).update(is_active=bool(active))
    roster.is_active = bool(active)
    return roster


# ------------------------------------------------------------------------------------------ sign-ups


def signup_join(*, actor: User, activity: Activity, now: datetime | None = None) -> Signup:
    """Take a place, or a place on the waiting list when the activity is full. Joining again is a no-op."""
    now = now or timezone.now()
    if activity.status != ActivityStatus.OPEN or now >= activity.ends_at:
        raise VolunteeringError("wrong_state", _("This activity is closed."))
    if connection.vendor == "postgresql":
        # The same steps in one round trip (migration volunteering 0002): the activity's row is the hot
        # lock when many people scan its code at once.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT o_id, o_status, o_created FROM gongzhi_signup_join(%s, %s, %s)",
                [activity.pk, actor.pk, now],
            )
            signup_id, status, created = cursor.fetchone()
        if not created:
            return Signup.objects.get(pk=signup_id)
        signup = Signup(id=signup_id, activity=activity, user=actor, status=status, created_at=now)
        signup._state.adding, signup._state.db = False, connection.alias
        return signup
    with transaction.atomic():
        Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True).get()
        existing = Signup.objects.filter(activity=activity, user=actor).first()
        if existing is not None and existing.status != SignupStatus.CANCELLED:
            return existing
        taken = Signup.objects.filter(activity=activity, status=SignupStatus.CONFIRMED).count()
        status = SignupStatus.CONFIRMED if taken < activity.capacity else SignupStatus.WAITLISTED
        if existing is not None:
            Signup.objects.filter(pk=existing.pk).update(status=status, created_at=now)
            existing.status, existing.created_at = status, now
            return existing
        return Signup.objects.create(activity=activity, user=actor, status=status, created_at=now)


def signup_cancel(*, actor: User, signup: Signup, now: datetime | None = None) -> Signup:
    """Give up a place before the start; the first person waiting moves up and is told."""
    now = now or timezone.now()
    activity = signup.activity
    if actor.pk != signup.user_id and not may_organise(actor, activity):
        raise VolunteeringError("forbidden", _("You cannot do this."))
    if now >= activity.starts_at:
        raise VolunteeringError("wrong_state", _("The activity has started; ask the organiser for leave."))
    with transaction.atomic():
        Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True).get()
        was = Signup.objects.filter(pk=signup.pk).values_list("status", flat=True).get()
        if was == SignupStatus.CANCELLED:
            raise VolunteeringError("wrong_state", _("This sign-up is already cancelled."))
        Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.CANCELLED)
        if was == SignupStatus.CONFIRMED:
            waiting = (
                Signup.objects.filter(activity=activity, status=SignupStatus.WAITLISTED)
                .order_by("created_at", "id")
                .first()
            )
            if waiting is not None:
                Signup.objects.filter(pk=waiting.pk).update(status=SignupStatus.CONFIRMED)
                _tell(
                    [waiting.user],
                    "signup_promoted",
                    _("A place opened up for you: %(title)s") % {"title": activity.title},
                    activity.starts_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M"),
                    activity,
                )
    signup.status = SignupStatus.CANCELLED
    return signup


# ------------------------------------------------------------------------------- check-in and hours


def attendance_scan(
    *,
    actor: User,
    activity: Activity,
    token: str = "",
    lat: float | None = None,
    lng: float | None = None,
    now: datetime | None = None,
) -> Signup:
    """Check in (first scan) or out (a later scan) with the activity's rotating QR code or from within its
    radius. Someone without a place is taken as a walk-in while places remain."""
    now = now or timezone.now()
    if token:
        if not checkin.token_valid(activity.pk, token, now=now):
            raise VolunteeringError(
                "bad_code", _("This code has expired; scan the code on the screen again.")
            )
    elif lat is not None and lng is not None:
        _check_place(lat, lng)
        if activity.lat is None or activity.lng is None:
            raise VolunteeringError("bad_place", _("This activity takes check-in by code only."))
        if distance_m(activity.lat, activity.lng, lat, lng) > activity.checkin_radius_m:
            raise VolunteeringError(
                "too_far",
                _("You are not at the activity (more than %(m)d m away).") % {"m": activity.checkin_radius_m},
            )
    else:
        raise VolunteeringError("invalid", _("Scan the code, or share your location."))
    if activity.status != ActivityStatus.OPEN:
        raise VolunteeringError("wrong_state", _("This activity is cancelled."))
    if now < activity.starts_at - CHECK_IN_EARLY:
        raise VolunteeringError("too_early", _("Check-in opens 30 minutes before the start."))
    signup = Signup.objects.filter(activity=activity, user=actor).first()
    if signup is None or signup.status == SignupStatus.CANCELLED:
        signup = signup_join(actor=actor, activity=activity, now=now)
    if signup.status != SignupStatus.CONFIRMED:
        raise VolunteeringError("full", _("The activity is full; you are on the waiting list."))
    if signup.checked_in_at is None:
        if now > activity.ends_at:
            raise VolunteeringError("wrong_state", _("This activity has ended."))
        state = Attendance.LATE if now > activity.starts_at + LATE_AFTER else Attendance.PRESENT
        if not Signup.objects.filter(pk=signup.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, attendance=state
        ):
            raise VolunteeringError("conflict", _("You are already checked in."))
        signup.checked_in_at, signup.attendance = now, state
        return signup
    if signup.checked_out_at is not None:
        raise VolunteeringError("wrong_state", _("You have already checked out."))
    if now - signup.checked_in_at < timedelta(minutes=1):
        return signup  # a second scan straight after the first is the same check-in
    if now > activity.ends_at + CHECK_OUT_GRACE:
        raise VolunteeringError(
            "wrong_state", _("Check-out has closed; the organiser will confirm your hours.")
        )
    if not Signup.objects.filter(pk=signup.pk, checked_out_at__isnull=True, confirmed_at__isnull=True).update(
        checked_out_at=now
    ):
        raise VolunteeringError("conflict", _("You have already checked out."))
    signup.checked_out_at = now
    return signup


def measured_hours(signup: Signup) -> Decimal | None:
    """Check-out − check-in, in hours to two places (None until both are recorded)."""
    if signup.checked_in_at is None or signup.checked_out_at is None:
        return None
    seconds = (signup.checked_out_at - signup.checked_in_at).total_seconds()
    return min(Decimal(24), Decimal(seconds / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def attendance_mark(*, actor: User, signup: Signup, attendance: str) -> Signup:
    """The organiser records leave or absence (or presence for someone who could not scan)."""
    if not may_organise(actor, signup.activity):
        raise VolunteeringError("forbidden", _("You cannot do this."))
    if attendance not in (Attendance.PRESENT, Attendance.LATE, Attendance.LEAVE, Attendance.ABSENT):
        raise VolunteeringError("invalid", _("Unknown attendance state."))
    if signup.confirmed_at is not None:
        raise VolunteeringError("wrong_state", _("The hours are already confirmed."))
    Signup.objects.filter(pk=signup.pk, confirmed_at__isnull=True).update(attendance=attendance)
    signup.attendance = attendance
    return signup


def hours_confirm(*, actor: User, signup: Signup, hours: Decimal | None = None) -> Signup:
    """The organiser confirms the hours (the measured ones unless given) and the points are paid once."""
    activity = signup.activity
    if not may_organise(actor, activity):
        raise VolunteeringError("forbidden", _("You cannot do this."))
    if actor.pk == signup.user_id:
        raise VolunteeringError("forbidden", _("Someone else confirms your own hours."))
    if signup.status != SignupStatus.CONFIRMED:
        raise VolunteeringError("wrong_state", _("Only people with a place have hours."))
    if signup.attendance in (Attendance.LEAVE, Attendance.ABSENT):
        raise VolunteeringError("wrong_state", _("This person was not there."))
    if hours is None:
        hours = measured_hours(signup)
        if hours is None:
            raise VolunteeringError("invalid", _("No check-in and check-out: give the hours."))
    hours = Decimal(hours)
    if not Decimal(0) <= hours <= Decimal(24):
        raise VolunteeringError("invalid", _("Hours are from 0 to 24."))
    hours = hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    subdistrict = activity.node.ancestor_of_kind(NodeKind.SUBDISTRICT)
    if subdistrict is None:
        raise VolunteeringError("invalid", _("This activity is not in a subdistrict."))
    points = points_for_hours(
        policy=earning_policy(subdistrict),
        hours=hours,
        role=service_role(signup.user, activity),
        per_hour=activity.points_per_hour,
    )
    now = timezone.now()
    with transaction.atomic():
        changes: dict[str, Any] = {
            "hours": hours,
            "confirmed_by": actor,
            "confirmed_at": now,
            "points": points,
        }
        if not signup.attendance:
            changes["attendance"] = Attendance.PRESENT
        if not Signup.objects.filter(pk=signup.pk, confirmed_at__isnull=True).update(**changes):
            raise VolunteeringError("wrong_state", _("The hours are already confirmed."))
        service_points_post(
            key=f"service:{signup.pk}",
            subdistrict=subdistrict,
            user=signup.user,
            points=points,
            actor=actor,
            memo=f"{activity.title} {hours}h"[:200],
        )
    for field, value in changes.items():
        setattr(signup, field, value)
    return signup


# ------------------------------------------------------------------------------ party members' report


def party_report(
    *, actor: User, compound: Node, display_name: str, pledge: str, workplace: str = ""
) -> PartyMemberReport:
    """An in-service party member reports to the compound they live in; a new report replaces the old one."""
    if compound.kind != NodeKind.COMPOUND:
        raise VolunteeringError("invalid", _("Report to the compound you live in."))
    if not is_party_member(actor):
        raise VolunteeringError("forbidden", _("Only party members report to a compound."))
    display_name, pledge = (display_name or "").strip(), (pledge or "").strip()
    if not display_name or not pledge:
        raise VolunteeringError("invalid", _("Give the name to show and your pledge."))
    with transaction.atomic():
        PartyMemberReport.objects.filter(user=actor, is_active=True).update(is_active=False)
        return PartyMemberReport.objects.create(
            user=actor,
            node=compound,
            display_name=display_name[:40],
            workplace=(workplace or "").strip()[:120],
            pledge=pledge[:300],
        )


def _tell(people: list[User], kind: str, title: str, body: str, activity: Activity) -> None:
    from gongzhi.notifications.services import notify

    notify(
        recipients=people, kind=kind, title=title, body=body, link=f"/volunteering/activities/{activity.pk}/"
    )
