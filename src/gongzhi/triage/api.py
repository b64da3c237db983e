from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from gongzhi.api.schemas import ErrorOut
from gongzhi.appeals.services import subdistrict_of
from gongzhi.core.http import AuthenticatedHttpRequest
from gongzhi.core.roles import OVERSIGHT_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.orgs.selectors import node_or_first_root
from gongzhi.triage.selectors import hot_issues_for
from gongzhi.triage.services import category_suggestion

router = Router(tags=["triage"])


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


@router.post("/appeals/suggest", response={200: SuggestionOut, 404: ErrorOut, 422: ErrorOut})
def appeal_suggest(request: AuthenticatedHttpRequest, payload: SuggestIn):
    """The first-level category the triage model suggests for a text being written, with its confidence;
    all null when there is no model or nothing to go on. Nothing is stored."""
    node = node_or_first_root(fetched_by=request.user, pk=payload.node_id)
    category, confidence = category_suggestion(
        title=payload.title, body=payload.body, subdistrict=subdistrict_of(node)
    )
    return {
        "category_id": category.pk if category else None,
        "name": category.name if category else None,
        "confidence": confidence,
    }


@router.get("/appeals/hot", response={200: list[HotIssueOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def appeal_hot_issues(
    request: AuthenticatedHttpRequest,
    node: int | None = None,
    start: date | None = Query(None, alias="from"),
    end: date | None = Query(None, alias="to"),
    limit: int = Query(20, ge=1, le=100),
):
    """Hot issues (热点问题) of a node's subtree over [from, to) (default: the last 30 days): groups of
    appeals telling the same problem in the same place, ranked by size, growth and residents' support."""
    if not has_role(request.user, OVERSIGHT_ROLES):
        raise PermissionDenied("Hot issues are for staff and viewers.")
    scope = node_or_first_root(fetched_by=request.user, pk=node)
    end = end or timezone.localdate() + timedelta(days=1)
    start = start or end - timedelta(days=30)
    if start >= end:
        raise ValidationError({"from": "from must be before to"})
    if (end - start).days > 366:
        raise ValidationError({"from": "the period can be at most a year"})
    tz = timezone.get_current_timezone()
    return hot_issues_for(
        fetched_by=request.user,
        node=scope,
        start=datetime.combine(start, time.min, tzinfo=tz),
        end=datetime.combine(end, time.min, tzinfo=tz),
        limit=limit,
    )
