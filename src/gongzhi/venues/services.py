"""Every write about venues besides bookings (bookings.py, workflow.py) and rotations (rotations.py): the
venues and their areas, convenience services with queue tickets and the services delivered, visitor counts,
and saving a plan of new stations."""

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.core.rules import staff_at
from gongzhi.core.workdays import SHANGHAI
from gongzhi.ledger.earning import earning_policy, points_for_hours, service_points_post
from gongzhi.ledger.errors import LedgerError
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.venues import rules
from gongzhi.venues.bookings import (
    BookingResult,
    Repeat,
    blackout_create,
    booking_create,
)
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import (
    ActivityKind,
    BookableBy,
    ConvenienceService,
    QueueTicket,
    ServiceDelivery,
    Space,
    SpaceKind,
    StationPlan,
    Venue,
    VenueLevel,
    VisitCount,
)
from gongzhi.venues.rotations import (
    rotation_create,
    swap_request,
    swap_transition,
    week_activity_link,
    week_plan,
)
from gongzhi.venues.workflow import BOOKING_WORKFLOW, booking_transition

__all__ = [
    "BookingResult",
    "Repeat",
    "blackout_create",
    "booking_actions",
    "booking_create",
    "booking_transition",
    "delivery_record",
    "plan_save",
    "rotation_create",
    "service_create",
    "space_create",
    "space_update",
    "swap_request",
    "swap_transition",
    "ticket_take",
    "venue_create",
    "venue_update",
    "visit_record",
    "week_activity_link",
    "week_plan",
]

# A venue's level and the place it may serve.
LEVEL_PLACES: dict[str, set[str]] = {
    VenueLevel.SUBDISTRICT_CENTRE: {NodeKind.SUBDISTRICT},
    VenueLevel.COMMUNITY_CENTRE: {NodeKind.COMMUNITY},
    VenueLevel.STATION: {NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.COMPOUND},
    VenueLevel.WAYSTATION: {NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND},
    VenueLevel.SHARED: {NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND},
}


def _text(value: str, limit: int, field: str, message: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > limit or "\x00" in value:
        raise VenueError.invalid(message, field=field)
    return value


def _venue_fields(
    *,
    node: Node,
    name: str,
    level: str,
    lat: float,
    lng: float,
    address: str,
    floor_area_m2: int | None,
    opens_at: time,
    closes_at: time,
    open_on_rest_days: bool,
    operator: str,
    description: str,
) -> dict[str, Any]:
    """A venue's fields, checked (the same for adding and editing)."""
    if level not in LEVEL_PLACES:
        raise VenueError.invalid(_("Choose the venue's level."), field="level")
    if node.kind not in LEVEL_PLACES[level]:
        raise VenueError.invalid(_("A venue of this level cannot serve this place."), field="node")
    name = _text(name, 80, "name", _("Give the venue's name (at most 80 characters)."))
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise VenueError.invalid(_("The location is not on the map."), field="lat")
    if floor_area_m2 is not None and not 0 < floor_area_m2 <= 1_000_000:
        raise VenueError.invalid(_("Give the floor area in square metres."), field="floor_area_m2")
    if closes_at <= opens_at:
        raise VenueError.invalid(_("The venue must close after it opens."), field="closes_at")
    return {
        "node": node,
        "name": name,
        "level": level,
        "lat": lat,
        "lng": lng,
        "address": _text(address, 200, "address", _("The address is too long."), required=False),
        "floor_area_m2": floor_area_m2,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "open_on_rest_days": open_on_rest_days,
        "operator": _text(operator, 80, "operator", _("The operator's name is too long."), required=False),
        "description": _text(description, 2000, "description", _("Too long."), required=False),
    }


def venue_create(
    *,
    actor: User,
    node: Node,
    name: str,
    level: str,
    lat: float,
    lng: float,
    address: str = "",
    floor_area_m2: int | None = None,
    opens_at: time = time(8, 30),
    closes_at: time = time(20, 30),
    open_on_rest_days: bool = True,
    operator: str = "",
    description: str = "",
) -> Venue:
    """Staff over a place register a venue serving it."""
    if not staff_at.test(actor, node):
        raise VenueError.forbidden(_("Only staff of this place can add its venues."))
    fields = _venue_fields(
        node=node, name=name, level=level, lat=lat, lng=lng, address=address, floor_area_m2=floor_area_m2,
        opens_at=opens_at, closes_at=closes_at, open_on_rest_days=open_on_rest_days, operator=operator,
        description=description,
    )  # fmt: skip
    try:
        with transaction.atomic():
            venue = Venue.objects.create(**fields)
            audit_record(actor=actor, action="venues.venue_create", target=venue, node=venue.node)
            return venue
    except IntegrityError:
        raise VenueError.conflict("duplicate", _("This place already has a venue of this name.")) from None


VENUE_EDITABLE = (
    "node", "name", "level", "lat", "lng", "address", "floor_area_m2", "opens_at", "closes_at",
    "open_on_rest_days", "operator", "description",
)  # fmt: skip


def venue_update(*, actor: User, venue: Venue, **changes: Any) -> Venue:
    """The venue's staff change its details; moving it to another place needs staff of that place too."""
    unknown = set(changes) - set(VENUE_EDITABLE)
    if unknown:
        raise VenueError.invalid(_("These details cannot be changed here."), field=sorted(unknown)[0])
    if not rules.runs_venue.test(actor, venue):
        raise VenueError.forbidden(_("Only the venue's staff can change it."))
    node = changes.get("node", venue.node)
    if node.pk != venue.node_id and not staff_at.test(actor, node):
        raise VenueError.forbidden(_("Only staff of this place can add its venues."))
    fields = _venue_fields(**({f: getattr(venue, f) for f in VENUE_EDITABLE} | changes))
    return _save_checked(
        actor, "venues.venue_update", venue, fields, _("This place already has a venue of this name.")
    )


def _save_checked(actor: User, action: str, row: Any, fields: dict[str, Any], duplicate: Any) -> Any:
    """Write checked ``fields`` onto ``row`` under its row lock (the caller checked the actor's right) and
    audit the names of the fields that changed; a name already used beside it is a 409."""
    try:
        with transaction.atomic():
            # unscoped: the caller checked the actor's right over this row
            locked = type(row)._default_manager.select_for_update().get(pk=row.pk)
            changed = sorted(key for key, value in fields.items() if getattr(locked, key) != value)
            for key, value in fields.items():
                setattr(locked, key, value)
            locked.save(update_fields=list(fields))
            venue = locked if isinstance(locked, Venue) else locked.venue
            audit_record(actor=actor, action=action, target=locked, node=venue.node, changed=changed)
    except IntegrityError:
        raise VenueError.conflict("duplicate", duplicate) from None
    return locked


def _space_fields(
    *,
    name: str,
    kind: str,
    capacity: int,
    equipment: str,
    bookable_by: str,
    needs_approval: bool,
    max_days_ahead: int,
) -> dict[str, Any]:
    name = _text(name, 60, "name", _("Give the area's name (at most 60 characters)."))
    if kind not in SpaceKind.values:
        raise VenueError.invalid(_("Choose the kind of area."), field="kind")
    if bookable_by not in BookableBy.values:
        raise VenueError.invalid(_("Say who may book it."), field="bookable_by")
    if not 0 < capacity <= 10_000:
        raise VenueError.invalid(_("Give how many people it holds."), field="capacity")
    if not 0 < max_days_ahead <= 366:
        raise VenueError.invalid(_("Bookable from 1 to 366 days ahead."), field="max_days_ahead")
    return {
        "name": name,
        "kind": kind,
        "capacity": capacity,
        "equipment": _text(equipment, 200, "equipment", _("Too long."), required=False),
        "bookable_by": bookable_by,
        "needs_approval": needs_approval,
        "max_days_ahead": max_days_ahead,
    }


def space_create(
    *,
    actor: User,
    venue: Venue,
    name: str,
    kind: str,
    capacity: int = 20,
    equipment: str = "",
    bookable_by: str = BookableBy.ORGANISATIONS,
    needs_approval: bool = True,
    max_days_ahead: int = 90,
) -> Space:
    if not rules.runs_venue.test(actor, venue):
        raise VenueError.forbidden(_("Only the venue's staff can change its areas."))
    fields = _space_fields(
        name=name, kind=kind, capacity=capacity, equipment=equipment, bookable_by=bookable_by,
        needs_approval=needs_approval, max_days_ahead=max_days_ahead,
    )  # fmt: skip
    try:
        with transaction.atomic():
            space = Space.objects.create(venue=venue, **fields)
            audit_record(actor=actor, action="venues.space_create", target=space, node=venue.node)
            return space
    except IntegrityError:
        raise VenueError.conflict("duplicate", _("This venue already has an area of this name.")) from None


SPACE_EDITABLE = ("name", "kind", "capacity", "equipment", "bookable_by", "needs_approval", "max_days_ahead")


def space_update(*, actor: User, space: Space, **changes: Any) -> Space:
    """The venue's staff change an area (bookings already made stay as they are)."""
    unknown = set(changes) - set(SPACE_EDITABLE)
    if unknown:
        raise VenueError.invalid(_("These details cannot be changed here."), field=sorted(unknown)[0])
    if not rules.runs_venue.test(actor, space):
        raise VenueError.forbidden(_("Only the venue's staff can change its areas."))
    fields = _space_fields(**({f: getattr(space, f) for f in SPACE_EDITABLE} | changes))
    return _save_checked(
        actor, "venues.space_update", space, fields, _("This venue already has an area of this name.")
    )


def service_create(
    *,
    actor: User,
    venue: Venue,
    name: str,
    weekday: int,
    start_time: time,
    end_time: time,
    provider: str,
    queue_tickets: bool = False,
) -> ConvenienceService:
    if not rules.runs_venue.test(actor, venue):
        raise VenueError.forbidden(_("Only the venue's staff can add its services."))
    name = _text(name, 40, "name", _("Name the service (at most 40 characters)."))
    provider = _text(provider, 60, "provider", _("Say who provides it (at most 60 characters)."))
    if not 0 <= weekday <= 6:
        raise VenueError.invalid(_("Choose the weekday."), field="weekday")
    if end_time <= start_time:
        raise VenueError.invalid(_("The end must be after the start."), field="end_time")
    with transaction.atomic():
        service = ConvenienceService.objects.create(
            venue=venue,
            name=name,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            provider=provider,
            queue_tickets=queue_tickets,
        )
        audit_record(actor=actor, action="venues.service_create", target=service, node=venue.node)
    return service


def ticket_take(*, actor: User, service: ConvenienceService, day: date | None = None) -> QueueTicket:
    """A resident takes the next number for today's slot (one per person); a repeat gives the same one."""
    day = day or timezone.localtime(timezone.now(), SHANGHAI).date()
    if not service.queue_tickets or not service.active:
        raise VenueError.conflict("no_tickets", _("This service gives no numbered tickets."))
    if day.weekday() != service.weekday:
        raise VenueError.conflict("not_today", _("This service is not held that day."))
    with transaction.atomic():
        # The service's row is the lock: numbers are handed out one at a time.
        # unscoped: a lock on the row fetched in scope
        ConvenienceService.objects.select_for_update().filter(pk=service.pk).first()
        # unscoped: the holder's own ticket
        mine = QueueTicket.objects.filter(service=service, day=day, holder=actor).first()
        if mine is not None:
            return mine
        # unscoped: the last number handed out for this slot
        last = QueueTicket.objects.filter(service=service, day=day).aggregate(n=Max("number"))["n"] or 0
        if last >= 999:
            raise VenueError.conflict("full", _("No more tickets today."))
        return QueueTicket.objects.create(service=service, day=day, number=last + 1, holder=actor)


def _subdistrict(node: Node) -> Node:
    """The subdistrict a place lies in (paths are four characters a level: district, subdistrict, ...)."""
    if node.kind == NodeKind.SUBDISTRICT:
        return node
    # unscoped: the subdistrict above a place the caller already fetched in scope
    return Node.objects.get(path=node.path[: 2 * Node.steplen])


def delivery_record(
    *, actor: User, service: ConvenienceService, day: date, served: int, hours: Any = None
) -> ServiceDelivery:
    """Staff (or the provider) record how many were served in a slot; once per slot and day, corrected by
    recording again. When the venue's staff record the hours of a service a named volunteer provides, the
    volunteer earns points for them in the ledger (at the subdistrict's rate for volunteers; once per slot
    and day: the same hours again change nothing, other hours once paid are refused)."""
    if not (rules.runs_venue.test(actor, service) or actor.pk == service.provider_user_id):
        raise VenueError.forbidden(_("Only the venue's staff or the provider can record this."))
    if not 0 <= served <= 10_000:
        raise VenueError.invalid(_("Give how many people were served."), field="served")
    if hours is not None and not 0 <= hours <= 24:
        raise VenueError.invalid(_("Give the hours served (0 to 24)."), field="hours")
    if day > timezone.localtime(timezone.now(), SHANGHAI).date():
        raise VenueError.invalid(_("This day has not come yet."), field="day")
    provider = service.provider_user
    pays = bool(hours) and provider is not None and rules.runs_venue.test(actor, service)
    with transaction.atomic():
        row, _created = (
            ServiceDelivery.objects.update_or_create(  # unscoped: the delivery row of a service fetched in scope
                service=service, day=day, defaults={"served": served, "hours": hours, "recorded_by": actor}
            )
        )
        if pays and provider is not None:
            subdistrict = _subdistrict(service.venue.node)
            amount = Decimal(str(hours))
            points = points_for_hours(policy=earning_policy(subdistrict), hours=amount, role="volunteer")
            try:
                service_points_post(
                    key=f"venue-service:{service.pk}:{day.isoformat()}",
                    subdistrict=subdistrict,
                    user=provider,
                    points=points,
                    actor=actor,
                    memo=f"{service.venue.name} {service.name} {amount}h"[:200],
                    occurred_at=datetime.combine(day, service.end_time, SHANGHAI),
                )
            except LedgerError as error:
                if error.code != "key_reused":
                    raise
                raise VenueError.conflict(
                    "points_paid", _("Points were already paid for other hours of this service on this day.")
                ) from None
    return row


def visit_record(
    *, actor: User, venue: Venue, day: date, kind: str, visitors: int, activities: int = 1, title: str = ""
) -> VisitCount:
    """Staff record a head-count for an activity (or a day's walk-ins) at their venue."""
    if not rules.runs_venue.test(actor, venue):
        raise VenueError.forbidden(_("Only the venue's staff can record visits."))
    if kind not in ActivityKind.values:
        raise VenueError.invalid(_("Choose the kind of activity."), field="kind")
    if not 0 < visitors <= 100_000:
        raise VenueError.invalid(_("Give the number of visitors."), field="visitors")
    if not 0 <= activities <= 1000:
        raise VenueError.invalid(_("Give the number of activities."), field="activities")
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    if day > today or day.year < 2000:
        raise VenueError.invalid(_("Give a day that has passed."), field="day")
    return VisitCount.objects.create(
        venue=venue,
        day=day,
        kind=kind,
        visitors=visitors,
        activities=activities,
        title=_text(title, 80, "title", _("Too long."), required=False),
        recorded_by=actor,
    )


def plan_save(
    *, actor: User, node: Node, year: int, title: str, result: dict[str, Any], adopt: bool
) -> StationPlan:
    """Keep a computed plan (``circle_data.siting`` output); ``adopt`` makes it the plan for the year,
    replacing the one adopted before."""
    if not staff_at.test(actor, node) or node.kind not in (NodeKind.SUBDISTRICT, NodeKind.COMMUNITY):
        raise VenueError.forbidden(_("Only staff of this subdistrict or community can save its plans."))
    if not 2000 <= year <= 2100:
        raise VenueError.invalid(_("Give the year of the plan."), field="year")
    title = _text(title, 80, "title", _("Give the plan a title (at most 80 characters)."))
    chosen = result["exact"] if result["method"] == "exact" else result["greedy"]
    with transaction.atomic():
        if adopt:
            # unscoped: the plan adopted before for this place and year, replaced
            StationPlan.objects.filter(node=node, year=year, adopted=True).update(adopted=False)
        plan = StationPlan.objects.create(
            node=node,
            year=year,
            title=title,
            distance_m=result["distance"],
            stations=result["k"],
            method=result["method"],
            sites=chosen["sites"],
            candidates=result["candidates"],
            newly_covered=chosen["covered"],
            residents=result["residents"],
            covered_before=result["covered_before"],
            greedy_gap=result["greedy_gap"],
            adopted=adopt,
            saved_by=actor,
        )
        audit_record(actor=actor, action="venues.plan_save", target=plan, node=node, adopted=adopt)
        return plan


def booking_actions(*, user: User, booking: Any) -> list[str]:
    return BOOKING_WORKFLOW.available(user, booking)
