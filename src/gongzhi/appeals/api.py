"""The appeals API: filing, lists and the work queue, transitions, photos, KPIs, smart triage (suggested
category, hot issues)."""

from datetime import datetime, time, timedelta
from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.accounts.selectors import person_get
from gongzhi.appeals import kpis, selectors, services
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import PhotoKind
from gongzhi.appeals.rules import handles, is_assignee
from gongzhi.appeals.schemas import (
    AppealDetailOut,
    AppealIn,
    AppealOut,
    ContactOut,
    HotIssueOut,
    PhotoOut,
    SuggestIn,
    SuggestionOut,
    TransitionIn,
)
from gongzhi.appeals.triage import category_suggestion
from gongzhi.core.pagination import IndexedLimitOffsetPagination
from gongzhi.core.rules import is_overseer
from gongzhi.core.schemas import Day, ErrorOut
from gongzhi.orgs.selectors import (
    node_get,
    node_or_first_root,
    org_unit_get,
    subdistrict_of,
    team_get,
    user_for_assignment,
)

router = Router(tags=["appeals"])


@router.post(
    "/appeals", response={200: AppealOut, 201: AppealOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def appeal_create(request: AuthenticatedHttpRequest, payload: AppealIn):
    """File an appeal. Send a client key (or an Idempotency-Key header): a repeat returns the first appeal (200)."""
    node = node_get(fetched_by=request.user, pk=payload.node_id)
    resident = person_get(fetched_by=request.user, pk=payload.resident_id) if payload.resident_id else None
    appeal, created = services.appeal_submit(
        actor=request.user,
        node=node,
        title=payload.title,
        body=payload.body,
        category=services.category_for(subdistrict=None, category_id=payload.category_id),
        channel=payload.channel,
        resident=resident,
        lat=payload.lat,
        lng=payload.lng,
        hidden_from_neighbours=payload.hidden_from_neighbours,
        open_data=payload.open_data,
        client_key=payload.client_key or request.headers.get("Idempotency-Key", ""),
    )
    return Status(201 if created else 200, appeal)


@router.get("/appeals", response=list[AppealOut])
@paginate(IndexedLimitOffsetPagination)
def appeal_list(request: AuthenticatedHttpRequest, status: str | None = None, tier: str | None = None):
    """Appeals in the caller's reach (residents: their own), newest first. ``status=open`` for all open ones."""
    return selectors.appeal_list(fetched_by=request.user, status=status, tier=tier)


@router.get("/appeals/queue", response=list[AppealOut])
@paginate(IndexedLimitOffsetPagination)
def appeal_queue(request: AuthenticatedHttpRequest):
    """Open appeals the caller can act on at their tier, the soonest due first."""
    return selectors.appeal_queue(fetched_by=request.user)


@router.get("/appeals/assigned", response=list[AppealOut])
@paginate(IndexedLimitOffsetPagination)
def appeal_assigned(request: AuthenticatedHttpRequest, status: str | None = "open"):
    """Appeals assigned to the caller by name or to a compound party they work for (property manager,
    owners' committee), soonest due first."""
    return selectors.assigned_to_me(fetched_by=request.user, status=status)


@router.get("/appeals/neighbours", response=list[AppealOut])
@paginate(IndexedLimitOffsetPagination)
def appeal_neighbours(request: AuthenticatedHttpRequest, status: str | None = "open"):
    """Appeals of the caller's compound open to neighbours (without the filers' names), most supported first."""
    return selectors.public_appeals(fetched_by=request.user, status=status)


@router.post(
    "/appeals/{appeal_id}/support",
    response={200: AppealOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def appeal_support(request: AuthenticatedHttpRequest, appeal_id: int):
    """Add the caller's support to a neighbour's public appeal (once; a repeat changes nothing)."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    services.appeal_support(actor=request.user, appeal=appeal)
    return appeal


@router.delete("/appeals/{appeal_id}/support", response={200: AppealOut, 404: ErrorOut})
def appeal_unsupport(request: AuthenticatedHttpRequest, appeal_id: int):
    """Withdraw the caller's support."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    services.appeal_unsupport(actor=request.user, appeal=appeal)
    return appeal


@router.post("/appeals/{appeal_id}/follow", response={204: None, 404: ErrorOut, 422: ErrorOut})
def appeal_follow(request: AuthenticatedHttpRequest, appeal_id: int):
    """Hear how the appeal goes."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    services.appeal_follow(actor=request.user, appeal=appeal, on=True)
    return Status(204, None)


@router.delete("/appeals/{appeal_id}/follow", response={204: None, 404: ErrorOut, 422: ErrorOut})
def appeal_unfollow(request: AuthenticatedHttpRequest, appeal_id: int):
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    services.appeal_follow(actor=request.user, appeal=appeal, on=False)
    return Status(204, None)


@router.post(
    "/appeals/{appeal_id}/contact", response={200: ContactOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def appeal_contact(request: AuthenticatedHttpRequest, appeal_id: int):
    """The filer's full phone, for the handlers at the appeal's tier and the party it is assigned to. Each
    call is written to the audit log."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    phone = services.appeal_contact_reveal(actor=request.user, appeal=appeal, request=request)
    return {"name": selectors.appeal_contact(appeal)["name"], "phone": phone}


@router.post(
    "/appeals/{appeal_id}/photos",
    response={201: PhotoOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def appeal_photo_add(request: AuthenticatedHttpRequest, appeal_id: int, photo: File[UploadedFile]):
    """Attach a JPEG, PNG or WebP photo (at most 8 MB). It is stored without EXIF or other metadata."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    worker = handles(request.user, appeal) or is_assignee(request.user, appeal)
    kind = PhotoKind.EVIDENCE if worker else PhotoKind.REPORT
    return Status(201, services.appeal_photo_add(actor=request.user, appeal=appeal, upload=photo, kind=kind))


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
    start: Day | None = Query(None, alias="from"),
    end: Day | None = Query(None, alias="to"),
    limit: int = Query(20, ge=1, le=100),
):
    """Hot issues (热点问题) of a node's subtree over [from, to) (default: the last 30 days): groups of
    appeals telling the same problem in the same place, ranked by size, growth and residents' support."""
    if not is_overseer.test(request.user):
        raise AppealError.forbidden("Hot issues are for staff and viewers.")
    scope = node_or_first_root(fetched_by=request.user, pk=node)
    end = end or timezone.localdate() + timedelta(days=1)
    start = start or end - timedelta(days=30)
    if start >= end:
        raise AppealError.invalid("from must be before to", field="from")
    if (end - start).days > 366:
        raise AppealError.invalid("the period can be at most a year", field="from")
    tz = timezone.get_current_timezone()
    return selectors.hot_issues_for(
        fetched_by=request.user,
        node=scope,
        start=datetime.combine(start, time.min, tzinfo=tz),
        end=datetime.combine(end, time.min, tzinfo=tz),
        limit=limit,
    )


@router.get("/appeals/kpis", response={200: dict, 404: ErrorOut, 422: ErrorOut})
def appeal_kpis(
    request: AuthenticatedHttpRequest,
    node: int | None = None,
    start: Day | None = Query(None, alias="from"),
    end: Day | None = Query(None, alias="to"),
    group_by: Literal["node", "tier", "category", "month"] | None = None,
):
    """Response, resolution and satisfaction rates, composite score, on-time rate, average times and tier
    containment for a node's subtree over [from, to) (default: the last 365 days), optionally per group."""
    scope = node_or_first_root(fetched_by=request.user, pk=node)
    today = timezone.localdate()
    end = end or today + timedelta(days=1)
    start = start or end - timedelta(days=365)
    if start >= end:
        raise AppealError.invalid("from must be before to", field="from")
    tz = timezone.get_current_timezone()
    return kpis.appeal_kpis(
        fetched_by=request.user,
        node=scope,
        group_by=group_by,
        start=datetime.combine(start, time.min, tzinfo=tz),
        end=datetime.combine(end, time.min, tzinfo=tz),
    )


@router.get("/appeals/{appeal_id}", response={200: AppealDetailOut, 404: ErrorOut})
def appeal_detail(request: AuthenticatedHttpRequest, appeal_id: int):
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    appeal.timeline = list(selectors.appeal_timeline(fetched_by=request.user, appeal=appeal))  # type: ignore[attr-defined]
    return appeal


@router.post(
    "/appeals/{appeal_id}/transitions",
    response={200: AppealOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def appeal_transition(request: AuthenticatedHttpRequest, appeal_id: int, payload: TransitionIn):
    """Apply an action: accept, request_info, provide_info, assign, propose, hand_back, send_back, escalate,
    transfer, merge, resolve, rate, close, follow_up (with ``reached``), comment, categorise (with
    ``category_id``)."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=appeal_id)
    data = payload.dict(exclude_unset=True)
    action = data.pop("action")
    if payload.assignee_user_id is not None:
        data["assignee_user"] = user_for_assignment(pk=payload.assignee_user_id)
    if payload.assignee_unit_id is not None:
        data["assignee_unit"] = org_unit_get(fetched_by=request.user, pk=payload.assignee_unit_id)
    if payload.assignee_team_id is not None:
        data["assignee_team"] = team_get(fetched_by=request.user, pk=payload.assignee_team_id)
    if payload.merge_into_id is not None:
        try:
            data["merge_into"] = selectors.appeal_get(fetched_by=request.user, pk=payload.merge_into_id)
        except Http404:
            raise AppealError.invalid("Not found.", field="merge_into") from None
    if payload.category_id is not None:
        data["category"] = services.category_for(
            subdistrict=subdistrict_of(appeal.node), category_id=payload.category_id
        )
    for key in ("assignee_user_id", "assignee_unit_id", "assignee_team_id", "merge_into_id", "category_id"):
        data.pop(key, None)
    return services.appeal_transition(actor=request.user, appeal=appeal, action=action, **data)
