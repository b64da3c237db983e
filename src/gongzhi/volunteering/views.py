"""Activities near me, my hours, sign-up and check-in (residents, at phone width); the roster, the QR
screen and confirmation of hours (organisers); the party members' board (三亮)."""

from datetime import datetime
from decimal import Decimal

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.geo import wgs84_to_gcj02
from gongzhi.core.rules import is_caseworker
from gongzhi.core.web import form_errors_message, require, service_call
from gongzhi.orgs.picker import chosen, picker_state
from gongzhi.orgs.selectors import compounds_of, node_get
from gongzhi.volunteering import checkin, selectors, services
from gongzhi.volunteering.attendance import CHECK_IN_EARLY, CHECK_OUT_GRACE
from gongzhi.volunteering.forms import (
    ActivityForm,
    ActivityStepForm,
    PartyReportForm,
    RosterActiveForm,
    RosterForm,
    RosterGenerateForm,
    SignupStepForm,
)
from gongzhi.volunteering.rules import is_party_member, may_organise

WHEN_CHOICES = [
    ("", gettext_lazy("Any time")),
    ("today", gettext_lazy("Today")),
    ("week", gettext_lazy("7 days")),
    ("month", gettext_lazy("30 days")),
]
KIND_CHOICES = [
    ("", gettext_lazy("All")),
    ("activity", gettext_lazy("Activities")),
    ("duty", gettext_lazy("Duties")),
]
NEAR_CHOICES = [
    ("", gettext_lazy("Anywhere")),
    ("1km", gettext_lazy("Within 1 km")),
    ("3km", gettext_lazy("Within 3 km")),
]


def _pick(value: str | None, choices) -> str:
    return value if value is not None and value in {v for v, _label in choices} else ""


def _filter_chips(filters: dict[str, str], *, near: bool) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """The filter rows: (name, [(label, link, chosen)]), each link keeping the other filters."""
    groups = [("when", _("When"), WHEN_CHOICES), ("kind", _("Kind"), KIND_CHOICES)]
    if near:
        groups.append(("near", _("Distance"), NEAR_CHOICES))
    rows = []
    for name, title, choices in groups:
        links = []
        for value, label in choices:
            query = urlencode({k: v for k, v in {**filters, name: value}.items() if v})
            links.append((str(label), f"?{query}" if query else "?", filters[name] == value))
        rows.append((title, links))
    return rows


@login_required
def activity_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = {
        "when": _pick(request.GET.get("when"), WHEN_CHOICES),
        "kind": _pick(request.GET.get("kind"), KIND_CHOICES),
        "near": _pick(request.GET.get("near"), NEAR_CHOICES),
    }
    board = selectors.activity_board(
        fetched_by=request.user, when=filters["when"], kind=filters["kind"], near=filters["near"]
    )
    for duty in board.duties:
        duty.weekday_names = weekday_names(duty.weekdays)  # type: ignore[attr-defined]
    return render(
        request,
        "volunteering/index.html",
        {
            "board": board,
            "filters": filters,
            "chips": _filter_chips(filters, near=board.home is not None),
            "to_confirm": selectors.hours_to_confirm(fetched_by=request.user),
            "mine": selectors.own_signups(fetched_by=request.user)[:20],
            "hours": selectors.hours_of_person(fetched_by=request.user),
            "hours_chart": selectors.hours_by_month(fetched_by=request.user),
            "teams": selectors.teams_visible(fetched_by=request.user)[:50],
            "may_organise": selectors.may_organise_somewhere(user=request.user),
            "runs_rosters": selectors.runs_rosters(user=request.user),
        },
    )


@login_required
def activity_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Organise an activity: staff anywhere in their reach, team leaders for their team."""
    teams = list(selectors.teams_led_or_managed(fetched_by=request.user))
    if not selectors.may_organise_somewhere(user=request.user):
        raise Http404
    form = ActivityForm(request.POST or None, team_required=not is_caseworker.test(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tz = timezone.get_current_timezone()
        with service_call(request, success=_("The activity is published."), form=form) as call:
            activity = services.activity_create(
                actor=request.user,
                node=chosen(user=request.user, purpose="organise", pk=data["node"]),
                team=next((t for t in teams if t.pk == data["team"]), None),
                title=data["title"],
                starts_at=datetime.combine(data["day"], data["start"], tz),
                ends_at=datetime.combine(data["day"], data["end"], tz),
                capacity=data["capacity"],
                place=data["place"],
                description=data["description"],
                directions=data["directions"],
                bring=data["bring"],
            )
        if call.ok:
            return redirect("volunteering:detail", pk=activity.pk)
    picker = picker_state(user=request.user, purpose="organise", selected=request.POST.get("node"))
    return render(
        request,
        "volunteering/new.html",
        {"picker": picker, "teams": teams, "post": request.POST, "form": form},
        status=400 if request.method == "POST" else 200,
    )


WEEKDAY_CHOICES = [(str(n), WEEKDAYS[n - 1]) for n in range(1, 8)]  # ISO: Monday is 1


def weekday_names(days) -> str:
    """ "every day", or the days of a roster by name (ISO numbers, Monday is 1)."""
    days = sorted(days)
    if len(days) == 7:
        return _("every day")
    return "、".join(str(WEEKDAYS[d - 1]) for d in days)


@login_required
def roster_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Recurring duties (garbage-sorting duty, checkpoint shifts, patrol segments): set up, turn into shifts
    for the coming weeks, pause."""
    teams = list(selectors.teams_led_or_managed(fetched_by=request.user))
    rosters = None if teams else list(selectors.rosters_managed(fetched_by=request.user)[:200])
    if not teams and not rosters:
        raise Http404
    if request.method == "POST":
        with service_call(request) as call:
            _roster_post(request, teams)
        if not call.ok:
            return render(request, "volunteering/rosters.html", _roster_context(request, teams), status=422)
        return redirect("volunteering:rosters")
    return render(request, "volunteering/rosters.html", _roster_context(request, teams, rosters))


def _roster_context(request: AuthenticatedHttpRequest, teams, rosters=None) -> dict:
    if rosters is None:
        rosters = list(selectors.rosters_managed(fetched_by=request.user)[:200])
    for roster in rosters:
        roster.weekday_names = weekday_names(roster.days())
    return {
        "rosters": rosters,
        "teams": teams,
        "picker": picker_state(
            user=request.user, purpose="organise", key="roster-node", selected=request.POST.get("node")
        ),
        "weekdays": WEEKDAY_CHOICES,
        "post": request.POST,
        "checked": request.POST.getlist("weekdays")
        if request.method == "POST"
        else [d for d, _n in WEEKDAY_CHOICES],
    }


def _roster_post(request: AuthenticatedHttpRequest, teams) -> None:
    post = request.POST
    form_name = post.get("form")
    if form_name == "create":
        form = RosterForm(post)
        if not form.is_valid():
            raise services.VolunteeringError.invalid(form_errors_message(form))
        data = form.cleaned_data
        team = next((t for t in teams if t.pk == data["team"]), None)
        if team is None:
            raise services.VolunteeringError.invalid(_("Choose the team that serves the duty."), field="team")
        roster = services.roster_create(
            actor=request.user,
            team=team,
            node=chosen(user=request.user, purpose="organise", pk=data["node"]),
            title=data["title"],
            start_time=data["start"],
            end_time=data["end"],
            weekdays=",".join(data["weekdays"]),
            capacity=data["capacity"],
            place=data["place"],
        )
        made = services.roster_generate(
            actor=request.user, roster=roster, start=timezone.localdate(), days=14
        )
        messages.success(
            request, _("The roster is set up: %(n)d shifts in the next two weeks.") % {"n": len(made)}
        )
        return
    form_class = {"generate": RosterGenerateForm, "active": RosterActiveForm}.get(form_name or "")
    if form_class is None:
        raise services.VolunteeringError("unknown_action", _("Unknown action."))
    bound = form_class(post)
    if not bound.is_valid():
        raise services.VolunteeringError.invalid(form_errors_message(bound))
    data = bound.cleaned_data
    roster = selectors.roster_get(fetched_by=request.user, pk=data["roster"])
    if form_name == "generate":
        made = services.roster_generate(
            actor=request.user, roster=roster, start=timezone.localdate(), days=data["days"] or 14
        )
        messages.success(request, _("%(n)d new shifts.") % {"n": len(made)})
    else:
        services.roster_set_active(actor=request.user, roster=roster, active=data["active"])
        messages.success(request, _("Saved."))


@login_required
def activity_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, pk)


def _detail_page(
    request: AuthenticatedHttpRequest, pk: int, *, typed=None, status: int = 200
) -> HttpResponse:
    """The activity, the viewer's place and, for its organisers, the roster; after a refused step, with the
    reason or hours that were typed."""
    activity = selectors.activity_get(fetched_by=request.user, pk=pk)
    organiser = may_organise.test(request.user, activity)
    signup = selectors.own_signup(fetched_by=request.user, activity=activity)
    taking_part = signup is not None and signup.status != "cancelled"
    contact = activity.organiser
    where = _map_position(activity)
    now = timezone.now()
    return render(
        request,
        "volunteering/detail.html",
        {
            "activity": activity,
            "signup": signup,
            "organiser": organiser,
            "contact_name": str(contact),
            "contact_masked": contact.phone_masked,
            # The full number (tap to call) for those who have a place, and those running the activity.
            "contact_phone": contact.decrypt_phone() if taking_part or organiser else "",
            "going": selectors.others_going(fetched_by=request.user, activity=activity),
            "earning": selectors.activity_earning(fetched_by=request.user, activity=activity),
            "map_at": where,
            "taking_part": taking_part,
            "is_over": now >= activity.ends_at,
            "has_begun": now >= activity.starts_at,
            "checkin_open": activity.starts_at - CHECK_IN_EARLY <= now <= activity.ends_at + CHECK_OUT_GRACE,
            "tiles": settings.GONGZHI_MAP_TILES,
            "roster": selectors.activity_signups(fetched_by=request.user, activity=activity)
            if organiser
            else [],
            "typed": typed or {},
        },
        status=status,
    )


@login_required
@require_POST
def activity_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(fetched_by=request.user, pk=pk)
    form = ActivityStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("volunteering:detail", pk=activity.pk)
    data = form.cleaned_data
    action = data["action"]
    with service_call(request) as call:
        if action == "join":
            signup = services.signup_join(actor=request.user, activity=activity)
            messages.success(
                request,
                _("You have a place.")
                if signup.status == "confirmed"
                else _("The activity is full: you are on the waiting list."),
            )
        elif action == "leave":
            own = selectors.own_signup(fetched_by=request.user, activity=activity)
            if own is None:
                raise Http404
            services.signup_cancel(actor=request.user, signup=own)
            messages.success(request, _("Your place is given up."))
        elif action == "locate":
            if data["lat"] is None or data["lng"] is None:
                raise services.VolunteeringError.invalid(_("Your phone did not share its location."))
            signup = services.attendance_scan(
                actor=request.user, activity=activity, lat=data["lat"], lng=data["lng"]
            )
            messages.success(request, _scan_message(signup))
        else:
            services.activity_cancel(actor=request.user, activity=activity, reason=data["reason"])
            messages.success(request, _("The activity is cancelled; everyone signed up is told."))
    if not call.ok and action == "cancel_activity":
        return _detail_page(request, activity.pk, typed=request.POST, status=400)
    return redirect("volunteering:detail", pk=activity.pk)


@login_required
@require_POST
def signup_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    signup = selectors.signup_get(fetched_by=request.user, pk=pk)
    form = SignupStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        typed = {**request.POST.dict(), "signup": str(signup.pk)}
        return _detail_page(request, signup.activity_id, typed=typed, status=400)
    data = form.cleaned_data
    with service_call(request, success=_("Saved.")) as call:
        if data["action"] == "confirm":
            services.hours_confirm(actor=request.user, signup=signup, hours=data["hours"])
        else:
            services.attendance_mark(actor=request.user, signup=signup, attendance=data["attendance"])
    if not call.ok and data["action"] == "confirm":
        typed = {**request.POST.dict(), "signup": str(signup.pk)}
        return _detail_page(request, signup.activity_id, typed=typed, status=400)
    return redirect("volunteering:detail", pk=signup.activity_id)


@login_required
def activity_qr(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The organiser's screen: a QR code that changes every 30 seconds (the page fetches the next one)."""
    activity = selectors.activity_get(fetched_by=request.user, pk=pk)
    require(may_organise, request.user, activity)
    token = checkin.token_for(activity.pk)
    url = request.build_absolute_uri(checkin.scan_path(token))
    context = {
        "activity": activity,
        "svg": segno.make(url, error="m").svg_inline(scale=8, border=2),
        "url": url,
        "seconds": checkin.seconds_left(),
        "checked_in": sum(
            1
            for s in selectors.activity_signups(fetched_by=request.user, activity=activity)
            if s.checked_in_at
        ),
    }
    template = "volunteering/_qr.html" if request.headers.get("HX-Request") else "volunteering/qr.html"
    return render(request, template, context)


@login_required
def scan(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """Where a phone lands after scanning the code: one big button to check in or out."""
    activity_id = checkin.activity_of(token)
    if activity_id is None:
        raise Http404
    activity = selectors.activity_get(fetched_by=request.user, pk=activity_id)
    signup = selectors.own_signup(fetched_by=request.user, activity=activity)
    if request.method == "POST":
        with service_call(request) as call:
            signup = services.attendance_scan(actor=request.user, activity=activity, token=token)
            messages.success(request, _scan_message(signup))
        if call.ok:
            return redirect("volunteering:detail", pk=activity.pk)
    return render(request, "volunteering/scan.html", {"activity": activity, "signup": signup, "token": token})


def _map_position(activity) -> tuple[float, float] | None:
    """Where to show the activity on the map (GCJ-02, as the map tiles use): its check-in point, else its
    place's position."""
    if activity.lat is not None and activity.lng is not None:
        return wgs84_to_gcj02(activity.lat, activity.lng)
    node = activity.node
    return (node.lat, node.lng) if node.lat is not None and node.lng is not None else None


def _scan_message(signup) -> str:
    if signup.checked_out_at:
        return _("Checked out. Thank you for serving!")
    return _("Checked in: late") if signup.attendance == "late" else _("Checked in. Welcome!")


@login_required
def party_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    member = is_party_member.test(request.user)
    status = 200
    if request.method == "POST":
        form = PartyReportForm(request.POST)
        with service_call(request, success=_("You have reported to your compound.")) as call:
            if not form.is_valid():
                raise services.VolunteeringError.invalid(form_errors_message(form))
            data = form.cleaned_data
            services.party_report(
                actor=request.user,
                compound=node_get(fetched_by=request.user, pk=data["compound"]),
                display_name=data["display_name"],
                pledge=data["pledge"],
                workplace=data["workplace"],
            )
        if call.ok:
            return redirect("volunteering:party")
        status = 400
    reports = list(selectors.party_board(fetched_by=request.user)[:300])
    done = selectors.services_by_user([r.user_id for r in reports])
    rows = [(r, *done.get(r.user_id, (0, Decimal(0)))) for r in reports]
    compounds = compounds_of(fetched_by=request.user, limit=50) if member else []
    return render(
        request,
        "volunteering/party.html",
        {"reports": rows, "member": member, "compounds": compounds, "post": request.POST},
        status=status,
    )
