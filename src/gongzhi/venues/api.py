"""The venues API: venues, function areas, bookings (409 ``clash`` names the booking in the way), blackouts,
convenience services, visits, rotations, the service circle and station plans."""

from datetime import date, datetime, timedelta

from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import LimitOffset
from gongzhi.core.schemas import ErrorOut
from gongzhi.orgs.selectors import node_get
from gongzhi.venues import circle_data, rules, selectors, services
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import Booking, ConvenienceService, Space, StationPlan, Venue
from gongzhi.venues.schemas import (
    BlackoutIn,
    BlackoutOut,
    BookingIn,
    BookingOut,
    BookingsMadeOut,
    BookingTransitionIn,
    BusyOut,
    ConvenienceServiceIn,
    ConvenienceServiceOut,
    DeliveryIn,
    DeliveryOut,
    RotationIn,
    RotationOut,
    SitingIn,
    SitingPlanOut,
    SpaceIn,
    SpaceOut,
    SwapIn,
    SwapOut,
    SwapTransitionIn,
    TicketOut,
    VenueIn,
    VenueOut,
    VisitIn,
    VisitOut,
    WeekOut,
    WeekPlanIn,
)

router = Router(tags=["venues"])
E4 = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def venue_out(v: Venue) -> dict:
    return {
        "id": v.pk,
        "name": v.name,
        "level": v.level,
        "level_label": str(v.get_level_display()),
        "node_id": v.node_id,
        "node_name": v.node.name,
        "address": v.address,
        "lat": v.lat,
        "lng": v.lng,
        "floor_area_m2": v.floor_area_m2,
        "opens_at": v.opens_at,
        "closes_at": v.closes_at,
        "open_on_rest_days": v.open_on_rest_days,
        "operator": v.operator,
        "description": v.description,
    }


def space_out(s: Space, user) -> dict:
    return {
        "id": s.pk,
        "venue_id": s.venue_id,
        "venue_name": s.venue.name,
        "name": s.name,
        "kind": s.kind,
        "kind_label": str(s.get_kind_display()),
        "capacity": s.capacity,
        "equipment": s.equipment,
        "bookable_by": s.bookable_by,
        "needs_approval": s.needs_approval,
        "max_days_ahead": s.max_days_ahead,
        "may_book": rules.may_book.test(user, s),
    }


def booking_out(b: Booking, user) -> dict:
    return {
        "id": b.pk,
        "space_id": b.space_id,
        "space_name": b.space.name,
        "venue_id": b.space.venue_id,
        "venue_name": b.space.venue.name,
        "title": b.title,
        "starts_at": b.starts_at,
        "ends_at": b.ends_at,
        "status": b.status,
        "for_node": b.for_node.name if b.for_node is not None else "",
        "series_id": b.series_id,
        "mine": b.booked_by_id == user.pk,
        "actions": services.booking_actions(user=user, booking=b),
    }


def service_out(s: ConvenienceService, ticket: int | None = None) -> dict:
    return {
        "id": s.pk,
        "venue_id": s.venue_id,
        "venue_name": s.venue.name,
        "name": s.name,
        "weekday": s.weekday,
        "start_time": s.start_time,
        "end_time": s.end_time,
        "provider": s.provider,
        "queue_tickets": s.queue_tickets,
        "my_ticket": ticket,
    }


def plan_out(p: StationPlan) -> dict:
    return {f: getattr(p, f) for f in SitingPlanOut.model_fields} | {"node_id": p.node_id}


# --- venues and areas ----------------------------------------------------------------------------


@router.get("/venues", response={200: list[VenueOut], 404: ErrorOut})
@paginate(LimitOffset)
def venue_list(
    request: AuthenticatedHttpRequest, node_id: int | None = Query(None, ge=1, le=2**31 - 1), level: str = ""
):
    """The venues you see (residents: those of their subdistrict), under a place and of a level if given."""
    node = node_get(fetched_by=request.user, pk=node_id) if node_id else None
    return [
        venue_out(v) for v in selectors.venue_list(fetched_by=request.user, node=node, level=level or None)
    ]


@router.post("/venues", response={201: VenueOut, **E4})
def venue_create(request: AuthenticatedHttpRequest, data: VenueIn):
    node = node_get(fetched_by=request.user, pk=data.node_id)
    fields = data.dict(exclude={"node_id"})
    return Status(201, venue_out(services.venue_create(actor=request.user, node=node, **fields)))


@router.get("/venues/{venue_id}", response={200: VenueOut, 404: ErrorOut})
def venue_get(request: AuthenticatedHttpRequest, venue_id: int):
    return venue_out(selectors.venue_get(fetched_by=request.user, pk=venue_id))


@router.get("/spaces", response={200: list[SpaceOut], 404: ErrorOut})
def space_list(request: AuthenticatedHttpRequest, venue_id: int | None = Query(None, ge=1, le=2**31 - 1)):
    """Function areas (功能区) of a venue, or of every venue you see; ``may_book``: whether you may."""
    venue = selectors.venue_get(fetched_by=request.user, pk=venue_id) if venue_id else None
    return [
        space_out(s, request.user) for s in selectors.space_list(fetched_by=request.user, venue=venue)[:1000]
    ]


@router.post("/spaces", response={201: SpaceOut, **E4})
def space_create(request: AuthenticatedHttpRequest, data: SpaceIn):
    venue = selectors.venue_get(fetched_by=request.user, pk=data.venue_id)
    space = services.space_create(actor=request.user, venue=venue, **data.dict(exclude={"venue_id"}))
    return Status(201, space_out(space, request.user))


@router.get("/spaces/{space_id}/busy", response={200: list[BusyOut], 404: ErrorOut, 422: ErrorOut})
def space_busy(
    request: AuthenticatedHttpRequest, space_id: int, start: datetime, days: int = Query(14, ge=1, le=92)
):
    """When the area is taken (no names), ``days`` from ``start``."""
    space = selectors.space_get(fetched_by=request.user, pk=space_id)
    try:
        end = start + timedelta(days=days)
    except OverflowError:
        raise VenueError.invalid("start", field="start") from None
    return selectors.space_busy(fetched_by=request.user, space=space, start=start, end=end)


# --- bookings ------------------------------------------------------------------------------------


@router.get("/bookings", response={200: list[BookingOut], 404: ErrorOut})
@paginate(LimitOffset)
def booking_list(
    request: AuthenticatedHttpRequest,
    view: str = Query("mine", pattern="^(mine|all|approvals)$"),
    venue_id: int | None = Query(None, ge=1, le=2**31 - 1),
    space_id: int | None = Query(None, ge=1, le=2**31 - 1),
):
    """Your bookings (``mine``), the bookings of the venues you run not yet over (``all``), or those awaiting
    your approval (``approvals``)."""
    user = request.user
    if view == "approvals":
        rows = selectors.approvals(fetched_by=user)
    else:
        venue = selectors.venue_get(fetched_by=user, pk=venue_id) if venue_id else None
        space = selectors.space_get(fetched_by=user, pk=space_id) if space_id else None
        mine = view == "mine"
        rows = selectors.booking_list(
            fetched_by=user, venue=venue, space=space, mine=mine, start=None if mine else timezone.now()
        )
    return [booking_out(b, user) for b in rows[:1000]]


@router.post("/bookings", response={201: BookingsMadeOut, **E4})
def booking_create(request: AuthenticatedHttpRequest, data: BookingIn):
    """Book an area once or repeatedly (weekly on chosen weekdays or every working day, until a date or N
    times). ``on_clash``: ``refuse_all`` answers 409 ``clash`` with ``fields.clashes_with`` = the booking
    in the way; ``skip`` leaves out the dates that clash or are closed and lists them."""
    space = selectors.space_get(fetched_by=request.user, pk=data.space_id)
    for_node = node_get(fetched_by=request.user, pk=data.for_node_id) if data.for_node_id else None
    result = services.booking_create(
        actor=request.user,
        space=space,
        title=data.title,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        for_node=for_node,
        attendees=data.attendees,
        repeat=services.Repeat(
            kind=data.repeat, weekdays=data.weekdays, until=data.until, count=data.count, policy=data.on_clash
        ),
    )
    return Status(
        201,
        {
            "series_id": result.series.pk if result.series else None,
            "rule": result.series.rule if result.series else "",
            "bookings": [booking_out(b, request.user) for b in result.bookings],
            "skipped": result.skipped,
        },
    )


@router.get("/bookings/{booking_id}", response={200: BookingOut, 404: ErrorOut})
def booking_get(request: AuthenticatedHttpRequest, booking_id: int):
    return booking_out(selectors.booking_get(fetched_by=request.user, pk=booking_id), request.user)


@router.post("/bookings/{booking_id}/transitions", response={200: BookingOut, **E4})
def booking_transition(request: AuthenticatedHttpRequest, booking_id: int, data: BookingTransitionIn):
    """approve / reject (the venue's staff; a reason to reject), cancel (the booker or the staff)."""
    booking = selectors.booking_get(fetched_by=request.user, pk=booking_id)
    booking = services.booking_transition(
        actor=request.user, booking=booking, action=data.action, note=data.note
    )
    return booking_out(booking, request.user)


@router.post("/blackouts", response={201: BlackoutOut, **E4})
def blackout_create(request: AuthenticatedHttpRequest, data: BlackoutIn):
    """Close a venue (or one area) for a period; 409 ``clash`` while a booking holds time in it."""
    space = selectors.space_get(fetched_by=request.user, pk=data.space_id)
    if data.ends_at <= data.starts_at:
        raise VenueError.invalid(field="ends_at")
    row = services.blackout_create(
        actor=request.user,
        space=space,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        reason=data.reason,
        whole_venue=data.whole_venue,
    )
    return Status(
        201,
        {f: getattr(row, f) for f in BlackoutOut.model_fields}
        | {"venue_id": row.venue_id, "space_id": row.space_id},
    )


# --- convenience services and visits -----------------------------------------------------------------


@router.get("/convenience-services", response={200: list[ConvenienceServiceOut], 404: ErrorOut})
def service_list(
    request: AuthenticatedHttpRequest,
    day: date | None = None,
    venue_id: int | None = Query(None, ge=1, le=2**31 - 1),
):
    """The services held on ``day`` (today if not given) at the venues you see, earliest first; with your
    queue number where you took one."""
    day = day or selectors.today()
    venue = selectors.venue_get(fetched_by=request.user, pk=venue_id) if venue_id else None
    tickets = selectors.my_tickets(fetched_by=request.user, day=day)
    rows = selectors.services_on(fetched_by=request.user, day=day, venue=venue)[:500]
    return [service_out(s, tickets.get(s.pk)) for s in rows]


@router.post("/convenience-services", response={201: ConvenienceServiceOut, **E4})
def service_create(request: AuthenticatedHttpRequest, data: ConvenienceServiceIn):
    venue = selectors.venue_get(fetched_by=request.user, pk=data.venue_id)
    row = services.service_create(actor=request.user, venue=venue, **data.dict(exclude={"venue_id"}))
    return Status(201, service_out(row))


@router.post("/convenience-services/{service_id}/tickets", response={200: TicketOut, **E4})
def ticket_take(request: AuthenticatedHttpRequest, service_id: int):
    """Take the next number for today's slot (asking again gives the same number)."""
    service = selectors.service_get(fetched_by=request.user, pk=service_id)
    ticket = services.ticket_take(actor=request.user, service=service)
    return {"service_id": service.pk, "day": ticket.day, "number": ticket.number}


@router.post("/convenience-services/{service_id}/deliveries", response={200: DeliveryOut, **E4})
def delivery_record(request: AuthenticatedHttpRequest, service_id: int, data: DeliveryIn):
    """How many were served in a slot (staff or the provider); recording again corrects it."""
    service = selectors.service_get(fetched_by=request.user, pk=service_id)
    row = services.delivery_record(
        actor=request.user, service=service, day=data.day, served=data.served, hours=data.hours
    )
    return {"service_id": service.pk, "day": row.day, "served": row.served, "hours": row.hours}


@router.post("/visits", response={201: VisitOut, **E4})
def visit_record(request: AuthenticatedHttpRequest, data: VisitIn):
    """A head-count for an activity at a venue (the venue's staff)."""
    venue = selectors.venue_get(fetched_by=request.user, pk=data.venue_id)
    row = services.visit_record(actor=request.user, venue=venue, **data.dict(exclude={"venue_id"}))
    return Status(201, {f: getattr(row, f) for f in VisitOut.model_fields} | {"venue_id": row.venue_id})


@router.get("/visits/totals", response={200: dict, 404: ErrorOut})
def visit_totals(request: AuthenticatedHttpRequest, node_id: int = Query(..., ge=1, le=2**31 - 1)):
    """Visitors and activities per venue, month and kind under a place."""
    node = node_get(fetched_by=request.user, pk=node_id)
    return selectors.visit_totals(fetched_by=request.user, node=node)


# --- rotations ---------------------------------------------------------------------------------------


def rotation_out(rotation) -> dict:
    return {
        "id": rotation.pk,
        "venue_id": rotation.venue_id,
        "venue_name": rotation.venue.name,
        "name": rotation.name,
        "starts_on": rotation.starts_on,
        "ends_on": rotation.ends_on,
        "weeks": [week_out(w) for w in selectors.rotation_weeks(rotation=rotation)],
    }


def week_out(w) -> dict:
    return {
        "id": w.pk,
        "week_of": w.week_of,
        "owner_id": w.owner_id,
        "owner": w.owner.name,
        "workdays": w.workdays,
        "plan": w.plan,
    }


@router.get("/rotations", response={200: list[RotationOut], 404: ErrorOut})
def rotation_list(request: AuthenticatedHttpRequest, venue_id: int | None = Query(None, ge=1, le=2**31 - 1)):
    venue = selectors.venue_get(fetched_by=request.user, pk=venue_id) if venue_id else None
    return [rotation_out(r) for r in selectors.rotation_list(fetched_by=request.user, venue=venue)[:50]]


@router.post("/rotations", response={201: RotationOut, **E4})
def rotation_create(request: AuthenticatedHttpRequest, data: RotationIn):
    """A fair round robin of the members' weeks on the working-day calendar, without the weeks excluded."""
    venue = selectors.venue_get(fetched_by=request.user, pk=data.venue_id)
    members = [node_get(fetched_by=request.user, pk=pk) for pk in dict.fromkeys(data.member_ids)]
    rotation = services.rotation_create(
        actor=request.user,
        venue=venue,
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        members=members,
        excluded_weeks=data.excluded_weeks,
    )
    return Status(201, rotation_out(rotation))


@router.get("/rotations/{rotation_id}", response={200: RotationOut, 404: ErrorOut})
def rotation_get(request: AuthenticatedHttpRequest, rotation_id: int):
    return rotation_out(selectors.rotation_get(fetched_by=request.user, pk=rotation_id))


@router.post("/rotations/weeks/{week_id}/plan", response={200: WeekOut, **E4})
def week_plan(request: AuthenticatedHttpRequest, week_id: int, data: WeekPlanIn):
    week = selectors.week_get(fetched_by=request.user, pk=week_id)
    return week_out(services.week_plan(actor=request.user, week=week, plan=data.plan))


@router.post("/rotations/weeks/{week_id}/swaps", response={201: SwapOut, **E4})
def swap_request(request: AuthenticatedHttpRequest, week_id: int, data: SwapIn):
    """Ask to swap your week with another member's; they agree, then the centre approves."""
    week = selectors.week_get(fetched_by=request.user, pk=week_id)
    other = selectors.week_get(fetched_by=request.user, pk=data.other_week_id)
    swap = services.swap_request(actor=request.user, week=week, other=other)
    return Status(
        201, {"id": swap.pk, "week_id": swap.week_id, "other_id": swap.other_id, "status": swap.status}
    )


@router.post("/swaps/{swap_id}/transitions", response={200: SwapOut, **E4})
def swap_transition(request: AuthenticatedHttpRequest, swap_id: int, data: SwapTransitionIn):
    swap = selectors.swap_get(fetched_by=request.user, pk=swap_id)
    swap = services.swap_transition(actor=request.user, swap=swap, action=data.action, note=data.note)
    return {"id": swap.pk, "week_id": swap.week_id, "other_id": swap.other_id, "status": swap.status}


# --- the service circle and plans ------------------------------------------------------------------


@router.get("/coverage", response={200: dict, 404: ErrorOut, 422: ErrorOut})
def coverage(
    request: AuthenticatedHttpRequest,
    node: int = Query(..., ge=1, le=2**31 - 1),
    distance: int = Query(1000, ge=50, le=5000),
    detour: float = Query(1.0, ge=1.0, le=2.0),
):
    """The 10-minute service circle of a place: the share of registered residents within ``distance``
    (and 500 m) of a venue of each level, per community, each building's distance to the nearest venue, and
    the uncovered buildings. Distance = straight line × ``detour``."""
    place = node_get(fetched_by=request.user, pk=node)
    return circle_data.coverage(fetched_by=request.user, node=place, distance=distance, detour=detour)


@router.post("/siting", response={200: dict, **E4})
def siting(request: AuthenticatedHttpRequest, data: SitingIn):
    """Where ``k`` new stations cover the most residents not yet covered: the exact plan (HiGHS MILP),
    the greedy plan and its gap. With ``save``, the better plan is kept (``adopt``: as the plan for the
    year)."""
    place = node_get(fetched_by=request.user, pk=data.node_id)
    candidates = data.candidates if isinstance(data.candidates, str) else [s.dict() for s in data.candidates]
    result = circle_data.siting(
        fetched_by=request.user,
        node=place,
        k=data.k,
        candidates=candidates,
        distance=data.distance,
        detour=data.detour,
    )
    if data.save is not None:
        plan = services.plan_save(
            actor=request.user,
            node=place,
            year=data.save.year,
            title=data.save.title,
            result=result,
            adopt=data.save.adopt,
        )
        result["plan_id"] = plan.pk
    return result


@router.get("/station-plans", response={200: list[SitingPlanOut], 404: ErrorOut})
def plan_list(request: AuthenticatedHttpRequest, node_id: int | None = Query(None, ge=1, le=2**31 - 1)):
    node = node_get(fetched_by=request.user, pk=node_id) if node_id else None
    return [plan_out(p) for p in selectors.plan_list(fetched_by=request.user, node=node)[:200]]
