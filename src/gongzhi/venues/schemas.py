"""The API's shapes for venues; limits match the services'."""

from datetime import date, datetime, time
from typing import Annotated, Literal

from ninja import Field, Schema

from gongzhi.core.schemas import LocalTime

PK = Field(..., ge=1, le=2**31 - 1)


class VenueOut(Schema):
    id: int
    name: str
    level: str
    level_label: str
    node_id: int
    node_name: str
    address: str
    lat: float | None
    lng: float | None
    floor_area_m2: int | None
    opens_at: LocalTime
    closes_at: LocalTime
    open_on_rest_days: bool
    operator: str
    description: str


class VenueIn(Schema):
    node_id: int = PK
    name: str = Field(..., max_length=80)
    level: Literal["subdistrict_centre", "community_centre", "station", "waystation", "shared"]
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)
    address: str = Field("", max_length=200)
    floor_area_m2: int | None = Field(None, ge=1, le=1_000_000)
    opens_at: LocalTime = time(8, 30)
    closes_at: LocalTime = time(20, 30)
    open_on_rest_days: bool = True
    operator: str = Field("", max_length=80)
    description: str = Field("", max_length=2000)


class SpaceOut(Schema):
    id: int
    venue_id: int
    venue_name: str
    name: str
    kind: str
    kind_label: str
    capacity: int
    equipment: str
    bookable_by: str
    needs_approval: bool
    max_days_ahead: int
    may_book: bool


class SpaceIn(Schema):
    venue_id: int = PK
    name: str = Field(..., max_length=60)
    kind: Literal["party", "culture", "service", "deliberation", "education", "other"]
    capacity: int = Field(20, ge=1, le=10_000)
    equipment: str = Field("", max_length=200)
    bookable_by: Literal["staff", "organisations", "residents"] = "organisations"
    needs_approval: bool = True
    max_days_ahead: int = Field(90, ge=1, le=366)


class BusyOut(Schema):
    starts_at: datetime
    ends_at: datetime
    status: str


class BookingOut(Schema):
    id: int
    space_id: int
    space_name: str
    venue_id: int
    venue_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    for_node: str
    series_id: int | None
    mine: bool
    actions: list[str]


class BookingIn(Schema):
    space_id: int = PK
    title: str = Field(..., max_length=80)
    starts_at: datetime
    ends_at: datetime
    for_node_id: int | None = Field(None, ge=1, le=2**31 - 1)
    attendees: int | None = Field(None, ge=1, le=10_000)
    repeat: Literal["none", "weekly", "workdays"] = "none"
    weekdays: list[int] = Field(default_factory=list, max_length=7, description="0 = Monday … 6 = Sunday")
    until: date | None = None
    count: int | None = Field(None, ge=1, le=200)
    on_clash: Literal["refuse_all", "skip"] = "refuse_all"


class SkippedOut(Schema):
    date: str
    reason: str
    clashes_with: str


class BookingsMadeOut(Schema):
    series_id: int | None
    rule: str
    bookings: list[BookingOut]
    skipped: list[SkippedOut]


class BookingTransitionIn(Schema):
    action: Literal["approve", "reject", "cancel"]
    note: str = Field("", max_length=300)


class BlackoutIn(Schema):
    space_id: int = PK
    starts_at: datetime
    ends_at: datetime
    reason: str = Field(..., max_length=120)
    whole_venue: bool = True


class BlackoutOut(Schema):
    id: int
    venue_id: int
    space_id: int | None
    starts_at: datetime
    ends_at: datetime
    reason: str


class ConvenienceServiceOut(Schema):
    id: int
    venue_id: int
    venue_name: str
    name: str
    weekday: int
    start_time: LocalTime
    end_time: LocalTime
    provider: str
    queue_tickets: bool
    my_ticket: int | None = None


class ConvenienceServiceIn(Schema):
    venue_id: int = PK
    name: str = Field(..., max_length=40)
    weekday: int = Field(..., ge=0, le=6)
    start_time: LocalTime
    end_time: LocalTime
    provider: str = Field(..., max_length=60)
    queue_tickets: bool = False


class TicketOut(Schema):
    service_id: int
    day: date
    number: int


class DeliveryIn(Schema):
    day: date
    served: int = Field(..., ge=0, le=10_000)
    hours: float | None = Field(None, ge=0, le=24)


class DeliveryOut(Schema):
    service_id: int
    day: date
    served: int
    hours: float | None


class VisitIn(Schema):
    venue_id: int = PK
    day: date
    kind: Literal["party", "culture", "service", "deliberation", "education", "visit"]
    visitors: int = Field(..., ge=1, le=100_000)
    activities: int = Field(1, ge=0, le=1000)
    title: str = Field("", max_length=80)


class VisitOut(Schema):
    id: int
    venue_id: int
    day: date
    kind: str
    visitors: int
    activities: int


class RotationIn(Schema):
    venue_id: int = PK
    name: str = Field(..., max_length=80)
    starts_on: date
    ends_on: date
    member_ids: list[int] = Field(..., min_length=2, max_length=100)
    excluded_weeks: list[date] = Field(default_factory=list, max_length=110)


class WeekOut(Schema):
    id: int
    week_of: date
    owner_id: int
    owner: str
    workdays: int
    plan: str


class RotationOut(Schema):
    id: int
    venue_id: int
    venue_name: str
    name: str
    starts_on: date
    ends_on: date
    weeks: list[WeekOut]


class WeekPlanIn(Schema):
    plan: str = Field(..., max_length=2000)


class SwapIn(Schema):
    other_week_id: int = PK


class SwapOut(Schema):
    id: int
    week_id: int
    other_id: int
    status: str


class SwapTransitionIn(Schema):
    action: Literal["agree", "approve", "refuse"]
    note: str = Field("", max_length=300)


class SiteIn(Schema):
    name: str = Field("", max_length=80)
    lat: float = Field(..., ge=-90, le=90)
    lng: float = Field(..., ge=-180, le=180)


class PlanSaveIn(Schema):
    title: str = Field(..., max_length=80)
    year: int = Field(..., ge=2000, le=2100)
    adopt: bool = False


class SitingIn(Schema):
    node_id: int = PK
    k: int = Field(..., ge=1, le=500)
    distance: int = Field(1000, ge=50, le=5000)
    detour: float = Field(1.0, ge=1.0, le=2.0)
    candidates: Literal["compounds", "buildings"] | Annotated[list[SiteIn], Field(max_length=20_000)] = Field(
        "compounds", description='"compounds", "buildings", or up to 20,000 sites {name, lat, lng}'
    )
    save: PlanSaveIn | None = None


class SitingPlanOut(Schema):
    id: int
    node_id: int
    year: int
    title: str
    distance_m: int
    stations: int
    method: str
    sites: list[dict]
    newly_covered: int
    residents: int
    covered_before: int
    greedy_gap: float | None
    adopted: bool
