"""The shapes of the deliberation and mediation API (api.py)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class CouncilIn(Schema):
    node_id: Id
    name: str = Field(max_length=60)
    series: str = Field("", max_length=30, description="e.g. 月月谈, a monthly series")
    rule: Literal["none", "3+x"] = "none"
    notice_days: int = Field(3, ge=0, le=60)
    support_needed: int = Field(10, ge=1, le=10000, description="households to support a resident's proposal")


class MemberIn(Schema):
    name: str = Field("", max_length=40)
    seat: Literal[
        "party_org",
        "owners_committee",
        "property_manager",
        "residents",
        "alliance_unit",
        "lawyer",
        "police",
        "other",
    ]
    user_id: Id | None = Field(None, description="a person with an account, from the register")
    unit: str = Field("", max_length=60)


class MemberOut(Schema):
    id: int
    name: str
    seat: str
    unit: str
    user_id: int | None


class CouncilOut(Schema):
    id: int
    node_id: int
    node_name: str
    name: str
    series: str
    rule: str
    chair_id: int | None
    secretary_id: int | None
    notice_days: int
    support_needed: int
    members: list[MemberOut] = []
    composition_problems: list[str] = []


class TopicIn(Schema):
    council_id: Id
    title: str = Field(max_length=80)
    body: str = Field("", max_length=2000)


class FromAppealIn(Schema):
    appeal_id: Id
    council_id: Id
    title: str = Field("", max_length=80)


class TopicStepIn(Schema):
    action: Literal["accept", "decline", "escalate", "deliberate", "decide"]
    note: str = Field("", max_length=300)
    council_id: Id | None = Field(None, description="escalate: the higher council")
    decision: str = Field("", max_length=2000)


class TopicOut(Schema):
    id: int
    council_id: int
    node_id: int
    title: str
    body: str
    source: str
    appeal_id: int | None
    status: str
    support_count: int
    support_needed: int
    meeting_id: int | None
    decision: str
    decline_reason: str
    created_at: datetime
    actions: list[str] = []
    rating: dict[str, Any] = {}

    # Lists give topics (rows): their ``actions`` and ``rating`` are the detail's (a dict), not the row's
    # action items.
    @staticmethod
    def resolve_actions(obj: Any) -> list[str]:
        return list(obj.get("actions", [])) if isinstance(obj, dict) else []

    @staticmethod
    def resolve_rating(obj: Any) -> dict[str, Any]:
        return dict(obj.get("rating", {})) if isinstance(obj, dict) else {}


class CommentIn(Schema):
    reaction: Literal["agree", "concern", "idea"]
    body: str = Field("", max_length=300)


class TopicRatingIn(Schema):
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=300)


class MeetingIn(Schema):
    council_id: Id
    title: str = Field(max_length=80)
    starts_at: datetime
    place: str = Field(max_length=80)
    quorum_percent: int = Field(50, ge=1, le=99)


class MeetingOut(Schema):
    id: int
    council_id: int
    title: str
    starts_at: datetime
    place: str
    status: str
    minutes_status: str
    notice_until: datetime | None
    objection_until: datetime | None
    quorum: dict[str, Any] = {}
    agenda: list[int] = []
    venue_booking_id: int | None = Field(None, description="the venues booking of the meeting's room")
    cancel_reason: str = ""


class AgendaIn(Schema):
    topic_id: Id


class MeetingVenueIn(Schema):
    space_id: Id = Field(description="an area of a venue (venues API) the council's staff may book")
    hours: int = Field(2, ge=1, le=8, description="how long the meeting holds the room")


class DeliberationAttachmentOut(Schema):
    id: int
    title: str
    kind: str = Field(description="pdf, jpg, png or webp")
    size: int = Field(description="bytes")
    created_at: datetime


class DeliberationAttachmentIn(Schema):
    title: str = Field("", max_length=80, description="defaults to the file's name")


class MeetingMoveIn(Schema):
    starts_at: datetime = Field(
        description="the new time; a booked room moves with it or the move is refused"
    )


class MeetingCancelIn(Schema):
    reason: str = Field(max_length=300, description="told to the members")


class MeetingSignInIn(Schema):
    token: str = Field(max_length=120, description="the code shown on the secretary's screen")


class MeetingAttendanceIn(Schema):
    member_id: Id
    present: bool = True


class MeetingStepIn(Schema):
    action: Literal["open", "close", "approve_minutes", "publish_minutes"]


class NoticeObjectionIn(Schema):
    body: str = Field(max_length=500)


class VoteIn(Schema):
    topic_id: Id
    kind: Literal["yes_no", "single", "ranked", "owners"]
    question: str = Field(max_length=120)
    options: list[Annotated[str, Field(max_length=60)]] = Field([], max_length=10)
    meeting_id: Id | None = None
    compound_id: Id | None = Field(None, description="owners' votes: the compound whose owners vote")
    threshold: Literal["cast", "present", "all", "two_thirds"] = "cast"
    secret: bool = False
    major: bool = Field(False, description="owners' votes: a major matter needs ¾ (art. 278 para. 2)")


class VoteOut(Schema):
    id: int
    topic_id: int
    kind: str
    question: str
    options: list[str]
    secret: bool
    threshold: str
    major: bool
    status: str
    result: dict[str, Any] | None = Field(None, description="only once the vote is closed")
    my_units: list[dict[str, Any]] = []


class BallotIn(Schema):
    choice: str | int | list[Annotated[int, Field(ge=0, le=9)]] = Field(
        description="agree/disagree/abstain; an option's index; or a ranking of indices"
    )
    unit_id: Id | None = Field(None, description="owners' votes: the unit")
    voter_id: Id | None = Field(None, description="paper ballots of a council vote: the member")
    channel: Literal["online", "paper", "proxy"] = "online"
    proxy_name: str = Field("", max_length=40)
    code: str = Field(
        "", max_length=12, description="owners' online votes: the code sent to the owner's mobile"
    )


class OwnerCodeOut(Schema):
    sent_to: str = Field(description="the owner's mobile, masked")


class BallotOut(Schema):
    vote_id: int
    counted: bool


class ActionIn(Schema):
    topic_id: Id
    title: str = Field(max_length=100)
    owner_kind: Literal["party", "unit", "team", "person"] = "unit"
    owner_name: str = Field(max_length=60)
    due: date


class ProgressIn(Schema):
    progress: int = Field(ge=0, le=100)
    note: str = Field("", max_length=300)


class ActionItemOut(Schema):
    id: int
    topic_id: int
    title: str
    owner_kind: str
    owner_name: str
    due: date
    progress: int
    progress_note: str
    status: str
    overdue: bool


class PartyIn(Schema):
    name: str = Field(max_length=40)
    side: Literal["applicant", "respondent"] = "applicant"
    phone: str = Field("", max_length=20)
    address: str = Field("", max_length=80)


class CaseIn(Schema):
    node_id: Id
    kind: Literal["neighbours", "property", "family", "housing", "damages", "labour", "other"]
    source: Literal["walk_in", "police", "court"]
    title: str = Field(max_length=80)
    facts: str = Field(max_length=3000)
    claims: str = Field("", max_length=2000)
    at_risk: bool = False
    parties: list[PartyIn] = Field(max_length=20)


class CaseFromAppealIn(Schema):
    appeal_id: Id
    kind: Literal["neighbours", "property", "family", "housing", "damages", "labour", "other"] = "neighbours"
    at_risk: bool = False


class CaseStepIn(Schema):
    action: Literal["agree", "refer", "withdraw", "flag_risk"]
    note: str = Field("", max_length=300)
    outcome: Literal["written", "oral", "litigation", "arbitration", "administrative", ""] = ""
    terms: str = Field("", max_length=3000)
    responsibilities: str = Field("", max_length=2000)
    performance: str = Field("", max_length=300)
    perform_by: date | None = None
    sealed_by: str = Field("", max_length=60)


class SessionIn(Schema):
    at: datetime
    place: str = Field(max_length=80)
    present: str = Field(max_length=200)
    notes: str = Field("", max_length=3000)


class FollowUpIn(Schema):
    due: date


class PartyOut(Schema):
    name: str
    side: str
    phone: str = Field(description="masked")


class CaseOut(Schema):
    id: int
    node_id: int
    kind: str
    source: str
    title: str
    facts: str
    claims: str
    at_risk: bool
    status: str
    outcome: str
    terms: str
    appeal_id: int | None
    parties: list[PartyOut]
    mediators: list[str]


class CaseCountsOut(Schema):
    total: int
    open: int
    at_risk: int
    agreed: int
    referred: int
