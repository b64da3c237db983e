"""Bookings: one-off and recurring, approval, cancellation, blackouts, and no overlap ever."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection

from gongzhi.core.workdays import SHANGHAI
from gongzhi.notifications.models import Notification
from gongzhi.venues import services
from gongzhi.venues.bookings import Repeat, occurrences
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import Booking, BookingEvent, BookingSeries, BookingStatus, Venue
from tests.venues.conftest import at, next_weekday

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def book(actor, space, day, start=14, end=16, **kw):
    return services.booking_create(
        actor=actor,
        space=space,
        title=kw.pop("title", "居民议事会"),
        starts_at=at(day, start),
        ends_at=at(day, end),
        **kw,
    )


def test_one_off_booking_confirmed_without_approval(world, centre):
    wed = next_weekday(2)
    made = book(world.a1_secretary, centre.room, wed, for_node=world.comm_a1)
    (booking,) = made.bookings
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.for_node == world.comm_a1
    assert BookingEvent.objects.filter(booking=booking, action="book").count() == 1


def test_clash_is_refused_with_the_clashing_booking_and_nothing_changes(world, centre):
    wed = next_weekday(2)
    first = book(world.a1_secretary, centre.room, wed).bookings[0]
    with pytest.raises(VenueError) as caught:
        book(world.a2_staff, centre.room, wed, start=15, end=17, title="另一场")
    assert caught.value.code == "clash" and caught.value.status == 409
    assert caught.value.fields == {"clashes_with": [str(first.pk)]}
    assert f"#{first.pk}" in str(caught.value.message)
    assert Booking.objects.count() == 1
    # Touching ends are no clash: 16:00–17:00 after 14:00–16:00.
    assert book(world.a2_staff, centre.room, wed, start=16, end=17).bookings


def test_weekly_refuse_all_books_nothing_when_one_date_clashes(world, centre):
    wed = next_weekday(2)
    blocker = book(world.a2_staff, centre.room, wed + timedelta(days=14)).bookings[0]
    with pytest.raises(VenueError) as caught:
        book(world.a1_secretary, centre.room, wed, repeat=Repeat(kind="weekly", weekdays=[2], count=4))
    assert caught.value.fields["clashes_with"] == [str(blocker.pk)]
    assert Booking.objects.count() == 1
    assert BookingSeries.objects.count() == 0


def test_weekly_skip_leaves_out_the_clashing_date(world, centre):
    wed = next_weekday(2)
    blocker = book(world.a2_staff, centre.room, wed + timedelta(days=14)).bookings[0]
    made = book(
        world.a1_secretary,
        centre.room,
        wed,
        repeat=Repeat(kind="weekly", weekdays=[2], count=4, policy="skip"),
    )
    assert [b.starts_at.astimezone(SHANGHAI).date() for b in made.bookings] == [
        wed,
        wed + timedelta(days=7),
        wed + timedelta(days=21),
    ]
    assert made.skipped == [
        {
            "date": f"{wed + timedelta(days=14):%Y-%m-%d}",
            "reason": made.skipped[0]["reason"],
            "clashes_with": str(blocker.pk),
        }
    ]
    assert made.series.rule == "FREQ=WEEKLY;BYDAY=WE;COUNT=4"
    assert set(made.series.bookings.values_list("pk", flat=True)) == {b.pk for b in made.bookings}


@time_machine.travel(datetime(2025, 1, 20, 9, 0, tzinfo=SHANGHAI))
def test_every_workday_follows_the_calendar_across_the_spring_festival(world, centre):
    # 2025 春节: 1月28日–2月4日 off; Sunday 1月26日 and Saturday 2月8日 are worked (调休).
    made = book(
        world.a1_secretary,
        centre.room,
        date(2025, 1, 20),
        start=9,
        end=10,
        repeat=Repeat(kind="workdays", count=10),
    )
    days = [b.starts_at.astimezone(SHANGHAI).date() for b in made.bookings]
    assert days == [
        date(2025, 1, 20), date(2025, 1, 21), date(2025, 1, 22), date(2025, 1, 23), date(2025, 1, 24),
        date(2025, 1, 26), date(2025, 1, 27), date(2025, 2, 5), date(2025, 2, 6), date(2025, 2, 7),
    ]  # fmt: skip


@time_machine.travel(datetime(2025, 1, 20, 9, 0, tzinfo=SHANGHAI))
def test_weekly_on_saturdays_skips_the_holiday_at_a_venue_closed_on_rest_days(world, centre):
    Venue.objects.filter(pk=centre.pk).update(open_on_rest_days=False)
    centre.room.refresh_from_db()
    # Saturdays 1月25日 (rest), 2月1日 (holiday), 2月8日 (worked 调休), 2月15日 (rest).
    with pytest.raises(VenueError) as caught:
        book(world.a1_secretary, centre.room, date(2025, 1, 25), start=9, end=10,
             repeat=Repeat(kind="weekly", weekdays=[5], until=date(2025, 2, 15)))  # fmt: skip
    assert caught.value.code == "closed"
    made = book(world.a1_secretary, centre.room, date(2025, 1, 25), start=9, end=10,
                repeat=Repeat(kind="weekly", weekdays=[5], until=date(2025, 2, 15), policy="skip"))  # fmt: skip
    assert [b.starts_at.astimezone(SHANGHAI).date() for b in made.bookings] == [date(2025, 2, 8)]
    assert [s["date"] for s in made.skipped] == ["2025-01-25", "2025-02-01", "2025-02-15"]


def test_occurrences_until_a_date_and_the_series_limit(world, centre):
    first = at(next_weekday(0), 9)
    starts = occurrences(
        first,
        Repeat(kind="weekly", weekdays=[0, 3], until=first.date() + timedelta(days=13)),
        horizon=first.date() + timedelta(days=90),
    )
    assert [s.weekday() for s in starts] == [0, 3, 0, 3]
    with pytest.raises(VenueError):
        occurrences(first, Repeat(kind="weekly", weekdays=[]), horizon=first.date())


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(7, 9, "closed"), (20, 21, "closed")],
)
def test_outside_opening_hours_is_refused(world, centre, start, end, field):
    with pytest.raises(VenueError) as caught:
        book(world.a1_secretary, centre.room, next_weekday(2), start=start, end=end)
    assert caught.value.code == field
    assert not Booking.objects.exists()


def test_bad_input_is_refused(world, centre):
    wed = next_weekday(2)
    cases = [
        dict(title=""),
        dict(end=13),
        dict(attendees=500),
        dict(repeat=Repeat(kind="weekly", weekdays=[2])),  # no end
        dict(repeat=Repeat(kind="weekly", weekdays=[2], count=500)),
        dict(repeat=Repeat(kind="monthly", count=2)),
    ]
    for case in cases:
        with pytest.raises(VenueError) as caught:
            book(world.a1_secretary, centre.room, wed, **case)
        assert caught.value.status == 422, case
    with pytest.raises(VenueError):  # past
        book(world.a1_secretary, centre.room, wed - timedelta(days=14))
    with pytest.raises(VenueError):  # beyond how far ahead the area may be booked
        book(world.a1_secretary, centre.room, wed + timedelta(days=120))
    assert not Booking.objects.exists()


def test_who_may_book(world, centre):
    wed = next_weekday(2)
    # Residents may not book an area open to organisations; they may book one open to residents.
    with pytest.raises(VenueError) as caught:
        book(world.resident, centre.room, wed)
    assert caught.value.status == 403
    assert book(world.resident, centre.reading, wed).bookings[0].status == BookingStatus.PENDING
    # Another subdistrict's admin may not book here at all.
    with pytest.raises(VenueError):
        book(world.sub_b_admin, centre.room, wed, start=9, end=10)
    with pytest.raises(VenueError):
        book(world.viewer, centre.room, wed, start=9, end=10)


def test_approval_reject_and_cancel_free_the_time(world, centre):
    wed = next_weekday(2)
    pending = book(world.a1_secretary, centre.hall, wed, for_node=world.comm_a1).bookings[0]
    assert pending.status == BookingStatus.PENDING
    # A pending booking holds its time.
    with pytest.raises(VenueError):
        book(world.a2_staff, centre.hall, wed)
    # Community staff do not run the subdistrict centre: they cannot approve.
    with pytest.raises(VenueError) as caught:
        services.booking_transition(actor=world.a2_staff, booking=pending, action="approve")
    assert caught.value.status == 403
    with pytest.raises(VenueError):  # a reason is needed
        services.booking_transition(actor=world.sub_admin, booking=pending, action="reject")
    services.booking_transition(actor=world.sub_admin, booking=pending, action="approve")
    assert pending.status == BookingStatus.CONFIRMED
    assert Notification.objects.filter(recipient=world.a1_secretary, kind="booking_approved").exists()
    with pytest.raises(VenueError) as caught:
        services.booking_transition(actor=world.sub_admin, booking=pending, action="approve")
    assert caught.value.code == "wrong_state"
    # The centre cancels: the booker and the staff of the community it was for hear of it.
    services.booking_transition(actor=world.sub_admin, booking=pending, action="cancel", note="场地维修")
    assert pending.status == BookingStatus.CANCELLED
    told = set(
        Notification.objects.filter(kind="booking_cancelled").values_list("recipient__username", flat=True)
    )
    assert {"a1-secretary", "a1-staff"} <= told
    assert book(world.a2_staff, centre.hall, wed).bookings  # the time is free again


def test_blackout_refuses_bookings_and_is_refused_over_a_booking(world, centre):
    wed = next_weekday(2)
    held = book(world.a1_secretary, centre.room, wed).bookings[0]
    with pytest.raises(VenueError) as caught:
        services.blackout_create(
            actor=world.sub_admin,
            space=centre.room,
            starts_at=at(wed, 8),
            ends_at=at(wed, 21),
            reason="换届选举",
        )
    assert caught.value.fields["clashes_with"] == [str(held.pk)]
    with pytest.raises(VenueError):
        services.blackout_create(
            actor=world.a1_staff,
            space=centre.room,
            starts_at=at(wed + timedelta(7), 8),
            ends_at=at(wed + timedelta(7), 21),
            reason="x",
        )
    services.blackout_create(
        actor=world.sub_admin,
        space=centre.room,
        starts_at=at(wed + timedelta(7), 8),
        ends_at=at(wed + timedelta(7), 21),
        reason="换届选举",
    )
    with pytest.raises(VenueError) as caught:
        book(world.a1_secretary, centre.hall, wed + timedelta(7))
    assert caught.value.code == "closed" and "换届选举" in str(caught.value.message)


@pytest.mark.django_db(transaction=True)
def test_fifty_requests_for_one_slot_make_exactly_one_booking(world, centre):
    """On PostgreSQL the exclusion constraint decides; the storm runs without the space lock."""
    if connection.vendor != "postgresql":
        pytest.skip("threads share one in-memory SQLite database; SQLite serialises through its write lock")
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    wed = next_weekday(2)
    barrier = Barrier(50)
    outcomes: list[str] = []

    def attempt(n):
        try:
            barrier.wait()
            book(world.a1_secretary, centre.room, wed, start=14, end=15, title=f"第{n}次")
            return "booked"
        except VenueError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count("booked") == 1
    assert outcomes.count("clash") == 49
    assert Booking.objects.filter(space=centre.room).count() == 1
