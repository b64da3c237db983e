"""Sign-ups with a waiting list, check-in and check-out (rotating QR code or location), attendance, and the
organiser's confirmation of hours, which pays the points once."""

# unscoped-module: sign-ups are the actor's own, or of an activity the caller fetched in scope and may organise; writes are compare-and-sets on them

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.geo import distance_m
from gongzhi.core.rules import is_viewer_only
from gongzhi.ledger.earning import earning_policy, points_for_hours, service_points_post
from gongzhi.orgs.models import NodeKind
from gongzhi.volunteering import checkin
from gongzhi.volunteering.activities import check_place
from gongzhi.volunteering.errors import VolunteeringError
from gongzhi.volunteering.models import Activity, ActivityStatus, Attendance, Signup, SignupStatus
from gongzhi.volunteering.notices import tell
from gongzhi.volunteering.rules import may_organise, service_role

CHECK_IN_EARLY = timedelta(minutes=30)  # check-in opens this long before the start
LATE_AFTER = timedelta(minutes=10)  # arriving later than this after the start is "late"
CHECK_OUT_GRACE = timedelta(hours=2)  # check-out closes this long after the end


def signup_join(*, actor: User, activity: Activity, now: datetime | None = None) -> Signup:
    """Take a place, or a place on the waiting list when the activity is full. Joining again is a no-op."""
    now = now or timezone.now()
    if is_viewer_only.test(actor):
        raise VolunteeringError.forbidden(_("An account that only looks at figures does not sign up."))
    if activity.status != ActivityStatus.OPEN or now >= activity.ends_at:
        raise VolunteeringError.wrong_state(_("This activity is closed."))
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
        raise VolunteeringError.forbidden(_("You cannot do this."))
    if now >= activity.starts_at:
        raise VolunteeringError.wrong_state(_("The activity has started; ask the organiser for leave."))
    with transaction.atomic():
        Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True).get()
        was = Signup.objects.filter(pk=signup.pk).values_list("status", flat=True).get()
        if was == SignupStatus.CANCELLED:
            raise VolunteeringError.wrong_state(_("This sign-up is already cancelled."))
        Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.CANCELLED)
        if was == SignupStatus.CONFIRMED:
            waiting = (
                Signup.objects.filter(activity=activity, status=SignupStatus.WAITLISTED)
                .order_by("created_at", "id")
                .first()
            )
            if waiting is not None:
                Signup.objects.filter(pk=waiting.pk).update(status=SignupStatus.CONFIRMED)
                tell(
                    [waiting.user],
                    "signup_promoted",
                    _("A place opened up for you: %(title)s") % {"title": activity.title},
                    activity.starts_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d %H:%M"),
                    activity,
                )
    signup.status = SignupStatus.CANCELLED
    return signup


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
        check_place(lat, lng)
        if activity.lat is None or activity.lng is None:
            raise VolunteeringError("bad_place", _("This activity takes check-in by code only."))
        if distance_m(activity.lat, activity.lng, lat, lng) > activity.checkin_radius_m:
            raise VolunteeringError(
                "too_far",
                _("You are not at the activity (more than %(m)d m away).") % {"m": activity.checkin_radius_m},
            )
    else:
        raise VolunteeringError.invalid(_("Scan the code, or share your location."))
    if activity.status != ActivityStatus.OPEN:
        raise VolunteeringError.wrong_state(_("This activity is cancelled."))
    if now < activity.starts_at - CHECK_IN_EARLY:
        raise VolunteeringError("too_early", _("Check-in opens 30 minutes before the start."))
    signup = Signup.objects.filter(activity=activity, user=actor).first()
    if signup is None or signup.status == SignupStatus.CANCELLED:
        signup = signup_join(actor=actor, activity=activity, now=now)
    if signup.status != SignupStatus.CONFIRMED:
        raise VolunteeringError.conflict("full", _("The activity is full; you are on the waiting list."))
    if signup.checked_in_at is None:
        if now > activity.ends_at:
            raise VolunteeringError.wrong_state(_("This activity has ended."))
        state = Attendance.LATE if now > activity.starts_at + LATE_AFTER else Attendance.PRESENT
        if not Signup.objects.filter(pk=signup.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, attendance=state
        ):
            raise VolunteeringError.conflict("conflict", _("You are already checked in."))
        signup.checked_in_at, signup.attendance = now, state
        return signup
    if signup.checked_out_at is not None:
        raise VolunteeringError.wrong_state(_("You have already checked out."))
    if now - signup.checked_in_at < timedelta(minutes=1):
        return signup  # a second scan straight after the first is the same check-in
    if now > activity.ends_at + CHECK_OUT_GRACE:
        raise VolunteeringError.wrong_state(_("Check-out has closed; the organiser will confirm your hours."))
    if not Signup.objects.filter(pk=signup.pk, checked_out_at__isnull=True, confirmed_at__isnull=True).update(
        checked_out_at=now
    ):
        raise VolunteeringError.conflict("conflict", _("You have already checked out."))
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
        raise VolunteeringError.forbidden(_("You cannot do this."))
    if attendance not in (Attendance.PRESENT, Attendance.LATE, Attendance.LEAVE, Attendance.ABSENT):
        raise VolunteeringError.invalid(_("Unknown attendance state."))
    if signup.confirmed_at is not None:
        raise VolunteeringError.wrong_state(_("The hours are already confirmed."))
    Signup.objects.filter(pk=signup.pk, confirmed_at__isnull=True).update(attendance=attendance)
    signup.attendance = attendance
    return signup


def hours_confirm(*, actor: User, signup: Signup, hours: Decimal | None = None) -> Signup:
    """The organiser confirms the hours (the measured ones unless given) and the points are paid once."""
    activity = signup.activity
    if not may_organise(actor, activity):
        raise VolunteeringError.forbidden(_("You cannot do this."))
    if actor.pk == signup.user_id:
        raise VolunteeringError.forbidden(_("Someone else confirms your own hours."))
    if signup.status != SignupStatus.CONFIRMED:
        raise VolunteeringError.wrong_state(_("Only people with a place have hours."))
    if signup.attendance in (Attendance.LEAVE, Attendance.ABSENT):
        raise VolunteeringError.wrong_state(_("This person was not there."))
    if timezone.now() < activity.starts_at:
        raise VolunteeringError.wrong_state(_("Hours are confirmed once the activity has begun."))
    if hours is None:
        hours = measured_hours(signup)
        if hours is None:
            raise VolunteeringError.invalid(_("No check-in and check-out: give the hours."))
    hours = Decimal(hours)
    if not Decimal(0) <= hours <= Decimal(24):
        raise VolunteeringError.invalid(_("Hours are from 0 to 24."))
    hours = hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    subdistrict = activity.node.ancestor_of_kind(NodeKind.SUBDISTRICT)
    if subdistrict is None:
        raise VolunteeringError.invalid(_("This activity is not in a subdistrict."))
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
            raise VolunteeringError.wrong_state(_("The hours are already confirmed."))
        service_points_post(
            key=f"service:{signup.pk}",
            subdistrict=subdistrict,
            user=signup.user,
            points=points,
            actor=actor,
            memo=f"{activity.title} {hours}h"[:200],
            occurred_at=activity.ends_at,
        )
    for field, value in changes.items():
        setattr(signup, field, value)
    return signup
