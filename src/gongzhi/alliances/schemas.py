"""Shapes of the alliances API. Limits match the services' (services.py, projects.py, donations.py)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

# The choices of models.py, spelled out for the schema (tests/alliances/test_api.py checks they agree).
CategoryIn = Literal[
    "elderly",
    "children",
    "health",
    "legal",
    "employment",
    "culture",
    "repair",
    "safety",
    "environment",
    "space",
    "funds",
]
KindIn = Literal["hours", "people", "places", "money", "goods"]
UnitKindIn = Literal["government", "state_firm", "private_firm", "school", "hospital", "social_org"]
DriveKindIn = Literal["cash", "in_kind"]
Day = date
Big = Field(..., ge=1, le=100_000_000)


class AllianceOut(Schema):
    id: int
    node_id: int
    node_name: str
    name: str
    kind: str
    units: int
    projects: int
    activities: int
    venues: int
    reached: int
    solved: int


class UnitOut(Schema):
    id: int
    node_id: int
    name: str
    kind: str
    party_org: str
    contact_name: str
    contact_phone: str = Field(description="masked (138****1234)")


class UnitIn(Schema):
    node_id: int = Field(description="the subdistrict")
    name: str = Field(max_length=60)
    kind: UnitKindIn
    party_org: str = Field("", max_length=80)
    contact_name: str = Field("", max_length=40)
    contact_phone: str = Field("", max_length=20)
    alliance_ids: list[int] = Field(default_factory=list, max_length=20)


class ResourceOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    category: str
    title: str
    description: str
    capacity_kind: str
    capacity: int
    remaining: int
    radius_km: float
    available_from: date | None
    available_until: date | None
    status: str


class ResourceIn(Schema):
    unit_id: int
    category: CategoryIn
    title: str = Field(max_length=60)
    description: str = Field("", max_length=500)
    capacity_kind: KindIn
    capacity: int = Big
    radius_km: float = Field(3.0, ge=0, le=100)
    serves_node_ids: list[int] = Field(default_factory=list, max_length=50)
    available_from: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    available_until: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    publish: bool = True


class NeedOut(Schema):
    id: int
    node_id: int
    node_name: str
    category: str
    title: str
    description: str
    beneficiaries: str
    urgency: int
    quantity_kind: str
    quantity: int
    wanted_from: date | None
    wanted_until: date | None
    status: str
    appeal_id: int | None
    wish_id: int | None = None
    source: str = Field("", description="appeal, hot (a hot issue), wish, or empty (posted directly)")


class NeedIn(Schema):
    node_id: int = Field(description="a compound or community")
    category: CategoryIn
    title: str = Field(max_length=60)
    description: str = Field("", max_length=500)
    beneficiaries: str = Field("", max_length=60)
    urgency: int = Field(2, ge=1, le=4)
    quantity_kind: KindIn
    quantity: int = Big
    wanted_from: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    wanted_until: date | None = Field(None, ge=date(2000, 1, 1), le=date(2100, 12, 31))
    publish: bool = True


class NeedFromAppealIn(Schema):
    appeal_id: int = Field(description="the appeal; for a hot issue, the appeal that stands for it")
    hot: bool = Field(False, description="from the hot-issues list (the appeal may be closed already)")
    category: CategoryIn
    quantity_kind: KindIn
    quantity: int = Big
    urgency: int = Field(2, ge=1, le=4)


class NeedFromWishIn(Schema):
    wish_id: int
    category: CategoryIn
    quantity_kind: KindIn
    quantity: int = Big
    urgency: int = Field(2, ge=1, le=4)


class ListStepIn(Schema):
    action: Literal["publish", "close"]


class CandidateOut(Schema):
    resource_id: int
    resource_title: str
    unit_id: int
    unit_name: str
    score: float
    feasible: bool
    why_not: str
    distance_km: float | None
    parts: dict[str, float]


class MatchOut(Schema):
    id: int
    need_id: int
    need_title: str
    resource_id: int
    resource_title: str
    unit_name: str
    score: float
    quantity: int
    status: str
    round_id: int | None


class MatchRoundIn(Schema):
    node_id: int = Field(description="the subdistrict")


class MatchRoundOut(Schema):
    id: int
    needs: int
    resources: int
    optimum: float
    greedy: float
    optimal: bool = Field(description="whether the optimum is proven")
    gap: float = Field(description="urgency possibly still missing when not proven (0 when proven)")
    seconds: float
    proposed: int


class MatchProposeIn(Schema):
    need_id: int
    resource_id: int


class MatchDecideIn(Schema):
    action: Literal["accept", "reject"]
    quantity: int | None = Field(None, ge=1, le=100_000_000)
    note: str = Field("", max_length=200)
    project_name: str = Field("", max_length=60)


class MilestoneOut(Schema):
    id: int
    title: str
    weight: int
    done: bool


class ProjectUnitOut(Schema):
    unit_id: int
    unit_name: str
    role: str


class ProjectOut(Schema):
    id: int
    node_id: int
    node_name: str
    name: str
    category: str
    goal: str
    place: str
    budget: int
    slots: int
    status: str
    progress: int
    residents_reached: int
    units: list[ProjectUnitOut]
    milestones: list[MilestoneOut]
    actions: list[str]
    created_at: datetime


class MilestoneIn(Schema):
    title: str = Field(max_length=60)
    weight: int = Field(1, ge=1, le=100)


class ProjectIn(Schema):
    node_id: int
    name: str = Field(max_length=60)
    category_id: int | None = None
    alliance_id: int | None = None
    goal: str = Field("", max_length=500)
    place: str = Field("", max_length=100)
    beneficiaries: str = Field("", max_length=60)
    budget: int = Field(0, ge=0, le=100_000_000)
    slots: int = Field(1, ge=1, le=50)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=20)
    publish: bool = False


class ProjectStepIn(Schema):
    action: Literal["publish", "claim", "close_claims", "start", "finish", "evaluate", "cancel"]
    note: str = Field("", max_length=300)
    unit_id: int | None = Field(None, description="claim: the unit you act for")


class ProjectRatingIn(Schema):
    rating: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    comment: str = Field("", max_length=500)


class ProjectRatingOut(Schema):
    project_id: int
    rating: str


class DriveOut(Schema):
    id: int
    node_id: int
    title: str
    kind: str
    goal: int
    starts_on: date
    ends_on: date
    receiver: str
    public: bool
    received: int
    pledged: int


class DriveIn(Schema):
    node_id: int
    title: str = Field(max_length=60)
    kind: DriveKindIn
    goal: int = Field(0, ge=0, le=10_000_000_000)
    starts_on: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    ends_on: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    receiver: str = Field(max_length=80)
    public: bool = False
    charity_code: str = Field("", max_length=18)


class PledgeIn(Schema):
    unit_id: int
    amount: int = Field(ge=1, le=10_000_000_000)
    item: str = Field("", max_length=40)
    quantity: int = Field(0, ge=0, le=100_000_000)
    destination: str = Field("", max_length=80)


class PledgeOut(Schema):
    id: int
    drive_id: int
    unit_id: int
    unit_name: str
    amount: int
    item: str
    quantity: int
    destination: str
    status: str
    to_node_id: int | None = Field(None, description="in kind: the compound or community the goods went to")
    to_activity_id: int | None = Field(None, description="in kind: the volunteering activity")
    to_mall_item_id: int | None = Field(None, description="in kind: the mall item whose stock they became")


class ReceiveIn(Schema):
    destination: str = Field("", max_length=80)


class AgreementOut(Schema):
    id: int
    unit_id: int
    unit: str
    starts_on: date
    ends_on: date
    content: str
    has_document: bool


class AgreementIn(Schema):
    unit_id: int
    starts_on: date
    ends_on: date
    content: str = Field(max_length=500)


# --- links to the other modules ------------------------------------------------------------------------


class ProjectActivityIn(Schema):
    """A new volunteering activity for the project (volunteering's limits and rules apply)."""

    title: str = Field(max_length=80)
    starts_at: datetime
    ends_at: datetime
    capacity: int = Field(ge=1, le=10_000)
    place: str = Field("", max_length=120)
    description: str = Field("", max_length=1000)
    points_per_hour: int | None = Field(None, ge=0, le=1000)


class ProjectActivityLinkIn(Schema):
    activity_id: int = Field(description="a volunteering activity of the project's subdistrict")


class ProjectActivityOut(Schema):
    id: int
    node_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    services: int = Field(description="confirmed services")
    hours: float = Field(description="confirmed hours")
    points: int


class TransferIn(Schema):
    appeal_id: int
    unit_id: int = Field(description="a co-building unit of the appeal's subdistrict")
    note: str = Field("", max_length=300)


class TransferOut(Schema):
    id: int
    appeal_id: int
    node_id: int
    node_name: str
    unit_id: int
    unit_name: str
    title: str
    body: str
    note: str
    status: str
    reply: str
    sent_at: datetime
    replied_at: datetime | None


class TransferReplyIn(Schema):
    reply: str = Field(max_length=2000)


class TransferResolveIn(Schema):
    reply: str = Field("", max_length=2000, description="empty: the unit's reply")


class MallOfferIn(Schema):
    name: str = Field(max_length=80)
    price: int = Field(ge=1, le=1_000_000, description="in points")
    stock: int = Field(0, ge=0, le=1_000_000)
    description: str = Field("", max_length=1000)
    pickup_place: str = Field("", max_length=120, description="empty: the unit's address")


class MallItemOut(Schema):
    id: int
    node_id: int
    name: str
    price: int
    stock: int
    provider: str
    pickup_place: str
    is_active: bool


class PledgePlaceIn(Schema):
    """Exactly one of: a compound or community, a volunteering activity, a mall item (whose stock grows)."""

    node_id: int | None = None
    activity_id: int | None = None
    mall_item_id: int | None = None


class UnitAccountIn(Schema):
    name: str = Field(max_length=40)
    phone: str = Field(
        max_length=20, description="mainland mobile number; they sign in with a code sent to it"
    )


class UnitAccountOut(Schema):
    user_id: int
    name: str
    phone: str = Field(description="masked (138****1234)")
