"""Bookings of a venue's function areas: one-off and recurring (RFC 5545 rules through python-dateutil), with
approval where the area needs it, blackout periods, opening hours on the working-day calendar, and no two
bookings of one area overlapping.

How overlaps are made impossible:

- PostgreSQL: an exclusion constraint over ``tstzrange(starts_at, ends_at)`` per area for the bookings that
  hold their time (pending or confirmed), with btree_gist (migration 0002). Each booking goes in under a
  savepoint; the constraint's refusal becomes the same clash error (or a skipped date) as the check below.
- SQLite: the transaction first writes the area's row (``booking_seq``), which takes SQLite's one write
  lock, so the check for clashes and the insert that follows it run one request at a time.

Either way a clash answers with the clashing booking (409 ``clash``, ``fields.clashes_with``).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil import rrule  # type: ignore[import-untyped]
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.workdays import SHANGHAI, is_workday, workday_overrides
from gongzhi.orgs.models import Node
from gongzhi.venues import rules
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import (
    HOLDING,
    Blackout,
    Booking,
    BookingEvent,
    BookingSeries,
    BookingStatus,
    ClashPolicy,
    Space,
)

MAX_OCCURRENCES = 200
EXCLUSION = "booking_no_overlap"
REPEATS = ("none", "weekly", "workdays")


@dataclass
class Repeat:
    """How a booking repeats: ``kind`` none / weekly (on ``weekdays``, 0 = Monday) / workdays, ending on
    ``until`` (a date, inclusive) or after ``count`` occurrences."""

    kind: str = "none"
    weekdays: list[int] = field(default_factory=list)
    until: date | None = None
    count: int | None = None
    policy: str = ClashPolicy.REFUSE_ALL


@dataclass
class BookingResult:
    bookings: list[Booking]
    skipped: list[dict[str, str]]
    series: BookingSeries | None = None


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, SHANGHAI)


def describe(booking: Booking) -> str:
    """ "#12 议事协商室 2026-12-09 09:00–11:00 南塘社区": how a clash names the booking in the way."""
    start, end = local(booking.starts_at), local(booking.ends_at)
    who = booking.for_node.name if booking.for_node is not None else ""
    return f"#{booking.pk} {booking.title} {start:%Y-%m-%d %H:%M}–{end:%H:%M} {who}".strip()


def clash_error(other: Booking) -> VenueError:
    error = VenueError.conflict(
        "clash", _("This time is already booked: %(booking)s.") % {"booking": describe(other)}
    )
    error.fields = {"clashes_with": [str(other.pk)]}
    return error


def rrule_for(first: datetime, repeat: Repeat) -> str:
    """The RFC 5545 RRULE of a repeat (stored on the series and written into the iCalendar feed)."""
    parts = []
    if repeat.kind == "weekly":
        days = ",".join(("MO", "TU", "WE", "TH", "FR", "SA", "SU")[d] for d in sorted(set(repeat.weekdays)))
        parts = ["FREQ=WEEKLY", f"BYDAY={days}"]
    else:
        parts = ["FREQ=DAILY"]
    if repeat.count:
        parts.append(f"COUNT={repeat.count}")
    if repeat.until:
        end = datetime.combine(repeat.until, time(23, 59, 59), tzinfo=SHANGHAI).astimezone(UTC)
        parts.append(f"UNTIL={end:%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def occurrences(first: datetime, repeat: Repeat, *, horizon: date) -> list[datetime]:
    """The starts of a repeat, in Shanghai time: dateutil expands the rule; "every workday" keeps the
    calendar's working days (make-up Saturdays in, holidays out) and counts only those."""
    start = local(first).replace(tzinfo=None)
    if repeat.kind == "none":
        return [local(first)]
    last = min(repeat.until or horizon, horizon)
    until = datetime.combine(last, time(23, 59, 59))
    if repeat.kind == "weekly":
        if not repeat.weekdays or any(d < 0 or d > 6 for d in repeat.weekdays):
            raise VenueError.invalid(_("Choose the weekdays it repeats on."), field="weekdays")
        # RFC 5545: a rule ends by COUNT or by UNTIL, never both; the area's horizon bounds either.
        ends: dict[str, Any] = {"count": repeat.count} if repeat.count else {"until": until}
        rule = rrule.rrule(rrule.WEEKLY, dtstart=start, byweekday=sorted(set(repeat.weekdays)), **ends)
        days = list(rule[: MAX_OCCURRENCES + 1])
        if days and days[-1].date() > horizon:
            raise VenueError.invalid(
                _("The series goes beyond how far ahead this area can be booked."), field="count"
            )
    elif repeat.kind == "workdays":
        overrides = workday_overrides()
        days = []
        for day in rrule.rrule(rrule.DAILY, dtstart=start, until=until):
            if is_workday(day.date(), overrides):
                days.append(day)
                if (repeat.count and len(days) >= repeat.count) or len(days) > MAX_OCCURRENCES:
                    break
        if repeat.count and len(days) < repeat.count:
            raise VenueError.invalid(
                _("The series goes beyond how far ahead this area can be booked."), field="count"
            )
    else:
        raise VenueError.invalid(_("Unknown repeat."), field="repeat")
    if len(days) > MAX_OCCURRENCES:
        raise VenueError.invalid(
            _("A series is at most %(n)d bookings; end it sooner.") % {"n": MAX_OCCURRENCES}, field="until"
        )
    return [d.replace(tzinfo=SHANGHAI) for d in days]


def _first_clash(space: Space, starts_at: datetime, ends_at: datetime) -> Booking | None:
    # unscoped: the clash check reads every holding booking of the area, whoever made it
    return (
        # unscoped: see the reason above (a read the service makes as the system)
        Booking.objects.filter(
            space=space, status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
        )  # unscoped: the clash check reads every holding booking of the area, whoever made it
        .select_related("for_node")
        .order_by("starts_at")
        .first()
    )


def _blackout(space: Space, starts_at: datetime, ends_at: datetime) -> Blackout | None:
    # unscoped: blackouts of the area's venue, read to refuse a booking inside one
    rows = Blackout.objects.filter(venue_id=space.venue_id, starts_at__lt=ends_at, ends_at__gt=starts_at)
    return rows.filter(space__isnull=True).first() or rows.filter(space=space).first()


def _closed_reason(space: Space, start: datetime, end: datetime, overrides: dict) -> str | None:
    """Why the venue is not open then (a rest day, outside opening hours), or None."""
    venue = space.venue
    if not venue.open_on_rest_days and not is_workday(start.date(), overrides):
        return _("the venue is closed on rest days")
    if start.time() < venue.opens_at or end.time() > venue.closes_at or end.date() != start.date():
        return _("outside opening hours %(o)s–%(c)s") % {
            "o": venue.opens_at.strftime("%H:%M"),
            "c": venue.closes_at.strftime("%H:%M"),
        }
    return None


def _insert(booking: Booking) -> Booking | None:
    """Insert; on PostgreSQL the exclusion constraint may refuse it: then the booking in the way."""
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError as exc:
        if EXCLUSION not in str(exc):
            raise
        booking.pk = None
        clash = _first_clash(booking.space, booking.starts_at, booking.ends_at)
        if clash is None:  # pragma: no cover - the holder was cancelled in between
            raise VenueError.conflict("clash", _("This time was booked just now; look again.")) from None
        return clash
    return None


def booking_create(
    *,
    actor: User,
    space: Space,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    for_node: Node | None = None,
    attendees: int | None = None,
    repeat: Repeat | None = None,
) -> BookingResult:
    """Book an area once or as a series. Refused whole on bad input, outside the area's rules, or (policy
    refuse_all) on any clash; with policy skip the dates that clash, fall in a blackout or on a closed day
    are left out and listed."""
    repeat = repeat or Repeat()
    if not rules.may_book.test(actor, space):
        raise VenueError.forbidden(_("This area cannot be booked by you."))
    title = (title or "").strip()
    if not title or len(title) > 80 or "\x00" in title:
        raise VenueError.invalid(_("Say what the booking is for (at most 80 characters)."), field="title")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise VenueError.invalid(_("Give the time with its time zone."), field="starts_at")
    if ends_at <= starts_at:
        raise VenueError.invalid(_("The end must be after the start."), field="ends_at")
    if ends_at - starts_at > timedelta(hours=12):
        raise VenueError.invalid(_("A booking is at most 12 hours."), field="ends_at")
    if attendees is not None and not 0 < attendees <= space.capacity:
        raise VenueError.invalid(
            _("This area holds at most %(n)d people.") % {"n": space.capacity}, field="attendees"
        )
    if repeat.kind not in REPEATS:
        raise VenueError.invalid(_("Unknown repeat."), field="repeat")
    if repeat.policy not in ClashPolicy.values:
        raise VenueError.invalid(_("Unknown clash policy."), field="policy")
    if repeat.count is not None and not 0 < repeat.count <= MAX_OCCURRENCES:
        raise VenueError.invalid(
            _("A series is at most %(n)d bookings; end it sooner.") % {"n": MAX_OCCURRENCES}, field="count"
        )
    if repeat.kind != "none" and (repeat.count is None) == (repeat.until is None):
        raise VenueError.invalid(_("Say when the series ends: a date or a number of times."), field="until")
    now = timezone.now()
    today = local(now).date()
    horizon = today + timedelta(days=space.max_days_ahead)
    if starts_at < now:
        raise VenueError.invalid(_("This time has passed."), field="starts_at")
    if local(starts_at).date() > horizon:
        raise VenueError.invalid(
            _("This area can be booked at most %(n)d days ahead.") % {"n": space.max_days_ahead},
            field="starts_at",
        )
    if repeat.until is not None and repeat.until > horizon:
        raise VenueError.invalid(
            _("This area can be booked at most %(n)d days ahead.") % {"n": space.max_days_ahead},
            field="until",
        )
    duration = ends_at - starts_at
    starts = occurrences(starts_at, repeat, horizon=horizon)
    overrides = workday_overrides()
    staff = rules.runs_venue.test(actor, space)
    status = BookingStatus.CONFIRMED if staff or not space.needs_approval else BookingStatus.PENDING
    skip = repeat.policy == ClashPolicy.SKIP and repeat.kind != "none"
    skipped: list[dict[str, str]] = []
    made: list[Booking] = []
    with transaction.atomic():
        if connection.vendor != "postgresql":
            # unscoped: the write that serialises bookings of this area (SQLite's write lock)
            Space.objects.filter(pk=space.pk).update(booking_seq=F("booking_seq") + 1)
        series = None
        if repeat.kind != "none":
            series = BookingSeries.objects.create(
                space=space,
                rule=rrule_for(starts_at, repeat),
                policy=repeat.policy,
                workdays_only=repeat.kind == "workdays",
                booked_by=actor,
            )
        for start in starts:
            end = start + duration
            reason = _closed_reason(space, start, local(end), overrides)
            blackout = _blackout(space, start, end) if reason is None else None
            if blackout is not None:
                reason = _("closed: %(r)s") % {"r": blackout.reason}
            clash = _first_clash(space, start, end) if reason is None else None
            if clash is None and reason is None:
                booking = Booking(
                    space=space,
                    series=series,
                    title=title,
                    starts_at=start,
                    ends_at=end,
                    status=status,
                    booked_by=actor,
                    for_node=for_node,
                    attendees=attendees,
                )
                clash = _insert(booking)
                if clash is None:
                    made.append(booking)
                    continue
            if not skip:
                if clash is not None:
                    raise clash_error(clash)
                raise VenueError.conflict(
                    "closed", _("%(day)s: %(reason)s.") % {"day": f"{start:%Y-%m-%d}", "reason": reason}
                )
            skipped.append(
                {
                    "date": f"{start:%Y-%m-%d}",
                    "reason": describe(clash) if clash is not None else str(reason),
                    "clashes_with": str(clash.pk) if clash is not None else "",
                }
            )
        if not made:
            raise VenueError.conflict(
                "nothing_booked", _("Every date clashes or is closed; nothing was booked.")
            )
        if series is not None:
            series.skipped = skipped
            series.save(update_fields=["skipped"])
        BookingEvent.objects.bulk_create(
            BookingEvent(booking=b, actor=actor, action="book", from_status="", to_status=b.status)
            for b in made
        )
    return BookingResult(bookings=made, skipped=skipped, series=series)


def blackout_create(
    *,
    actor: User,
    space: Space,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    whole_venue: bool = True,
) -> Blackout:
    """Close a venue (or one area) for a period. Refused while bookings hold time in it: cancel those first
    (the answer names the first)."""
    if not rules.runs_venue.test(actor, space):
        raise VenueError.forbidden(_("Only the venue's staff can close it."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 120 or "\x00" in reason:
        raise VenueError.invalid(_("Say why it is closed (at most 120 characters)."), field="reason")
    if ends_at <= starts_at:
        raise VenueError.invalid(_("The end must be after the start."), field="ends_at")
    with transaction.atomic():
        # unscoped: the venue's holding bookings, read to refuse a blackout over them
        holding = Booking.objects.filter(
            status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at, space__venue_id=space.venue_id
        )
        if not whole_venue:
            holding = holding.filter(space=space)
        first = holding.select_related("for_node").order_by("starts_at").first()
        if first is not None:
            raise clash_error(first)
        return Blackout.objects.create(
            venue_id=space.venue_id,
            space=None if whole_venue else space,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            created_by=actor,
        )
