"""Meetings: scheduled with notice, an agenda of topics, attendance by the secretary, a presence quorum,
speaking notes; minutes approved by the chair and published on the notice board with an objection window."""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.deliberation import checkin, rules
from gongzhi.deliberation.errors import DeliberationError
from gongzhi.deliberation.models import (
    Attendance,
    Council,
    CouncilMember,
    Meeting,
    MeetingStatus,
    MinutesObjection,
    MinutesStatus,
    Topic,
)
from gongzhi.deliberation.topics import _text
from gongzhi.deliberation.workflow import topic_transition
from gongzhi.notifications.services import notify
from gongzhi.venues.bookings import booking_create
from gongzhi.venues.models import HOLDING, Booking, Space
from gongzhi.venues.workflow import booking_transition

EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def meeting_schedule(
    *,
    actor: User,
    council: Council,
    title: str,
    starts_at: datetime,
    place: str,
    quorum_percent: int = 50,
    now: datetime | None = None,
) -> Meeting:
    if not rules.runs_council.test(actor, council):
        raise DeliberationError.forbidden(_("Only those who run the council schedule its meetings."))
    now = now or timezone.now()
    if not (EARLIEST <= starts_at <= LATEST):
        raise DeliberationError.invalid(_("Choose a date between 2000 and 2100."), field="starts_at")
    if starts_at < now + timedelta(days=council.notice_days):
        raise DeliberationError.invalid(
            _("Give notice at least %(n)s days ahead.") % {"n": council.notice_days}, field="starts_at"
        )
    if not 1 <= quorum_percent <= 99:
        raise DeliberationError.invalid(_("The quorum is between 1 and 99 per cent."), field="quorum_percent")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            node=council.node,
            council=council,
            title=_text(title, 80, "title", _("Name the meeting.")),
            starts_at=starts_at,
            place=_text(place, 80, "place", _("Say where the meeting is.")),
            quorum_percent=quorum_percent,
        )
        members = [m.user for m in council.members.select_related("user") if m.user is not None]
        notify(
            recipients=members,
            kind="meeting_notice",
            title=_("Meeting notice: %(t)s") % {"t": meeting.title},
            body=f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M} {meeting.place}",
            link=f"/deliberation/meetings/{meeting.pk}/",
        )
    return meeting


MEETING_HOURS = 2  # a booking lasts this long unless the secretary says when the meeting ends


def meeting_book_venue(
    *, actor: User, meeting: Meeting, space: Space, ends_at: datetime | None = None
) -> Meeting:
    """Book an area of a venue (venues' booking service: its rules, opening hours and clash check) for the
    meeting's time; the meeting's place becomes the area. A clash or closed time is refused (409) and
    nothing changes; a meeting holds one booking."""
    _require_runs(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DeliberationError.wrong_state(_("Book a venue before the meeting opens."))
    if meeting.venue_booking_id is not None:
        raise DeliberationError.wrong_state(_("This meeting already has a venue booked."))
    ends_at = ends_at or meeting.starts_at + timedelta(hours=MEETING_HOURS)
    with transaction.atomic():
        result = booking_create(
            actor=actor,
            space=space,
            title=meeting.title,
            starts_at=meeting.starts_at,
            ends_at=ends_at,
            for_node=meeting.node,
        )
        booking: Booking = result.bookings[0]
        place = f"{space.venue.name} {space.name}"[:80]
        updated = Meeting.objects.filter(  # unscoped: the meeting fetched in scope, once
            pk=meeting.pk, venue_booking_id__isnull=True
        ).update(venue_booking_id=booking.pk, place=place)
        if updated != 1:
            raise DeliberationError.wrong_state(_("This meeting already has a venue booked."))
    meeting.venue_booking_id, meeting.place = booking.pk, place
    return meeting


def meeting_booking(meeting: Meeting) -> Booking | None:
    """The meeting's venue booking, whatever its state (the meeting page shows the room, the hours and
    whether the venue still holds it)."""
    if meeting.venue_booking_id is None:
        return None
    # unscoped: the one booking this meeting made (its id is stored on the meeting fetched in scope)
    return Booking.objects.select_related("space__venue").filter(pk=meeting.venue_booking_id).first()


def _held_booking(meeting: Meeting) -> Booking | None:
    """The meeting's venue booking while it still holds the room (the venue's staff may have cancelled it)."""
    booking = meeting_booking(meeting)
    return booking if booking is not None and booking.status in HOLDING else None


def _lock_scheduled(meeting: Meeting, message: str) -> None:
    # unscoped: the meeting fetched in scope, locked while its booking and time change together
    if not Meeting.objects.select_for_update().filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).exists():
        raise DeliberationError.wrong_state(message)


def meeting_move(
    *, actor: User, meeting: Meeting, starts_at: datetime, now: datetime | None = None
) -> Meeting:
    """Move a scheduled meeting (with the council's notice). Its venue booking moves with it through the
    venues' booking service: the room is booked at the new time (same length) and the old booking
    cancelled, in one transaction; a clash or a closed time is refused (409) and nothing changes."""
    _require_runs(actor, meeting)
    now = now or timezone.now()
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DeliberationError.wrong_state(_("Only a meeting that has not opened can be moved."))
    if not (EARLIEST <= starts_at <= LATEST):
        raise DeliberationError.invalid(_("Choose a date between 2000 and 2100."), field="starts_at")
    council = meeting.council
    if starts_at < now + timedelta(days=council.notice_days):
        raise DeliberationError.invalid(
            _("Give notice at least %(n)s days ahead.") % {"n": council.notice_days}, field="starts_at"
        )
    if starts_at == meeting.starts_at:
        raise DeliberationError.invalid(_("Choose a different time."), field="starts_at")
    place = meeting.place
    booking_id = meeting.venue_booking_id
    with transaction.atomic():
        _lock_scheduled(meeting, _("Only a meeting that has not opened can be moved."))
        old = _held_booking(meeting)
        if old is not None:
            # The old booking is cancelled first, so a move by an hour does not clash with itself; a refusal
            # of the new time rolls the cancellation back.
            booking_transition(
                actor=actor,
                booking=old,
                action="cancel",
                note=_("The meeting moved to %(t)s.")
                % {"t": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}"},
            )
            result = booking_create(
                actor=actor,
                space=old.space,
                title=meeting.title,
                starts_at=starts_at,
                ends_at=starts_at + (old.ends_at - old.starts_at),
                for_node=meeting.node,
            )
            booking_id = result.bookings[0].pk
        elif booking_id is not None:
            booking_id = (
                None  # the room was given up or refused by the venue: the meeting keeps its place text
            )
        # unscoped: the row locked above
        Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, venue_booking_id=booking_id)
        audit_record(
            actor=actor,
            action="deliberation.meeting_move",
            target=meeting,
            node=meeting.node,
            starts_at=starts_at.isoformat(),
        )
        _tell_members(
            meeting,
            _("Meeting moved: %(t)s") % {"t": meeting.title},
            f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M} {place}",
        )
    meeting.starts_at, meeting.venue_booking_id = starts_at, booking_id
    return meeting


def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting with a reason told to the members: its venue booking is cancelled through
    the venues' service and the topics on its agenda go back to the accepted ones, for another meeting."""
    _require_runs(actor, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise DeliberationError.wrong_state(_("Only a meeting that has not opened can be cancelled."))
    reason = _text(reason, 300, "reason", _("Say why the meeting is cancelled."))
    with transaction.atomic():
        _lock_scheduled(meeting, _("Only a meeting that has not opened can be cancelled."))
        booking = _held_booking(meeting)
        if booking is not None:
            booking_transition(actor=actor, booking=booking, action="cancel", note=reason)
        # unscoped: the row locked above
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.CANCELLED, cancel_reason=reason)
        for topic in meeting.agenda.filter(status="scheduled"):
            topic_transition(actor=actor, topic=topic, action="unschedule", note=reason)
        audit_record(actor=actor, action="deliberation.meeting_cancel", target=meeting, node=meeting.node)
        _tell_members(meeting, _("Meeting cancelled: %(t)s") % {"t": meeting.title}, reason)
    meeting.status, meeting.cancel_reason = MeetingStatus.CANCELLED, reason
    return meeting


def _tell_members(meeting: Meeting, title: str, body: str) -> None:
    members = [m.user for m in meeting.council.members.select_related("user") if m.user is not None]
    notify(
        recipients=[u for u in members if u is not None],
        kind="meeting_notice",
        title=title[:120],
        body=body,
        link=f"/deliberation/meetings/{meeting.pk}/",
    )


def agenda_add(*, actor: User, meeting: Meeting, topic: Topic) -> Topic:
    if meeting.status in (MeetingStatus.CLOSED, MeetingStatus.CANCELLED):
        raise DeliberationError.wrong_state(_("The meeting is closed."))
    return topic_transition(actor=actor, topic=topic, action="schedule", meeting=meeting)


def _require_runs(actor: User, meeting: Meeting) -> None:
    if not rules.runs_meeting.test(actor, meeting):
        raise DeliberationError.forbidden(_("Only the council's secretary, chair or staff do this."))


def attendance_mark(*, actor: User, meeting: Meeting, member: CouncilMember, present: bool = True) -> None:
    """The secretary marks who came (or a member signs themselves in at an open meeting)."""
    self_sign = member.user_id is not None and member.user_id == actor.pk
    if not self_sign:
        _require_runs(actor, meeting)
    if member.council_id != meeting.council_id:
        raise DeliberationError.invalid(_("Not a member of this council."), field="member")
    if meeting.status == MeetingStatus.CLOSED:
        raise DeliberationError.wrong_state(_("The meeting is closed."))
    if present:
        try:
            with transaction.atomic():
                Attendance.objects.create(meeting=meeting, member=member, by_secretary=not self_sign)
        except IntegrityError:
            pass  # already present: signing in twice is one attendance
    else:
        # unscoped: the secretary's own meeting (checked above), one member's row
        Attendance.objects.filter(meeting=meeting, member=member).delete()


def meeting_sign_in(*, actor: User, meeting: Meeting, token: str) -> CouncilMember:
    """A member signs in by scanning the code on the secretary's screen (the code of the last minute)."""
    if not checkin.token_valid(meeting.pk, str(token or "")[:120]):
        raise DeliberationError.invalid(
            _("This code has expired or is not this meeting's: scan the screen again."), field="token"
        )
    member = meeting.council.members.filter(user_id=actor.pk).first()
    if member is None:
        raise DeliberationError.forbidden(_("Only the council's members sign in to its meetings."))
    attendance_mark(actor=actor, meeting=meeting, member=member)
    return member


def quorum(meeting: Meeting) -> dict[str, int | bool]:
    members = meeting.council.members.count()
    present = meeting.attendance.count()
    return {
        "members": members,
        "present": present,
        "needed": members * meeting.quorum_percent // 100 + 1,
        "reached": members > 0 and present * 100 > members * meeting.quorum_percent,
    }


def meeting_open(*, actor: User, meeting: Meeting) -> Meeting:
    _require_runs(actor, meeting)
    if (
        Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.SCHEDULED).update(  # unscoped: in scope
            status=MeetingStatus.OPEN
        )
        != 1
    ):
        raise DeliberationError.wrong_state(_("The meeting is not waiting to open."))
    meeting.status = MeetingStatus.OPEN
    return meeting


def meeting_notes(*, actor: User, meeting: Meeting, notes: str) -> Meeting:
    _require_runs(actor, meeting)
    if meeting.minutes_status != MinutesStatus.DRAFT:
        raise DeliberationError.wrong_state(_("Approved minutes are no longer edited."))
    meeting.notes = _text(notes, 10000, "notes", "", required=False)
    Meeting.objects.filter(pk=meeting.pk).update(notes=meeting.notes)  # unscoped: fetched in scope
    return meeting


def meeting_close(*, actor: User, meeting: Meeting) -> Meeting:
    """Close the meeting: topics discussed but not decided are marked deliberated; open votes stay open
    (owners' votes run for days)."""
    _require_runs(actor, meeting)
    with transaction.atomic():
        if (
            Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.OPEN).update(  # unscoped: in scope
                status=MeetingStatus.CLOSED
            )
            != 1
        ):
            raise DeliberationError.wrong_state(_("Only a meeting in session can be closed."))
        meeting.status = MeetingStatus.CLOSED
        for topic in meeting.agenda.filter(status="scheduled"):
            topic_transition(actor=actor, topic=topic, action="deliberate")
    return meeting


def minutes_approve(*, actor: User, meeting: Meeting) -> Meeting:
    if not rules.chairs_meeting.test(actor, meeting):
        raise DeliberationError.forbidden(_("The chair approves the minutes."))
    if meeting.status != MeetingStatus.CLOSED:
        raise DeliberationError.wrong_state(_("Minutes are approved after the meeting closes."))
    now = timezone.now()
    if (
        # unscoped: a compare-and-set on the meeting fetched in scope
        Meeting.objects.filter(
            pk=meeting.pk, minutes_status=MinutesStatus.DRAFT
        ).update(  # unscoped: in scope
            minutes_status=MinutesStatus.APPROVED, minutes_approved_at=now
        )
        != 1
    ):
        raise DeliberationError.wrong_state(_("The minutes are already approved."))
    meeting.minutes_status, meeting.minutes_approved_at = MinutesStatus.APPROVED, now
    return meeting


def minutes_publish(*, actor: User, meeting: Meeting) -> Meeting:
    """公示: on the node's notice board for the council's number of days, with an objection window."""
    _require_runs(actor, meeting)
    now = timezone.now()
    council = meeting.council
    until = now + timedelta(days=council.publish_days)
    objection = now + timedelta(days=council.objection_days)
    if (
        # unscoped: a compare-and-set on the meeting fetched in scope
        Meeting.objects.filter(
            pk=meeting.pk, minutes_status=MinutesStatus.APPROVED
        ).update(  # unscoped: in scope
            minutes_status=MinutesStatus.PUBLISHED,
            published_at=now,
            notice_until=until,
            objection_until=objection,
        )
        != 1
    ):
        raise DeliberationError.wrong_state(_("Publish minutes once the chair has approved them."))
    meeting.minutes_status, meeting.published_at = MinutesStatus.PUBLISHED, now
    meeting.notice_until, meeting.objection_until = until, objection
    return meeting


def minutes_object(*, actor: User, meeting: Meeting, body: str) -> MinutesObjection:
    if meeting.minutes_status != MinutesStatus.PUBLISHED or meeting.objection_until is None:
        raise DeliberationError.wrong_state(_("The minutes are not on public notice."))
    if timezone.now() > meeting.objection_until:
        raise DeliberationError.wrong_state(_("The objection window has closed."))
    if not rules.lives_near.test(actor, meeting):
        raise DeliberationError.forbidden(_("Residents where the council sits may object."))
    body = _text(body, 500, "body", _("Say what you object to."))
    objection = MinutesObjection.objects.create(meeting=meeting, user=actor, body=body)
    people = [meeting.council.chair, meeting.council.secretary]
    notify(
        recipients=[p for p in people if p is not None],
        kind="minutes_objection",
        title=_("An objection to the minutes of %(t)s") % {"t": meeting.title},
        body=body,
        link=f"/deliberation/meetings/{meeting.pk}/",
    )
    return objection
