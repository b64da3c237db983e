"""The shapes of the appeals API (appeals/api.py)."""

from datetime import datetime

from ninja import Field, Schema

from gongzhi.appeals.models import Channel


class AppealIn(Schema):
    node_id: int = Field(description="the compound or building the problem is in")
    title: str = Field(max_length=120)
    body: str = Field(max_length=5000)
    category_id: int | None = None
    channel: Channel = Channel.API
    resident_id: int | None = Field(None, description="staff filing on behalf of a registered resident")
    lat: float | None = None
    lng: float | None = None
    hidden_from_neighbours: bool = False
    open_data: bool = False  # also published, without personal details, as open data (Open311 without a key)
    client_key: str = Field(
        "", max_length=64, description="idempotency key: the same key returns the same appeal"
    )


class EventOut(Schema):
    at: datetime
    action: str
    from_status: str
    to_status: str
    from_tier: str
    to_tier: str
    note: str
    public: bool
    by: str = Field("", description="who took the step: role and name for staff, the role only for residents")


class AppealOut(Schema):
    id: int
    title: str
    body: str
    status: str
    tier: str
    node_id: int
    node_name: str
    handling_node_id: int
    category_id: int | None
    channel: str
    lat: float | None = Field(None, description="the spot the filer marked (GCJ-02), if any")
    lng: float | None = None
    created_at: datetime
    accept_due: datetime | None
    resolve_due: datetime | None
    reply: str
    rating: str
    merged_into_id: int | None
    suggested_category_id: int | None = Field(None, description="the triage model's first-level category")
    suggestion_confidence: float | None = None
    category_confirmed: bool = False
    possible_duplicate_id: int | None = None
    support_up: int = 0
    support_down: int = 0

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name


class AppealDetailOut(AppealOut):
    timeline: list[EventOut]


class TransitionIn(Schema):
    action: str = Field(max_length=40)
    note: str = Field("", max_length=5000)
    reply: str = Field("", max_length=5000, description="propose, resolve")
    rating: str = Field("", max_length=24, description="rate")
    comment: str = Field("", max_length=500, description="rate")
    transferred_to: str = Field("", max_length=120, description="transfer")
    assignee_user_id: int | None = None
    assignee_unit_id: int | None = None
    assignee_team_id: int | None = None
    merge_into_id: int | None = None
    category_id: int | None = None
    reached: bool = Field(False, description="follow_up: whether the call reached the resident")


class ContactOut(Schema):
    name: str
    phone: str


class PhotoOut(Schema):
    id: int
    kind: str
    width: int
    height: int
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return f"/appeals/{obj.appeal_id}/photos/{obj.pk}/"


class HotIssueOut(Schema):
    title: str = Field(description="the subject of the appeal closest to all others in the group")
    place: str = Field(description="the community most of the group's appeals lie in")
    size: int
    growth: int = Field(description="appeals in the second half of the period minus the first half")
    support: int = Field(description="residents' up votes minus down votes over the group")
    score: float
    category: str
    first_at: datetime
    last_at: datetime
    appeal_ids: list[int]


class SuggestIn(Schema):
    title: str = Field("", max_length=120)
    body: str = Field("", max_length=5000)
    node_id: int | None = Field(None, description="where the problem is (a subdistrict's own categories)")


class SuggestionOut(Schema):
    category_id: int | None
    name: str | None
    confidence: float | None
