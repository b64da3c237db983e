"""The party-work API under /api/v1/party/…: schemes, rounds and ratings, member points, budgets and
expenses, courses, sessions (with the live page's heartbeat) and study hours. Amounts are strings of yuan
with at most two decimals (exact); points are whole numbers."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import (
    MAX_OFFSET,
    IndexedLimitOffsetPagination,
    LimitOffset,
    bounded_count,
    page_by_ids,
)
from gongzhi.core.schemas import ErrorOut
from gongzhi.orgs.selectors import node_get
from gongzhi.partywork import branches, selectors, services
from gongzhi.partywork.models import ExpenseCategory, ItemSource, MeetingKind
from gongzhi.partywork.workflow import EXPENSE_WORKFLOW, RATING_WORKFLOW

router = Router(tags=["party"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# An optional file of a multipart form (typed ``File[UploadedFile] | None`` the file was never read).
OPTIONAL_FILE = File(None)
PAGE, PAGE_MAX = settings.NINJA_PAGINATION_PER_PAGE, settings.NINJA_PAGINATION_MAX_LIMIT
Number = str  # a decimal number as text ("12.5"), checked by the service


class RubricItemIn(Schema):
    dimension: str = Field(max_length=40)
    name: str = Field(max_length=120)
    max_points: Number = Field(max_length=12)
    deduction: bool = False
    source: Literal[tuple(ItemSource.values)] = ItemSource.MANUAL  # type: ignore[valid-type]
    full_at: Number | None = Field(
        None, max_length=12, description="the measured figure that earns full points"
    )


class SchemeIn(Schema):
    node_id: int = Field(description="the subdistrict")
    year: int = Field(ge=2000, le=2100)
    name: str = Field(max_length=80)
    items: list[RubricItemIn] = Field(max_length=60)
    item_weight: Decimal = Field(Decimal(70), ge=0, le=100, max_digits=5, decimal_places=2)
    peer_weight: Decimal = Field(Decimal(30), ge=0, le=100, max_digits=5, decimal_places=2)
    bands: list[Decimal] = Field(
        default_factory=lambda: [Decimal(b) for b in (90, 80, 70, 60, 50)], min_length=5, max_length=5
    )
    five_star_quota: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    five_star_needs_innovation: bool = False


class RubricItemOut(Schema):
    id: int
    dimension: str
    name: str
    max_points: Decimal
    deduction: bool
    source: str
    full_at: Decimal | None


class SchemeOut(Schema):
    id: int
    node_id: int
    year: int
    version: int
    name: str
    item_weight: Decimal
    peer_weight: Decimal
    bands: list[str]
    five_star_quota: Decimal | None
    five_star_needs_innovation: bool
    frozen: bool
    items: list[RubricItemOut]


def _scheme(s) -> dict:
    return {
        **{
            k: getattr(s, k)
            for k in ("id", "node_id", "year", "version", "name", "item_weight", "peer_weight")
        },
        "bands": [str(b) for b in s.bands],
        "five_star_quota": s.five_star_quota,
        "five_star_needs_innovation": s.five_star_needs_innovation,
        "frozen": s.frozen,
        "items": [
            {
                k: getattr(i, k)
                for k in ("id", "dimension", "name", "max_points", "deduction", "source", "full_at")
            }
            for i in s.items.all()
        ],
    }


@router.get("/party/schemes", response=list[SchemeOut])
def schemes(request: AuthenticatedHttpRequest):
    """Rating schemes where you work, every version (newest first)."""
    return [_scheme(s) for s in selectors.schemes(fetched_by=request.user)[:200]]


@router.post("/party/schemes", response={201: SchemeOut, **ERRORS})
def scheme_create(request: AuthenticatedHttpRequest, data: SchemeIn):
    """A new version of the subdistrict's scheme for the year (the working committee)."""
    node = node_get(fetched_by=request.user, pk=data.node_id)
    scheme = services.scheme_create(
        actor=request.user,
        subdistrict=node,
        year=data.year,
        name=data.name,
        items=[i.dict() for i in data.items],
        item_weight=data.item_weight,
        peer_weight=data.peer_weight,
        bands=list(data.bands),
        five_star_quota=data.five_star_quota,
        five_star_needs_innovation=data.five_star_needs_innovation,
    )
    return Status(201, _scheme(scheme))


class RatingRoundIn(Schema):
    scheme_id: int
    notice_days: int = Field(5, ge=1, le=30)


class RatingRoundOut(Schema):
    id: int
    node_id: int
    scheme_id: int
    year: int
    status: str
    notice_days: int
    notice_until: datetime | None
    rated: int
    starred: int
    five_star: int
    no_star: int


def _round(request, rnd) -> dict:
    board = selectors.board(fetched_by=request.user, rnd=rnd)
    return {
        **{
            k: getattr(rnd, k)
            for k in ("id", "node_id", "scheme_id", "year", "status", "notice_days", "notice_until")
        },
        "rated": board.rated,
        "starred": board.starred,
        "five_star": board.five,
        "no_star": board.none,
    }


@router.post("/party/rounds", response={201: RatingRoundOut, **ERRORS})
def round_open(request: AuthenticatedHttpRequest, data: RatingRoundIn):
    """Open the year's round under a scheme version: a rating per branch, with the measured figures."""
    scheme = selectors.scheme_get(fetched_by=request.user, pk=data.scheme_id)
    rnd = services.round_open(actor=request.user, scheme=scheme, notice_days=data.notice_days)
    return Status(201, _round(request, rnd))


@router.get("/party/rounds/{round_id}", response={200: RatingRoundOut, 404: ErrorOut})
def round_get(request: AuthenticatedHttpRequest, round_id: int):
    return _round(request, selectors.round_get(fetched_by=request.user, pk=round_id))


class RoundStepIn(Schema):
    action: Literal["notice", "finalise"]


@router.post("/party/rounds/{round_id}/steps", response={200: RatingRoundOut, **ERRORS})
def round_step(request: AuthenticatedHttpRequest, round_id: int, data: RoundStepIn):
    """notice: compute every branch's stars (bands, condition, quota) and put them on public notice;
    finalise: after the notice with every objection answered, final stars and the year's budgets."""
    rnd = selectors.round_get(fetched_by=request.user, pk=round_id)
    if data.action == "notice":
        rnd = services.round_notice(actor=request.user, rnd=rnd)
    else:
        rnd = services.round_finalise(actor=request.user, rnd=rnd)
    return _round(request, rnd)


class LineOut(Schema):
    id: int
    item_id: int
    dimension: str
    name: str
    max_points: Decimal
    deduction: bool
    source: str
    measured: Decimal | None
    measured_source: str
    self_points: Decimal | None
    points: Decimal | None
    evidence_note: str
    has_file: bool


class BranchRatingOut(Schema):
    id: int
    round_id: int
    year: int
    branch_id: int
    branch_name: str
    status: str
    stars: int | None
    capped_by: str
    previous_stars: int | None
    item_score: Decimal | None
    peer_score: Decimal | None
    total: Decimal | None
    innovation_project: str
    appealed: bool
    actions: list[str]


class RatingDetailOut(BranchRatingOut):
    lines: list[LineOut]


def _rating(request, r, lines: bool = False) -> dict:
    out = {
        **{
            k: getattr(r, k)
            for k in (
                "id",
                "round_id",
                "branch_id",
                "status",
                "stars",
                "capped_by",
                "previous_stars",
                "item_score",
                "peer_score",
                "total",
                "innovation_project",
                "appealed",
            )
        },
        "year": r.round.year,
        "branch_name": r.branch.name,
        "actions": RATING_WORKFLOW.available(request.user, r),
    }
    if lines:
        out["lines"] = [
            {
                "id": ln.pk,
                "item_id": ln.item_id,
                "dimension": ln.item.dimension,
                "name": ln.item.name,
                "max_points": ln.item.max_points,
                "deduction": ln.item.deduction,
                "source": ln.item.source,
                "measured": ln.measured,
                "measured_source": ln.measured_source,
                "self_points": ln.self_points,
                "points": ln.points,
                "evidence_note": ln.evidence_note,
                "has_file": bool(ln.evidence_file),
            }
            for ln in selectors.rating_lines(r)
        ]
    return out


@router.get("/party/ratings", response={200: list[BranchRatingOut], 404: ErrorOut})
def ratings(request: AuthenticatedHttpRequest, round_id: int | None = None, status: str | None = None):
    """Ratings you may see (a round's board, your branch's, those on public notice where you belong)."""
    rnd = selectors.round_get(fetched_by=request.user, pk=round_id) if round_id is not None else None
    rows = selectors.ratings(fetched_by=request.user, rnd=rnd, status=(status or "")[:10] or None)
    return [_rating(request, r) for r in rows.select_related("round")[:500]]


@router.get("/party/ratings/{rating_id}", response={200: RatingDetailOut, 404: ErrorOut})
def rating_get(request: AuthenticatedHttpRequest, rating_id: int):
    return _rating(request, selectors.rating_get(fetched_by=request.user, pk=rating_id), lines=True)


class SelfAssessIn(Schema):
    points: dict[int, Number] = Field(default_factory=dict, description="line id → the branch's own points")
    notes: dict[int, str] = Field(
        default_factory=dict, description="line id → evidence (at most 300 characters)"
    )
    innovation_project: str | None = Field(None, max_length=120)
    summary: str | None = Field(None, max_length=500)


@router.post("/party/ratings/{rating_id}/self-assessment", response={200: RatingDetailOut, **ERRORS})
def rating_self_assess(request: AuthenticatedHttpRequest, rating_id: int, data: SelfAssessIn):
    """The branch secretary's own points and evidence, while the rating is in self-assessment."""
    rating = selectors.rating_get(fetched_by=request.user, pk=rating_id)
    if len(data.points) > 100 or len(data.notes) > 100:
        from gongzhi.partywork.errors import PartyError

        raise PartyError.invalid("too many lines", field="points")
    rating = services.rating_self_assess(
        actor=request.user,
        rating=rating,
        points=dict(data.points),
        notes=dict(data.notes),
        innovation_project=data.innovation_project,
        summary=data.summary,
    )
    return _rating(request, rating, lines=True)


@router.post("/party/ratings/{rating_id}/evidence/{line_id}", response={200: RatingDetailOut, **ERRORS})
def rating_evidence_upload(
    request: AuthenticatedHttpRequest, rating_id: int, line_id: int, file: File[UploadedFile]
):
    """Upload a document (PDF) or photo as the evidence of one item."""
    rating = selectors.rating_get(fetched_by=request.user, pk=rating_id)
    rating = services.rating_self_assess(actor=request.user, rating=rating, points={}, files={line_id: file})
    return _rating(request, rating, lines=True)


class RatingStepIn(Schema):
    action: Literal["submit", "return", "score", "recheck", "send_back", "appeal", "decide"]
    note: str = Field("", max_length=500)
    points: dict[int, Number] = Field(default_factory=dict, description="score: line id → points")
    peer_score: Number | None = Field(None, max_length=12, description="score: 0–100")
    stars: int | None = Field(None, ge=0, le=5, description="decide: the stars after the appeal (or keep)")


@router.post("/party/ratings/{rating_id}/steps", response={200: RatingDetailOut, **ERRORS})
def rating_step(request: AuthenticatedHttpRequest, rating_id: int, data: RatingStepIn):
    """submit (the branch secretary) → score (a reviewer not of the branch) → recheck (the committee, not the
    scorer); return / send_back with a note; appeal a final result once; decide an appeal (the committee)."""
    rating = selectors.rating_get(fetched_by=request.user, pk=rating_id)
    if data.action == "decide":
        rating = services.rating_decide_appeal(
            actor=request.user, rating=rating, note=data.note, stars=data.stars
        )
    else:
        rating = services.rating_transition(
            actor=request.user,
            rating=rating,
            action=data.action,
            note=data.note,
            points=dict(data.points),
            peer_score=data.peer_score,
        )
    return _rating(request, rating, lines=True)


class RatingObjectionIn(Schema):
    text: str = Field(max_length=500)


class ObjectionOut(Schema):
    id: int
    rating_id: int
    text: str
    answer: str
    created_at: datetime


@router.post("/party/ratings/{rating_id}/objections", response={201: ObjectionOut, **ERRORS})
def objection_raise(request: AuthenticatedHttpRequest, rating_id: int, data: RatingObjectionIn):
    """An objection during the public notice."""
    rating = selectors.rating_get(fetched_by=request.user, pk=rating_id)
    o = services.objection_raise(actor=request.user, rating=rating, text=data.text)
    return Status(
        201,
        {
            "id": o.pk,
            "rating_id": o.rating_id,
            "text": o.text,
            "answer": o.answer,
            "created_at": o.created_at,
        },
    )


# --- member points ------------------------------------------------------------------------------------------


class PointsOut(Schema):
    id: int
    membership_id: int
    month: date
    rule: str
    kind: str
    units: int
    points: int
    note: str
    status: str

    # A page of entries is read as rows (the paged lists); the other answers give ``_points`` dicts.
    @staticmethod
    def resolve_rule(obj) -> str:
        return obj["rule"] if isinstance(obj, dict) else obj.rule.name

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj["kind"] if isinstance(obj, dict) else obj.rule.kind


def _points(e) -> dict:
    return {
        "id": e.pk,
        "membership_id": e.membership_id,
        "month": e.month,
        "rule": e.rule.name,
        "kind": e.rule.kind,
        "units": e.units,
        "points": e.points,
        "note": e.note,
        "status": e.status,
    }


class MyPointsOut(Schema):
    year: int
    approved_total: int
    count: int = Field(description="the year's entries (the page is ``entries``)")
    count_capped: bool
    entries: list[PointsOut]


@router.get("/party/member-points/mine", response=MyPointsOut)
def my_points(
    request: AuthenticatedHttpRequest,
    year: int | None = None,
    limit: int = Query(PAGE, ge=1, le=PAGE_MAX),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    """Your own party-member points (never spendable in the mall): the year's approved total and a page of
    its entries, newest month first."""
    y = year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year
    rows = selectors.my_points(fetched_by=request.user, year=y)
    count, capped = bounded_count(rows)
    return {
        "year": y,
        "approved_total": selectors.points_total(rows),
        "count": count,
        "count_capped": capped,
        "entries": page_by_ids(rows, offset, limit),
    }


@router.get("/party/member-points", response=list[PointsOut])
@paginate(IndexedLimitOffsetPagination)
def points_list(
    request: AuthenticatedHttpRequest, status: Literal["proposed", "approved", "rejected"] | None = None
):
    """Member points in your reach (staff), newest month first, a page at a time."""
    return selectors.points_entries(fetched_by=request.user, status=status)


class PointsIn(Schema):
    membership_id: int
    rule_id: int
    month: date
    units: int = Field(1, ge=1, le=100)
    note: str = Field("", max_length=200)


@router.post("/party/member-points", response={201: PointsOut, **ERRORS})
def points_propose(request: AuthenticatedHttpRequest, data: PointsIn):
    """Propose a line of a member's month under a rule; it counts once someone else approves it."""
    membership = selectors.membership_get(fetched_by=request.user, pk=data.membership_id)
    rule = selectors.points_rule_get(fetched_by=request.user, pk=data.rule_id)
    e = services.points_propose(
        actor=request.user,
        membership=membership,
        rule=rule,
        month=data.month,
        units=data.units,
        note=data.note,
    )
    return Status(201, _points(e))


class DecideIn(Schema):
    approve: bool


@router.post("/party/member-points/{entry_id}/decision", response={200: PointsOut, **ERRORS})
def points_decide(request: AuthenticatedHttpRequest, entry_id: int, data: DecideIn):
    entry = selectors.points_entry_get(fetched_by=request.user, pk=entry_id)
    return _points(services.points_decide(actor=request.user, entry=entry, approve=data.approve))


# --- funds -------------------------------------------------------------------------------------------------


class BudgetOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    year: int
    stars: int | None
    base: Decimal
    star_amount: Decimal
    grants: Decimal
    total: Decimal
    spent: Decimal
    balance: Decimal


def _budget(b) -> dict:
    return {
        **{
            k: getattr(b, k)
            for k in (
                "id",
                "branch_id",
                "year",
                "stars",
                "base",
                "star_amount",
                "grants",
                "total",
                "spent",
                "balance",
            )
        },
        "branch_name": b.branch.name,
    }


@router.get("/party/budgets", response=list[BudgetOut])
def budgets(request: AuthenticatedHttpRequest, year: int | None = None):
    y = year if year is not None and 2000 <= year <= 2100 else None
    return [_budget(b) for b in selectors.budgets(fetched_by=request.user, year=y)[:500]]


class ExpenseOut(Schema):
    id: int
    budget_id: int
    branch_name: str
    amount: Decimal
    category: str
    purpose: str
    spent_on: date
    linked_to: str
    status: str
    actions: list[str]


def _expense(request, e) -> dict:
    return {
        **{
            k: getattr(e, k)
            for k in ("id", "budget_id", "amount", "category", "purpose", "spent_on", "linked_to", "status")
        },
        "branch_name": e.branch.name,
        "actions": EXPENSE_WORKFLOW.available(request.user, e),
    }


@router.get("/party/expenses", response=list[ExpenseOut])
def expenses(
    request: AuthenticatedHttpRequest,
    status: Literal["entered", "approved", "rejected", "published"] | None = None,
):
    return [_expense(request, e) for e in selectors.expenses(fetched_by=request.user, status=status)[:500]]


class ExpenseIn(Schema):
    amount: str = Field(max_length=14, description="yuan, at most two decimals, e.g. 1280.50")
    category: Literal[tuple(ExpenseCategory.values)]  # type: ignore[valid-type]
    purpose: str = Field(max_length=200)
    spent_on: date | None = None
    linked_to: str = Field("", max_length=40, description="e.g. activity:12, project:3, venue:5")


@router.post("/party/budgets/{budget_id}/expenses", response={201: ExpenseOut, **ERRORS})
def expense_enter(
    request: AuthenticatedHttpRequest, budget_id: int, data: Form[ExpenseIn], receipt: File[UploadedFile]
):
    """An expense with its receipt (photo or PDF); forbidden categories and spending beyond the budget are
    refused."""
    budget = selectors.budget_get(fetched_by=request.user, pk=budget_id)
    e = services.expense_enter(
        actor=request.user,
        budget=budget,
        amount=data.amount,
        category=data.category,
        purpose=data.purpose,
        receipt=receipt,
        spent_on=data.spent_on,
        linked_to=data.linked_to,
    )
    return Status(201, _expense(request, e))


class ExpenseStepIn(Schema):
    action: Literal["approve", "reject", "publish"]
    note: str = Field("", max_length=300)


@router.post("/party/expenses/{expense_id}/steps", response={200: ExpenseOut, **ERRORS})
def expense_step(request: AuthenticatedHttpRequest, expense_id: int, data: ExpenseStepIn):
    """approve / reject (a manager who did not enter it; never beyond the budget), publish."""
    e = selectors.expense_get(fetched_by=request.user, pk=expense_id)
    return _expense(
        request,
        services.expense_transition(actor=request.user, expense=e, action=data.action, note=data.note),
    )


# --- training ----------------------------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    node_id: int
    name: str
    series: str


@router.get("/party/courses", response=list[CourseOut])
def courses(request: AuthenticatedHttpRequest):
    return list(selectors.courses(fetched_by=request.user)[:200])


class SessionOut(Schema):
    id: int
    course_id: int
    title: str
    mode: str
    place: str
    stream_url: str
    starts_at: datetime
    minutes: int


@router.get("/party/sessions", response=list[SessionOut])
def sessions(request: AuthenticatedHttpRequest):
    return list(selectors.sessions(fetched_by=request.user)[:200])


class HeartbeatIn(Schema):
    visible: bool


class HeartbeatOut(Schema):
    minutes: int


@router.post("/party/sessions/{session_id}/heartbeat", response={200: HeartbeatOut, **ERRORS})
def heartbeat(request: AuthenticatedHttpRequest, session_id: int, data: HeartbeatIn):
    """The open live page's beat, each minute: a minute is credited only while the stream is visible, at
    most once a minute whatever the number of tabs, at most the session's length."""
    session = selectors.session_get(fetched_by=request.user, pk=session_id)
    return {"minutes": services.session_heartbeat(user=request.user, session=session, visible=data.visible)}


class StudyOut(Schema):
    year: int
    minutes: int
    hours: Decimal


@router.get("/party/study-hours/mine", response=StudyOut)
def my_study_hours(request: AuthenticatedHttpRequest, year: int | None = None):
    y = year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year
    minutes, _rows = selectors.my_study(fetched_by=request.user, year=y)
    return {"year": y, "minutes": minutes, "hours": (Decimal(minutes) / 60).quantize(Decimal("0.01"))}


class StudyRowOut(Schema):
    user_id: int
    name: str
    hours: Decimal
    required_hours: int
    behind: bool


@router.get("/party/study-hours", response=list[StudyRowOut])
def study_hours(request: AuthenticatedHttpRequest, year: int | None = None):
    """Members' study hours in your reach against the minimum, those behind first (names masked)."""
    y = year if year is not None and 2000 <= year <= 2100 else timezone.localdate().year
    return [
        {
            "user_id": r.user_id,
            "name": r.name,
            "hours": r.hours,
            "required_hours": r.required_hours,
            "behind": r.behind,
        }
        for r in selectors.study_ledger(fetched_by=request.user, year=y)
    ]


# --- strong branches and terms ------------------------------------------------------------------------------


class StrongTargetIn(Schema):
    name: str = Field(max_length=80)
    source: Literal[tuple(ItemSource.values)] = ItemSource.MANUAL  # type: ignore[valid-type]
    goal: Number | None = Field(None, max_length=12, description="for a measured target: the figure to reach")


class StrongBranchIn(Schema):
    branch_id: int
    targets: list[StrongTargetIn] = Field(min_length=1, max_length=12)
    started_on: date | None = None
    note: str = Field("", max_length=300)


class StrongBranchOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    started_on: date
    status: str
    note: str


class StrongTargetOut(Schema):
    id: int
    name: str
    source: str
    goal: Decimal | None
    figure: Decimal | None
    figure_source: str
    met: bool


class StrongDetailOut(StrongBranchOut):
    targets: list[StrongTargetOut]


def _strong(s) -> dict:
    return {
        "id": s.pk,
        "branch_id": s.branch_id,
        "branch_name": s.branch.name,
        "started_on": s.started_on,
        "status": s.status,
        "note": s.note,
    }


def _strong_detail(request, s) -> dict:
    progress = branches.strong_progress(fetched_by=request.user, strong=s)
    return {
        **_strong(s),
        "targets": [
            {
                "id": p.target.pk,
                "name": p.target.name,
                "source": p.target.source,
                "goal": p.target.goal,
                "figure": p.figure,
                "figure_source": p.source_text,
                "met": p.met,
            }
            for p in progress
        ],
    }


@router.get("/party/strong-branches", response=list[StrongBranchOut])
@paginate(LimitOffset)
def strong_branches(
    request: AuthenticatedHttpRequest,
    status: Literal["cultivating", "recognised", "ended"] | None = None,
):
    """Branches cultivated as strong branches (过硬支部) where you belong or work."""
    return [_strong(s) for s in selectors.strong_branches(fetched_by=request.user, status=status)[:500]]


@router.post("/party/strong-branches", response={201: StrongDetailOut, **ERRORS})
def strong_mark(request: AuthenticatedHttpRequest, data: StrongBranchIn):
    """The working committee marks a branch for cultivation, with its targets."""
    branch = selectors.branch_get(fetched_by=request.user, pk=data.branch_id)
    strong = branches.strong_mark(
        actor=request.user,
        branch=branch,
        targets=[t.dict() for t in data.targets],
        started_on=data.started_on,
        note=data.note,
    )
    return Status(201, _strong_detail(request, selectors.strong_get(fetched_by=request.user, pk=strong.pk)))


@router.get("/party/strong-branches/{strong_id}", response={200: StrongDetailOut, 404: ErrorOut})
def strong_detail(request: AuthenticatedHttpRequest, strong_id: int):
    """A strong branch with each target's figure for this year, measured or checked."""
    return _strong_detail(request, selectors.strong_get(fetched_by=request.user, pk=strong_id))


class StrongCloseIn(Schema):
    recognised: bool
    note: str = Field("", max_length=300)


@router.post("/party/strong-branches/{strong_id}/close", response={200: StrongBranchOut, **ERRORS})
def strong_close(request: AuthenticatedHttpRequest, strong_id: int, data: StrongCloseIn):
    """The working committee recognises the branch, or ends the cultivation."""
    strong = selectors.strong_get(fetched_by=request.user, pk=strong_id)
    return _strong(
        branches.strong_close(actor=request.user, strong=strong, recognised=data.recognised, note=data.note)
    )


class TargetCheckIn(Schema):
    met: bool
    note: str = Field("", max_length=300)


@router.post("/party/strong-targets/{target_id}/check", response={200: StrongTargetOut, **ERRORS})
def strong_target_check(request: AuthenticatedHttpRequest, target_id: int, data: TargetCheckIn):
    """A reviewer checks a target that is not measured from the platform."""
    target = selectors.strong_target_get(fetched_by=request.user, pk=target_id)
    t = branches.strong_target_check(actor=request.user, target=target, met=data.met, note=data.note)
    return {
        "id": t.pk,
        "name": t.name,
        "source": t.source,
        "goal": t.goal,
        "figure": None,
        "figure_source": t.note,
        "met": t.met,
    }


class ShowcaseOut(Schema):
    id: int
    strong_id: int
    branch_name: str
    month: date
    title: str
    text: str
    has_photo: bool


def _showcase(e) -> dict:
    return {
        "id": e.pk,
        "strong_id": e.strong_id,
        "branch_name": e.strong.branch.name,
        "month": e.month,
        "title": e.title,
        "text": e.text,
        "has_photo": bool(e.photo),
    }


@router.get("/party/showcase", response=list[ShowcaseOut])
@paginate(LimitOffset)
def showcase(request: AuthenticatedHttpRequest, strong_id: int | None = None):
    """The strong branches' monthly showcase (风采展), newest first."""
    strong = selectors.strong_get(fetched_by=request.user, pk=strong_id) if strong_id is not None else None
    return [_showcase(e) for e in selectors.showcase(fetched_by=request.user, strong=strong)[:500]]


class ShowcaseIn(Schema):
    month: date
    title: str = Field(max_length=80)
    text: str = Field(max_length=1000)


@router.post("/party/strong-branches/{strong_id}/showcase", response={201: ShowcaseOut, **ERRORS})
def showcase_add(
    request: AuthenticatedHttpRequest,
    strong_id: int,
    data: Form[ShowcaseIn],
    photo: UploadedFile | None = OPTIONAL_FILE,
):
    """The month's showcase entry of a strong branch (its secretary or staff over it), with a photo."""
    strong = selectors.strong_get(fetched_by=request.user, pk=strong_id)
    entry = branches.showcase_add(
        actor=request.user, strong=strong, month=data.month, title=data.title, text=data.text, photo=photo
    )
    return Status(201, _showcase(entry))


class BranchMeetingOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    kind: str
    held_on: date
    topic: str
    attended: int
    has_minutes: bool
    minutes_at: datetime | None


def _meeting(m) -> dict:
    return {
        "id": m.pk,
        "branch_id": m.branch_id,
        "branch_name": m.branch.name,
        "kind": m.kind,
        "held_on": m.held_on,
        "topic": m.topic,
        "attended": m.attended,
        "has_minutes": bool(m.minutes),
        "minutes_at": m.minutes_at,
    }


@router.get("/party/meetings", response=list[BranchMeetingOut])
@paginate(LimitOffset)
def meetings(
    request: AuthenticatedHttpRequest,
    branch_id: int | None = None,
    year: int | None = Query(None, ge=2000, le=2100),
):
    """Branch meetings (三会一课, study days, theme days) of the branches in your reach, newest first."""
    rows = selectors.meetings(fetched_by=request.user, branch_id=branch_id, year=year)
    return [_meeting(m) for m in rows[:1000]]


class BranchMeetingIn(Schema):
    branch_id: int
    kind: Literal[tuple(MeetingKind.values)]  # type: ignore[valid-type]
    held_on: date
    topic: str = Field(max_length=120)
    attended: int = Field(ge=1, le=100000)


@router.post("/party/meetings", response={201: BranchMeetingOut, **ERRORS})
def meeting_record(
    request: AuthenticatedHttpRequest,
    data: Form[BranchMeetingIn],
    minutes: UploadedFile | None = OPTIONAL_FILE,
):
    """A meeting a branch held (its secretary or staff over it), with its minutes (PDF or photo) if ready."""
    branch = selectors.branch_get(fetched_by=request.user, pk=data.branch_id)
    m = branches.meeting_record(
        actor=request.user,
        branch=branch,
        kind=data.kind,
        held_on=data.held_on,
        topic=data.topic,
        attended=data.attended,
        minutes=minutes,
    )
    return Status(201, _meeting(m))


@router.post("/party/meetings/{meeting_id}/minutes", response={200: BranchMeetingOut, **ERRORS})
def meeting_minutes(request: AuthenticatedHttpRequest, meeting_id: int, minutes: File[UploadedFile]):
    """The minutes of a meeting recorded without them."""
    meeting = selectors.meeting_get(fetched_by=request.user, pk=meeting_id)
    return _meeting(branches.meeting_minutes_add(actor=request.user, meeting=meeting, minutes=minutes))


class TermOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    starts_on: date
    ends_on: date
    days_left: int


def _term(t) -> dict:
    return {
        "id": t.pk,
        "branch_id": t.branch_id,
        "branch_name": t.branch.name,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "days_left": (t.ends_on - timezone.localdate()).days,
    }


@router.get("/party/terms", response=list[TermOut])
@paginate(LimitOffset)
def terms(request: AuthenticatedHttpRequest, due_within_days: int | None = Query(None, ge=0, le=3650)):
    """Branch committees' current terms, those ending first; ``due_within_days`` keeps those ending by then."""
    return [_term(t) for t in selectors.terms(fetched_by=request.user, due_within=due_within_days)[:1000]]


class TermIn(Schema):
    branch_id: int
    elected_on: date


@router.post("/party/terms", response={201: TermOut, **ERRORS})
def term_set(request: AuthenticatedHttpRequest, data: TermIn):
    """The current term of a branch elected before its elections were recorded here."""
    branch = selectors.branch_get(fetched_by=request.user, pk=data.branch_id)
    return Status(
        201, _term(branches.term_set(actor=request.user, branch=branch, elected_on=data.elected_on))
    )


class ElectionIn(Schema):
    branch_id: int
    kind: Literal["regular", "by_election"] = "regular"
    held_on: date
    eligible: int = Field(ge=1, le=100000)
    voted: int = Field(ge=0, le=100000)
    committee_size: int = Field(ge=1, le=15)
    secretary_membership_id: int | None = None
    note: str = Field("", max_length=300)


class ElectionOut(Schema):
    id: int
    branch_id: int
    branch_name: str
    kind: str
    held_on: date
    eligible: int
    voted: int
    committee_size: int
    term_ends_on: date | None
    note: str


def _election(e) -> dict:
    return {
        "id": e.pk,
        "branch_id": e.branch_id,
        "branch_name": e.branch.name,
        "kind": e.kind,
        "held_on": e.held_on,
        "eligible": e.eligible,
        "voted": e.voted,
        "committee_size": e.committee_size,
        "term_ends_on": e.term.ends_on if e.term_id else None,
        "note": e.note,
    }


@router.get("/party/elections", response=list[ElectionOut])
@paginate(LimitOffset)
def elections(request: AuthenticatedHttpRequest, branch_id: int | None = None):
    """Recorded elections of branches (换届 and by-elections), newest first."""
    return [_election(e) for e in selectors.elections(fetched_by=request.user, branch_id=branch_id)[:1000]]


@router.post("/party/elections", response={201: ElectionOut, **ERRORS})
def election_record(request: AuthenticatedHttpRequest, data: ElectionIn):
    """The result of a branch's election; a regular one (valid with more than four fifths voting) begins the
    next term."""
    branch = selectors.branch_get(fetched_by=request.user, pk=data.branch_id)
    secretary = (
        selectors.membership_get(fetched_by=request.user, pk=data.secretary_membership_id)
        if data.secretary_membership_id is not None
        else None
    )
    e = branches.election_record(
        actor=request.user,
        branch=branch,
        held_on=data.held_on,
        eligible=data.eligible,
        voted=data.voted,
        committee_size=data.committee_size,
        kind=data.kind,
        secretary=secretary,
        note=data.note,
    )
    return Status(201, _election(e))
