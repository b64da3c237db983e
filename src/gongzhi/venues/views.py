"""The venues pages: for residents (venues near me, today's services, booking an area where allowed) at
phone width; for staff (the desk: calendar and approvals; rotation; the service-circle map; siting)."""

import math
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.accounts.selectors import user_role_bindings
from gongzhi.core.roles import OVERSIGHT_ROLES
from gongzhi.core.rules import is_caseworker, is_overseer, is_viewer_only
from gongzhi.core.web import form_errors_message, role_required, service_call
from gongzhi.core.workdays import SHANGHAI
from gongzhi.orgs.models import NodeKind
from gongzhi.orgs.picker import chosen, picker_state
from gongzhi.orgs.selectors import node_get
from gongzhi.venues import circle_data, ical, rules, selectors, services
from gongzhi.venues.errors import VenueError
from gongzhi.venues.forms import (
    BookingForm,
    PlanSaveForm,
    SitingForm,
    SpaceForm,
    StepForm,
    VenueForm,
    WeekPlanForm,
)
from gongzhi.venues.models import BookingStatus
from gongzhi.volunteering.selectors import activity_get


def _home(user) -> tuple[float, float] | None:
    """Where the user lives or works (their first bound place with a location), for "near me"."""
    for binding in user_role_bindings(user=user).select_related("node"):
        if binding.node.lat is not None:
            return binding.node.lat, binding.node.lng
    return None


def _metres(a: tuple[float, float], lat: float, lng: float) -> int:
    dy = (lat - a[0]) * 111_195
    dx = (lng - a[1]) * 111_195 * math.cos(math.radians(a[0]))
    return round(math.hypot(dx, dy))


def _services_today(user, day: date):
    tickets = selectors.my_tickets(fetched_by=user, day=day)
    return [(s, tickets.get(s.pk)) for s in selectors.services_on(fetched_by=user, day=day)[:100]]


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Venues near me (nearest first) and today's convenience services."""
    user = request.user
    if is_viewer_only.test(user):  # figures only: no booking, no queue tickets
        return redirect("venues:desk")
    home = _home(user)
    venues = list(selectors.venue_list(fetched_by=user)[:300])
    rows = [
        (v, _metres(home, v.lat, v.lng) if home and v.lat is not None and v.lng is not None else None)
        for v in venues
    ]
    if home:
        rows.sort(key=lambda r: (r[1] is None, r[1] or 0))
    day = selectors.today()
    return render(
        request,
        "venues/index.html",
        {
            "venues": rows[:40],
            "services": _services_today(user, day),
            "today": day,
            "points": [
                {"id": v.pk, "name": v.name, "level": v.level, "lat": v.lat, "lng": v.lng}
                for v, _d in rows[:300]
                if v.lat is not None
            ],
            "tiles": settings.GONGZHI_MAP_TILES,
            "staff": is_overseer.test(user),
        },
    )


@login_required
def venue_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    venue = selectors.venue_get(fetched_by=user, pk=pk)
    spaces = [(s, rules.may_book.test(user, s)) for s in selectors.space_list(fetched_by=user, venue=venue)]
    runs = rules.runs_venue.test(user, venue)
    return render(
        request,
        "venues/detail.html",
        {
            "venue": venue,
            "spaces": spaces,
            "services": selectors.service_list(fetched_by=user, venue=venue),
            "rotations": selectors.rotation_list(fetched_by=user, venue=venue)[:5],
            "runs": runs,
            "feed_key": ical.feed_key("venue", venue.pk) if runs else "",
            "totals": selectors.visit_totals(fetched_by=user, node=venue.node) if runs else None,
        },
    )


@role_required(is_caseworker)
def venue_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Add a venue (its place chosen with the place picker) or change one the user runs."""
    user = request.user
    venue = selectors.venue_get(fetched_by=user, pk=pk) if pk is not None else None
    if venue is not None and not rules.runs_venue.test(user, venue):
        raise Http404
    initial = {f: getattr(venue, f) for f in services.VENUE_EDITABLE if f != "node"} if venue else {}
    form = VenueForm(request.POST or None, initial=initial | ({"node": venue.node_id} if venue else {}))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        node = chosen(user=user, purpose="venue", pk=data["node"])
        if data["lat"] is None or data["lng"] is None:
            data["lat"], data["lng"] = node.lat, node.lng
        with service_call(request, success=_("Saved."), form=form) as call:
            if data["lat"] is None or data["lng"] is None:
                raise VenueError.invalid(_("Give the venue's location: this place has none."), field="lat")
            fields = {f: data[f] for f in services.VENUE_EDITABLE if f != "node"} | {"node": node}
            if venue is None:
                venue = services.venue_create(actor=user, **fields)
            else:
                venue = services.venue_update(actor=user, venue=venue, **fields)
        if call.ok and venue is not None:
            return redirect("venues:detail", pk=venue.pk)
    selected = request.POST.get("node") or (venue.node_id if venue else None)
    return render(
        request,
        "venues/venue_form.html",
        {"form": form, "venue": venue, "picker": picker_state(user=user, purpose="venue", selected=selected)},
        status=400 if request.method == "POST" else 200,
    )


@role_required(is_caseworker)
def space_edit(
    request: AuthenticatedHttpRequest, pk: int | None = None, venue_pk: int | None = None
) -> HttpResponse:
    """Add a function area to a venue the user runs, or change one."""
    user = request.user
    space = selectors.space_get(fetched_by=user, pk=pk) if pk is not None else None
    venue = space.venue if space is not None else selectors.venue_get(fetched_by=user, pk=venue_pk or 0)
    if not rules.runs_venue.test(user, venue):
        raise Http404
    initial = {f: getattr(space, f) for f in services.SPACE_EDITABLE} if space else {}
    form = SpaceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in services.SPACE_EDITABLE}
        with service_call(request, success=_("Saved."), form=form) as call:
            if space is None:
                services.space_create(actor=user, venue=venue, **fields)
            else:
                services.space_update(actor=user, space=space, **fields)
        if call.ok:
            return redirect("venues:detail", pk=venue.pk)
    return render(
        request,
        "venues/space_form.html",
        {"form": form, "venue": venue, "space": space},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def space_book(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Book an area: once or repeating; a clash is refused with the booking in the way named."""
    user = request.user
    space = selectors.space_get(fetched_by=user, pk=pk)
    if not rules.may_book.test(user, space):
        raise Http404
    form = BookingForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts = datetime.combine(data["day"], data["start"], SHANGHAI)
        ends = datetime.combine(data["day"], data["end"], SHANGHAI)
        for_node = _for_node(user, space)
        with service_call(request, form=form) as call:
            try:
                made = services.booking_create(
                    actor=user,
                    space=space,
                    title=data["title"],
                    starts_at=starts,
                    ends_at=ends,
                    for_node=for_node,
                    attendees=data["attendees"],
                    repeat=services.Repeat(
                        kind=data["repeat"],
                        weekdays=data["weekdays"],
                        until=data["until"],
                        count=data["count"],
                        policy=data["on_clash"],
                    ),
                )
            except VenueError as error:
                if error.code != "clash":
                    raise
                # A clash's fields carry the id of the booking in the way, for programs; the page shows the
                # sentence that names it (the form would otherwise show the bare id above itself).
                raise VenueError.conflict("clash", error.message) from error
        if call.ok and made is not None:
            text = _("Booked %(n)d time(s).") % {"n": len(made.bookings)}
            if made.skipped:
                text += " " + _("Left out %(n)d date(s) that clash or are closed.") % {"n": len(made.skipped)}
            messages.success(request, text)
            if not made.skipped:
                # The form posts to "#booking-form" (a refusal shows the form, not the page's top); a
                # redirect without a fragment of its own would carry that one on to the bookings page.
                return redirect(reverse("venues:bookings") + "#main")
    start = timezone.now()
    busy = selectors.space_busy(fetched_by=user, space=space, start=start, end=start + timedelta(days=14))
    return render(
        request,
        "venues/book.html",
        {"space": space, "form": form, "busy": busy, "made": made},
        status=400 if form.errors else 200,
    )


def _for_node(user, space):
    """The community or unit a booking is for: the booker's own place nearest the venue."""
    subdistrict = space.venue.node.path[:8]
    for binding in user_role_bindings(user=user).select_related("node"):
        if binding.node.path.startswith(subdistrict) and binding.node.kind != NodeKind.BUILDING:
            return binding.node
    return None


@login_required
def bookings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My bookings; for staff also the venues' bookings awaiting approval."""
    user = request.user
    now = timezone.now()
    mine = selectors.booking_list(fetched_by=user, mine=True, start=now - timedelta(days=1))[:200]
    pending = selectors.approvals(fetched_by=user)[:200] if is_overseer.test(user) else []
    return render(
        request,
        "venues/bookings.html",
        {
            "mine": [(b, services.booking_actions(user=user, booking=b)) for b in mine],
            "pending": [(b, services.booking_actions(user=user, booking=b)) for b in pending],
        },
    )


@login_required
@require_POST
def booking_step(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(fetched_by=request.user, pk=pk)
    form = StepForm(request.POST)
    with service_call(request, success=_("Done.")):
        if not form.is_valid():
            raise VenueError.invalid(form_errors_message(form))
        services.booking_transition(
            actor=request.user,
            booking=booking,
            action=form.cleaned_data["action"],
            note=form.cleaned_data["note"],
        )
    return redirect("venues:desk" if request.POST.get("next") == "desk" else "venues:bookings")


@login_required
@require_POST
def ticket_take(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    service = selectors.service_get(fetched_by=request.user, pk=pk)
    with service_call(request) as call:
        ticket = services.ticket_take(actor=request.user, service=service)
    if call.ok:
        messages.success(request, _("Your number for %(s)s: %(n)d") % {"s": service.name, "n": ticket.number})
    return redirect("venues:index")


def _staff_place(user):
    """The highest place the user oversees (their subdistrict, community or district)."""
    bindings = [b for b in user_role_bindings(user=user).select_related("node") if b.role in OVERSIGHT_ROLES]
    bindings.sort(key=lambda b: len(b.node.path))
    return bindings[0].node if bindings else None


@role_required(is_overseer)
def desk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff desk: the next two weeks' bookings of the venues the user runs, day by day, and approvals."""
    user = request.user
    place = _staff_place(user)
    if is_viewer_only.test(user):
        # The district viewer sees figures only: venues by level, visitors and activities per venue,
        # month and kind, the service circle; no bookings, approvals or rotation plans.
        return render(
            request,
            "venues/desk_figures.html",
            {
                "place": place,
                "levels": selectors.venue_levels(fetched_by=user, node=place) if place else [],
                "totals": selectors.visit_totals(fetched_by=user, node=place) if place else None,
                "plans": selectors.plan_list(fetched_by=user)[:10],
            },
        )
    now = timezone.now()
    rows = selectors.booking_list(fetched_by=user, start=now, end=now + timedelta(days=14)).filter(
        status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED]
    )[:300]
    days: dict[date, list] = {}
    for b in rows:
        days.setdefault(timezone.localtime(b.starts_at, SHANGHAI).date(), []).append(b)
    return render(
        request,
        "venues/desk.html",
        {
            "days": sorted(days.items()),
            "pending": [
                (b, services.booking_actions(user=user, booking=b))
                for b in selectors.approvals(fetched_by=user)[:100]
            ],
            "place": place,
            "can_add": is_caseworker.test(user),
            "rotations": selectors.rotation_list(fetched_by=user)[:10],
            "plans": selectors.plan_list(fetched_by=user)[:10],
        },
    )


def _place_from(request, user):
    node_id = request.GET.get("node") or request.POST.get("node")
    if node_id and str(node_id).isascii() and str(node_id).isdigit() and len(str(node_id)) < 10:
        return node_get(fetched_by=user, pk=int(node_id))
    place = _staff_place(user)
    if place is None:
        raise Http404
    return place


def _distance(value: str | None, default: int) -> int:
    if value and value.isascii() and value.isdigit() and len(value) < 6:
        return int(value)
    return default


@role_required(is_overseer)
def coverage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The service-circle map: venues with their circles, buildings coloured by the distance to the nearest
    venue; the share covered per level and community; the uncovered buildings."""
    user = request.user
    place = _place_from(request, user)
    distance = _distance(request.GET.get("distance"), 1000)
    try:
        data = circle_data.coverage(fetched_by=user, node=place, distance=distance)
    except VenueError as exc:
        messages.error(request, str(exc.message))
        data = circle_data.coverage(fetched_by=user, node=place)
    return render(
        request,
        "venues/coverage.html",
        {
            "place": place,
            "data": data,
            "map": {"venues": data["venues"], "buildings": data["buildings"], "distance": data["distance"]},
            "tiles": settings.GONGZHI_MAP_TILES,
            "levels": LEVEL_LABELS,
        },
    )


LEVEL_LABELS = [
    ("any", _("Any venue")),
    ("subdistrict_centre", _("Subdistrict centre")),
    ("community_centre", _("Community centre")),
    ("station", _("Station")),
]


@role_required(is_overseer)
def siting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Plan new stations: exact and greedy plans side by side on the map; save one as the year's plan."""
    user = request.user
    place = _place_from(request, user)
    source = request.POST if request.method == "POST" else (request.GET if "k" in request.GET else None)
    form = (PlanSaveForm if request.method == "POST" else SitingForm)(
        source or None, initial={"year": selectors.today().year}
    )
    result = None
    if source is not None and form.is_valid():
        data = form.cleaned_data
        with service_call(request) as call:
            result = circle_data.siting(
                fetched_by=user,
                node=place,
                k=data["k"],
                candidates=data["candidates"],
                distance=data["distance"],
            )
            if request.method == "POST":
                services.plan_save(
                    actor=user,
                    node=place,
                    year=data["year"],
                    title=data["title"],
                    result=result,
                    adopt=data["adopt"],
                )
        if call.ok and request.method == "POST":
            messages.success(request, _("The plan is saved."))
            return redirect(f"{request.path}?node={place.pk}")
    plans = selectors.plan_list(fetched_by=user, node=place)[:20]
    adopted = next((p for p in plans if p.adopted), None)
    cov = circle_data.coverage(fetched_by=user, node=place, distance=result["distance"] if result else 500)
    shown = {
        "venues": cov["venues"],
        "buildings": cov["buildings"],
        "distance": cov["distance"],
        "exact": result["exact"]["sites"] if result else (adopted.sites if adopted else []),
        "greedy": result["greedy"]["sites"] if result else [],
    }
    return render(
        request,
        "venues/siting.html",
        {
            "place": place,
            "form": form,
            "save_form": PlanSaveForm(
                initial={
                    "year": selectors.today().year,
                    "k": form["k"].value(),
                    "distance": form["distance"].value(),
                    "candidates": form["candidates"].value(),
                }
            ),
            "result": result,
            "plans": plans,
            "adopted": adopted,
            "map": shown,
            "tiles": settings.GONGZHI_MAP_TILES,
        },
        status=400 if form.errors else 200,
    )


@login_required
def rotation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    rotation = selectors.rotation_get(fetched_by=user, pk=pk)
    weeks = list(selectors.rotation_weeks(rotation=rotation))
    if request.method == "POST":
        week = selectors.week_get(fetched_by=user, pk=_int(request.POST.get("week")))
        if "activity" in request.POST:  # name (or take off) a volunteering activity the week runs
            activity = activity_get(fetched_by=user, pk=_int(request.POST.get("activity")))
            with service_call(request, success=_("Saved.")):
                services.week_activity_link(
                    actor=user, week=week, activity=activity, unlink=request.POST.get("unlink") == "1"
                )
            return redirect("venues:rotation", pk=rotation.pk)
        form = WeekPlanForm(request.POST)
        with service_call(request, success=_("Saved.")):
            if not form.is_valid():
                raise VenueError.invalid(form_errors_message(form))
            services.week_plan(actor=user, week=week, plan=form.cleaned_data["plan"])
        return redirect("venues:rotation", pk=rotation.pk)
    this_monday = selectors.today() - timedelta(days=selectors.today().weekday())
    rows = [(w, rules.week_owner_or_centre.test(user, w)) for w in weeks]
    choices = selectors.week_activity_choices(
        fetched_by=user, weeks=[w for w, may in rows if may and w.week_of >= this_monday]
    )
    return render(
        request,
        "venues/rotation.html",
        {
            "rotation": rotation,
            "weeks": [(w, may, choices.get(w.pk, [])) for w, may in rows],
            "this_monday": this_monday,
            "swaps": selectors.swap_list(fetched_by=user, rotation=rotation)[:20],
        },
    )


def _int(value) -> int:
    if value and str(value).isascii() and str(value).isdigit() and len(str(value)) < 10:
        return int(value)
    raise Http404


def feed(request, kind: str, pk: int) -> HttpResponse:
    """The confirmed bookings of a venue, an area or every venue of a subdistrict, as iCalendar (a signed
    link for calendar applications, or a signed-in user who sees them)."""
    user = request.user if request.user.is_authenticated else None
    found = selectors.feed_for(kind=kind, pk=pk, key=request.GET.get("key", ""), fetched_by=user)
    if found is None:
        raise Http404
    name, rows = found
    body = ical.calendar(name, rows, request.get_host().split(":")[0])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{kind}-{pk}.ics"'
    return response
