"""Every read of venues a page or the API makes, scoped to the user asking."""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.scoping import bound_near
from gongzhi.core.workdays import SHANGHAI
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.orgs.picker import PlaceChoice, casework_choice
from gongzhi.venues.models import (
    HOLDING,
    Booking,
    BookingStatus,
    ConvenienceService,
    QueueTicket,
    Rotation,
    RotationSwap,
    RotationWeek,
    Space,
    StationPlan,
    Venue,
    VenueLevel,
    VisitCount,
)
from gongzhi.volunteering.models import Activity


def _get(queryset: QuerySet, pk: int) -> Any:
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def venue_list(*, fetched_by: User, node: Node | None = None, level: str | None = None) -> QuerySet[Venue]:
    venues = Venue.objects.visible_to(fetched_by, "view").select_related("node")
    if node is not None:
        venues = venues.filter(node__path__startswith=node.path)
    if level:
        venues = venues.filter(level=level)
    return venues.order_by("node__path", "level", "name")


def venue_get(*, fetched_by: User, pk: int) -> Venue:
    return _get(Venue.objects.visible_to(fetched_by, "view").select_related("node"), pk)


def space_list(*, fetched_by: User, venue: Venue | None = None) -> QuerySet[Space]:
    spaces = Space.objects.visible_to(fetched_by, "view").select_related("venue", "venue__node")
    if venue is not None:
        spaces = spaces.filter(venue=venue)
    return spaces.order_by("venue_id", "kind", "name")


def space_get(*, fetched_by: User, pk: int) -> Space:
    return _get(Space.objects.visible_to(fetched_by, "view").select_related("venue", "venue__node"), pk)


def space_busy(*, fetched_by: User, space: Space, start: datetime, end: datetime) -> list[dict]:
    """When an area the user can see is taken (no names: who booked is for staff and the booker)."""
    space_get(fetched_by=fetched_by, pk=space.pk)
    # unscoped: the taken times of an area the user sees, without who took them
    rows = Booking.objects.filter(
        space=space, status__in=HOLDING, starts_at__lt=end, ends_at__gt=start
    ).order_by("starts_at")
    return [{"starts_at": b.starts_at, "ends_at": b.ends_at, "status": b.status} for b in rows[:500]]


def booking_list(
    *,
    fetched_by: User,
    venue: Venue | None = None,
    space: Space | None = None,
    status: str | None = None,
    mine: bool = False,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[Booking]:
    if mine:
        # unscoped: the user's own bookings
        bookings = Booking.objects.filter(booked_by_id=fetched_by.pk)
    else:
        bookings = Booking.objects.visible_to(fetched_by, "view")
    if venue is not None:
        bookings = bookings.filter(space__venue=venue)
    if space is not None:
        bookings = bookings.filter(space=space)
    if status:
        bookings = bookings.filter(status=status)
    if start is not None:
        bookings = bookings.filter(ends_at__gt=start)
    if end is not None:
        bookings = bookings.filter(starts_at__lt=end)
    return bookings.select_related(
        "space", "space__venue", "space__venue__node", "for_node", "booked_by"
    ).order_by("starts_at", "id")


def approvals(*, fetched_by: User) -> QuerySet[Booking]:
    return booking_list(fetched_by=fetched_by, status=BookingStatus.PENDING).filter(
        pk__in=Booking.objects.visible_to(fetched_by, "approve").values("pk")
    )


def booking_get(*, fetched_by: User, pk: int) -> Booking:
    return _get(
        Booking.objects.visible_to(fetched_by, "view").select_related(
            "space", "space__venue", "space__venue__node", "for_node", "booked_by"
        ),
        pk,
    )


def feed_bookings(*, venues: QuerySet[Venue] | list[Venue], space: Space | None = None) -> QuerySet[Booking]:
    """Confirmed bookings of venues for a calendar feed (what, when, for which place; never who booked)."""
    since = timezone.now() - timedelta(days=90)
    # unscoped: the feed of venues the caller was allowed (a signed link or a visible venue)
    rows = Booking.objects.filter(
        status=BookingStatus.CONFIRMED, space__venue__in=venues, ends_at__gte=since
    ).select_related("space", "space__venue", "for_node", "series")
    if space is not None:
        rows = rows.filter(space=space)
    return rows.order_by("starts_at")[:5000]


def services_on(*, fetched_by: User, day: date, venue: Venue | None = None) -> QuerySet[ConvenienceService]:
    """The services held on ``day`` at venues the user sees (residents: their subdistrict's)."""
    services = ConvenienceService.objects.visible_to(fetched_by, "view").filter(
        weekday=day.weekday(), active=True
    )
    if venue is not None:
        services = services.filter(venue=venue)
    return services.select_related("venue").order_by("start_time", "venue__name")


def service_list(*, fetched_by: User, venue: Venue) -> QuerySet[ConvenienceService]:
    return (
        ConvenienceService.objects.visible_to(fetched_by, "view")
        .filter(venue=venue, active=True)
        .order_by("weekday", "start_time")
    )


def service_get(*, fetched_by: User, pk: int) -> ConvenienceService:
    return _get(
        ConvenienceService.objects.visible_to(fetched_by, "view").select_related("venue", "venue__node"), pk
    )


def my_tickets(*, fetched_by: User, day: date) -> dict[int, int]:
    # unscoped: the user's own tickets
    rows = QueueTicket.objects.filter(holder_id=fetched_by.pk, day=day)
    return dict(rows.values_list("service_id", "number"))


def visit_totals(*, fetched_by: User, node: Node, start: date | None = None, end: date | None = None) -> dict:
    """Visitors and activities per venue, month and kind under ``node`` (what the user may count)."""
    rows = VisitCount.objects.visible_to(fetched_by, "count").filter(venue__node__path__startswith=node.path)
    if start is not None:
        rows = rows.filter(day__gte=start)
    if end is not None:
        rows = rows.filter(day__lt=end)
    per_venue = list(
        rows.values("venue_id", "venue__name")
        .annotate(visitors=Sum("visitors"), activities=Sum("activities"))
        .order_by("-visitors")
    )
    per_month = list(
        rows.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(visitors=Sum("visitors"), activities=Sum("activities"))
        .order_by("month")
    )
    per_kind = list(
        rows.values("kind")
        .annotate(visitors=Sum("visitors"), activities=Sum("activities"), n=Count("pk"))
        .order_by("kind")
    )
    return {"venues": per_venue, "months": per_month, "kinds": per_kind}


def venue_levels(*, fetched_by: User, node: Node) -> list[dict]:
    """Venues under ``node`` counted per level, with their floor area and the visits reported before
    counting here (what the user may count)."""
    rows = Venue.objects.visible_to(fetched_by, "count").filter(node__path__startswith=node.path)
    labels = dict(VenueLevel.choices)
    counted = (
        rows.values("level")
        .annotate(n=Count("pk"), floor_area=Sum("floor_area_m2"), visits_before=Sum("visits_before"))
        .order_by("level")
    )
    return [row | {"label": labels.get(row["level"], row["level"])} for row in counted]


def rotation_list(*, fetched_by: User, venue: Venue | None = None) -> QuerySet[Rotation]:
    rotations = Rotation.objects.visible_to(fetched_by, "view").select_related("venue")
    if venue is not None:
        rotations = rotations.filter(venue=venue)
    return rotations.order_by("-starts_on")


def rotation_get(*, fetched_by: User, pk: int) -> Rotation:
    return _get(Rotation.objects.visible_to(fetched_by, "view").select_related("venue", "venue__node"), pk)


def rotation_weeks(*, rotation: Rotation) -> QuerySet[RotationWeek]:
    return (
        # unscoped: the weeks of a rotation fetched in scope
        RotationWeek.objects.filter(rotation=rotation)
        .select_related("owner")
        .prefetch_related("activities")
        .order_by("week_of")
    )


def week_get(*, fetched_by: User, pk: int) -> RotationWeek:
    return _get(
        RotationWeek.objects.visible_to(fetched_by, "view").select_related(
            "owner", "rotation", "rotation__venue", "rotation__venue__node"
        ),
        pk,
    )


def swap_list(*, fetched_by: User, rotation: Rotation) -> QuerySet[RotationSwap]:
    swaps = RotationSwap.objects.visible_to(fetched_by, "view").filter(week__rotation=rotation)
    # The other week's owner sees the swaps offered to it too.
    # unscoped: swaps of this rotation, shown on its page to those who may see the rotation
    offered = RotationSwap.objects.filter(week__rotation=rotation)
    return (
        (swaps | offered)
        .distinct()
        .select_related("week", "other", "week__owner", "other__owner")
        .order_by("-id")
    )


def swap_get(*, fetched_by: User, pk: int) -> RotationSwap:
    swap = (
        # unscoped: a swap is read by those who may see its rotation (checked below)
        RotationSwap.objects.filter(pk=pk)
        .select_related(
            "week", "other", "week__rotation", "week__rotation__venue", "week__rotation__venue__node"
        )
        .first()
    )
    if swap is None:
        raise Http404
    rotation_get(fetched_by=fetched_by, pk=swap.week.rotation_id)
    return swap


def plan_list(*, fetched_by: User, node: Node | None = None) -> QuerySet[StationPlan]:
    plans = StationPlan.objects.visible_to(fetched_by, "view").select_related("node")
    if node is not None:
        plans = plans.filter(node=node)
    return plans.order_by("-year", "-adopted", "-id")


def plan_get(*, fetched_by: User, pk: int) -> StationPlan:
    return _get(StationPlan.objects.visible_to(fetched_by, "view").select_related("node"), pk)


def today() -> date:
    return timezone.localtime(timezone.now(), SHANGHAI).date()


def feed_for(
    *, kind: str, pk: int, key: str, fetched_by: User | None
) -> tuple[str, QuerySet[Booking]] | None:
    """A feed's name and bookings: with a valid signed key, or for a user who sees the venue, area or
    subdistrict; None otherwise."""
    from gongzhi.venues.ical import key_valid

    signed = key_valid(kind, pk, key)
    if kind == "venue":
        if signed:
            venue = Venue.objects.filter(pk=pk).first()  # unscoped: a signed link names the venue
        else:
            venue = Venue.objects.visible_to(fetched_by, "view").filter(pk=pk).first() if fetched_by else None
        return None if venue is None else (venue.name, feed_bookings(venues=[venue]))
    if kind == "space":
        if signed:
            space = Space.objects.select_related("venue").filter(pk=pk).first()  # unscoped: a signed link
        else:
            space = (
                Space.objects.visible_to(fetched_by, "view").select_related("venue").filter(pk=pk).first()
                if fetched_by
                else None
            )
        return None if space is None else (str(space), feed_bookings(venues=[space.venue], space=space))
    if kind == "subdistrict":
        node = Node.objects.filter(pk=pk, kind="subdistrict").first()  # unscoped: checked just below
        if node is None or not (signed or (fetched_by is not None and bound_near(fetched_by, node.path))):
            return None
        # unscoped: every venue of the subdistrict (venues are public places)
        venues = Venue.objects.filter(node__path__startswith=node.path)
        return node.name, feed_bookings(venues=venues)
    return None


def venue_place_choice(user: User) -> PlaceChoice:
    """Where the user may add a venue (the place picker's "venue" purpose): places under their casework
    reach that a venue can serve."""
    return casework_choice(user, [NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.COMPOUND])


def week_activity_choices(*, fetched_by: User, weeks: list[RotationWeek]) -> dict[int, list[Activity]]:
    """For each week the user may plan: the volunteering activities they see that start that week in the
    venue's subdistrict, not yet on the week."""
    if not weeks:
        return {}
    first = min(w.week_of for w in weeks)
    last = max(w.week_of for w in weeks) + timedelta(days=7)
    subdistrict = weeks[0].rotation.venue.node.path[: 2 * Node.steplen]
    found = list(
        Activity.objects.visible_to(fetched_by, "view")
        .filter(
            node__path__startswith=subdistrict,
            starts_at__gte=datetime.combine(first, datetime.min.time(), SHANGHAI),
            starts_at__lt=datetime.combine(last, datetime.min.time(), SHANGHAI),
        )
        .order_by("starts_at")[:200]
    )
    choices: dict[int, list[Activity]] = {}
    for week in weeks:
        linked = {a.pk for a in week.activities.all()}
        end = week.week_of + timedelta(days=7)
        choices[week.pk] = [
            a
            for a in found
            if a.pk not in linked and week.week_of <= timezone.localtime(a.starts_at, SHANGHAI).date() < end
        ]
    return choices
