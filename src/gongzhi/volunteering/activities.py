"""Activities and duty rosters: organising one, cancelling it (everyone signed up is told), a recurring duty
turned into one shift a day."""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.rules import staff_at
from gongzhi.orgs.models import Node
from gongzhi.volunteering.errors import VolunteeringError
from gongzhi.volunteering.models import (
    MAX_ACTIVITY_LENGTH,
    Activity,
    ActivityStatus,
    Roster,
    SignupStatus,
    Team,
)
from gongzhi.volunteering.notices import tell
from gongzhi.volunteering.rules import may_manage_team, may_organise


def check_place(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise VolunteeringError.invalid(_("Give both latitude and longitude, or neither."))
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise VolunteeringError.invalid(_("This is not a place on Earth."))


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
    directions: str = "",
    bring: str = "",
    lat: float | None = None,
    lng: float | None = None,
    checkin_radius_m: int = 200,
    points_per_hour: int | None = None,
    roster: Roster | None = None,
) -> Activity:
    if not (
        staff_at.test(actor, node)
        or (team is not None and may_manage_team(actor, team) and node.path.startswith(team.node.path))
    ):
        raise VolunteeringError.forbidden(_("You cannot organise activities here."))
    title = (title or "").strip()
    if not title:
        raise VolunteeringError.invalid(_("Give the activity a title."))
    if ends_at <= starts_at or ends_at - starts_at > MAX_ACTIVITY_LENGTH:
        raise VolunteeringError.invalid(_("An activity ends after it starts, within a day."))
    if roster is None and ends_at <= timezone.now():
        raise VolunteeringError.invalid(_("This time is over: publish activities that are still to come."))
    if not isinstance(capacity, int) or not 1 <= capacity <= 10_000:
        raise VolunteeringError.invalid(_("Places are a whole number from 1 to 10,000."))
    if not 10 <= checkin_radius_m <= 5000:
        raise VolunteeringError.invalid(_("The check-in radius is from 10 to 5,000 metres."))
    check_place(lat, lng)
    return Activity.objects.create(
        node=node,
        team=team,
        roster=roster,
        organiser=actor,
        title=title[:80],
        description=(description or "")[:2000],
        place=(place or "")[:120],
        directions=(directions or "").strip()[:300],
        bring=(bring or "").strip()[:200],
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
        raise VolunteeringError.forbidden(_("You cannot change this activity."))
    if not (reason or "").strip():
        raise VolunteeringError("note_required", _("Say why the activity is cancelled."))
    if activity.ends_at <= timezone.now():
        raise VolunteeringError.wrong_state(_("This activity is over: it cannot be cancelled."))
    with transaction.atomic():
        # unscoped: compare-and-set on an activity fetched in scope
        if not Activity.objects.filter(pk=activity.pk, status=ActivityStatus.OPEN).update(
            status=ActivityStatus.CANCELLED
        ):
            raise VolunteeringError.wrong_state(_("This activity is already cancelled."))
        people = list(
            User.objects.filter(
                signups__activity=activity,
                signups__status__in=[SignupStatus.CONFIRMED, SignupStatus.WAITLISTED],
            )
        )
        tell(
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
        staff_at.test(actor, node) or (may_manage_team(actor, team) and node.path.startswith(team.node.path))
    ):
        raise VolunteeringError.forbidden(_("You cannot set up a roster here."))
    days = [d.strip() for d in (weekdays or "").split(",") if d.strip()]
    if not days or any(d not in "1234567" or len(d) != 1 for d in days):
        raise VolunteeringError.invalid(_("Tick the days of the week the duty is served."), field="weekdays")
    if end_time <= start_time:
        raise VolunteeringError.invalid(_("A shift ends after it starts."), field="end")
    if not isinstance(capacity, int) or not 1 <= capacity <= 1000:
        raise VolunteeringError.invalid(_("Places are a whole number from 1 to 1,000."))
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
    if not (staff_at.test(actor, roster.node) or may_manage_team(actor, roster.team)):
        raise VolunteeringError.forbidden(_("You cannot set up a roster here."))
    if not roster.is_active:
        raise VolunteeringError.wrong_state(_("This roster is paused."))
    if not isinstance(days, int) or not 1 <= days <= 92:
        raise VolunteeringError.invalid(_("Generate from 1 to 92 days at a time."))
    tz = timezone.get_current_timezone()
    made = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        if day.isoweekday() not in roster.days():
            continue
        starts = datetime.combine(day, roster.start_time, tz)
        # unscoped: shifts of a roster fetched in scope
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
    if not (staff_at.test(actor, roster.node) or may_manage_team(actor, roster.team)):
        raise VolunteeringError.forbidden(_("You cannot set up a roster here."))
    # unscoped: a roster fetched in scope; the change is checked above
    Roster.objects.filter(pk=roster.pk).update(is_active=bool(active))
    roster.is_active = bool(active)
    return roster
