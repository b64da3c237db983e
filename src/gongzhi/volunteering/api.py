from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import LimitOffset
from gongzhi.core.schemas import ErrorOut
from gongzhi.core.web import require
from gongzhi.orgs.selectors import node_get
from gongzhi.volunteering import checkin, selectors, services
from gongzhi.volunteering.rules import may_organise

router = Router(tags=["volunteering"])


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    place: str
    node_id: int
    node_name: str
    team_id: int | None
    starts_at: datetime
    ends_at: datetime
    capacity: int
    taken: int = Field(0, description="places taken")
    status: str
    lat: float | None
    lng: float | None
    checkin_radius_m: int

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name


class ActivityIn(Schema):
    node_id: int
    title: str = Field(max_length=80)
    starts_at: datetime
    ends_at: datetime
    capacity: int
    team_id: int | None = None
    description: str = Field("", max_length=2000)
    place: str = Field("", max_length=120)
    lat: float | None = None
    lng: float | None = None
    checkin_radius_m: int = 200
    points_per_hour: int | None = Field(None, ge=0, le=1000)


class SignupOut(Schema):
    id: int
    activity_id: int
    user_id: int
    status: str
    attendance: str
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    hours: Decimal | None
    points: int


class ScanIn(Schema):
    token: str = Field("", max_length=80, description="the code from the organiser's screen")
    lat: float | None = Field(None, description="WGS-84, when checking in by location")
    lng: float | None = None


class ConfirmIn(Schema):
    hours: Decimal | None = Field(None, description="leave out to confirm the measured hours")


class AttendanceIn(Schema):
    attendance: Literal["present", "late", "leave", "absent"]


class CodeOut(Schema):
    token: str
    url: str
    seconds_left: int


class HoursOut(Schema):
    services: int
    hours: Decimal
    people: int


@router.get("/activities", response=list[ActivityOut])
@paginate(LimitOffset)
def activities(request: AuthenticatedHttpRequest, node: int | None = None):
    """Activities not yet over where you belong (residents) or in your reach (staff), soonest first."""
    where = node_get(fetched_by=request.user, pk=node) if node is not None else None
    return selectors.activities_upcoming(fetched_by=request.user, node=where)


@router.post("/activities", response={201: ActivityOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def activity_create(request: AuthenticatedHttpRequest, data: ActivityIn):
    node = node_get(fetched_by=request.user, pk=data.node_id)
    team = selectors.team_get(fetched_by=request.user, pk=data.team_id) if data.team_id else None
    fields = data.dict(exclude={"node_id", "team_id"})
    activity = services.activity_create(actor=request.user, node=node, team=team, **fields)
    return Status(201, selectors.activity_get(fetched_by=request.user, pk=activity.pk))


@router.get("/activities/{activity_id}", response={200: ActivityOut, 404: ErrorOut})
def activity(request: AuthenticatedHttpRequest, activity_id: int):
    return selectors.activity_get(fetched_by=request.user, pk=activity_id)


@router.post("/activities/{activity_id}/signup", response={200: SignupOut, 404: ErrorOut, 409: ErrorOut})
def signup_join(request: AuthenticatedHttpRequest, activity_id: int):
    """Take a place (or a place on the waiting list). Again: the same sign-up."""
    activity = selectors.activity_get(fetched_by=request.user, pk=activity_id)
    return services.signup_join(actor=request.user, activity=activity)


@router.delete("/activities/{activity_id}/signup", response={200: SignupOut, 404: ErrorOut, 409: ErrorOut})
def signup_cancel(request: AuthenticatedHttpRequest, activity_id: int):
    activity = selectors.activity_get(fetched_by=request.user, pk=activity_id)
    signup = selectors.own_signup(fetched_by=request.user, activity=activity)
    if signup is None:
        raise Http404
    return services.signup_cancel(actor=request.user, signup=signup)


@router.post(
    "/activities/{activity_id}/checkin",
    response={200: SignupOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def activity_scan(request: AuthenticatedHttpRequest, activity_id: int, data: ScanIn):
    """Check in (first scan) or out (a later one) with the code on the organiser's screen, or by location."""
    activity = selectors.activity_get(fetched_by=request.user, pk=activity_id)
    return services.attendance_scan(
        actor=request.user, activity=activity, token=data.token, lat=data.lat, lng=data.lng
    )


@router.get("/activities/{activity_id}/checkin-code", response={200: CodeOut, 404: ErrorOut})
def activity_code(request: AuthenticatedHttpRequest, activity_id: int):
    """The current check-in code (organisers): it changes every 30 seconds."""
    activity = selectors.activity_get(fetched_by=request.user, pk=activity_id)
    require(may_organise, request.user, activity)
    token = checkin.token_for(activity.pk)
    return {
        "token": token,
        "url": request.build_absolute_uri(checkin.scan_path(token)),
        "seconds_left": checkin.seconds_left(),
    }


@router.get("/activities/{activity_id}/signups", response={200: list[SignupOut], 404: ErrorOut})
def activity_roster(request: AuthenticatedHttpRequest, activity_id: int):
    activity = selectors.activity_get(fetched_by=request.user, pk=activity_id)
    require(may_organise, request.user, activity)
    return list(selectors.activity_signups(fetched_by=request.user, activity=activity))


@router.post(
    "/signups/{signup_id}/confirm",
    response={200: SignupOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def hours_confirm(request: AuthenticatedHttpRequest, signup_id: int, data: ConfirmIn):
    """Confirm the hours (the organiser): points are paid once."""
    signup = selectors.signup_get(fetched_by=request.user, pk=signup_id)
    return services.hours_confirm(actor=request.user, signup=signup, hours=data.hours)


@router.post(
    "/signups/{signup_id}/attendance", response={200: SignupOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def attendance_mark(request: AuthenticatedHttpRequest, signup_id: int, data: AttendanceIn):
    signup = selectors.signup_get(fetched_by=request.user, pk=signup_id)
    return services.attendance_mark(actor=request.user, signup=signup, attendance=data.attendance)


@router.get("/volunteering/hours", response=HoursOut)
def my_hours(request: AuthenticatedHttpRequest):
    """Your confirmed services and hours."""
    return selectors.hours_of_person(fetched_by=request.user)
