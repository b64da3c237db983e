"""iCalendar feeds (RFC 5545, the ``icalendar`` package) of a venue, of one area, and of every venue of a
subdistrict: the confirmed bookings, with what they are for and for which place, never who booked. A
calendar application cannot sign in, so a feed's link carries a key signed with the site's secret; a
signed-in user who sees the venue may open it without one."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from icalendar import Calendar, Event

from gongzhi.venues.models import Booking

SALT = "gongzhi.venues.ical"


def feed_key(kind: str, pk: int) -> str:
    return salted_hmac(SALT, f"{kind}:{pk}").hexdigest()[:24]


def key_valid(kind: str, pk: int, key: str) -> bool:
    return bool(key) and constant_time_compare(feed_key(kind, pk), key)


def calendar(name: str, bookings: Iterable[Booking], host: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Gongzhi//venues//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.starts_at)
        event.add("dtend", booking.ends_at)
        who = f"（{booking.for_node.name}）" if booking.for_node is not None else ""
        event.add("summary", f"{booking.title}{who}")
        event.add("location", f"{booking.space.venue.name} {booking.space.name}")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
