"""The alliances API: /alliances, /units, /resources, /needs, /matches, /projects, /donations, and the links
to the other modules (a need from an appeal, a hot issue or a wish; a project's volunteering activities; an
appeal transferred to a unit; a unit's mall items; where in-kind gifts went)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.alliances import links, selectors, services
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.matching import match_propose
from gongzhi.alliances.projects import project_actions
from gongzhi.alliances.schemas import (
    AgreementIn,
    AgreementOut,
    AllianceOut,
    CandidateOut,
    DriveIn,
    DriveOut,
    ListStepIn,
    MallItemOut,
    MallOfferIn,
    MatchDecideIn,
    MatchOut,
    MatchProposeIn,
    MatchRoundIn,
    MatchRoundOut,
    NeedFromAppealIn,
    NeedFromWishIn,
    NeedIn,
    NeedOut,
    PledgeIn,
    PledgeOut,
    PledgePlaceIn,
    ProjectActivityIn,
    ProjectActivityLinkIn,
    ProjectActivityOut,
    ProjectIn,
    ProjectOut,
    ProjectRatingIn,
    ProjectRatingOut,
    ProjectStepIn,
    ReceiveIn,
    ResourceIn,
    ResourceOut,
    TransferIn,
    TransferOut,
    TransferReplyIn,
    TransferResolveIn,
    UnitAccountIn,
    UnitAccountOut,
    UnitIn,
    UnitOut,
)
from gongzhi.appeals.selectors import appeal_get
from gongzhi.core.pagination import IndexedLimitOffsetPagination, LimitOffset, bounded_count, page_by_ids
from gongzhi.core.rules import staff_at
from gongzhi.core.schemas import ErrorOut
from gongzhi.orgs.selectors import node_get
from gongzhi.wishes.selectors import wish_get

router = Router(tags=["alliances"])
WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@dataclass(frozen=True)
class Rows:
    """A list's queryset (in its order) and how one row is shown: the page is cut in SQL, then shown."""

    queryset: Any
    show: Callable[[Any], dict]


class SqlPage(IndexedLimitOffsetPagination):
    """limit/offset on a queryset, in SQL: the page's ids by the list's index (``core.pagination``), a count
    that stops at 10,000 (``count_capped``), then only the page's rows are shown."""

    def paginate_queryset(self, queryset: Rows, pagination: Any, request: Any, **params: Any) -> dict:  # type: ignore[override]
        count, capped = bounded_count(queryset.queryset)
        rows = page_by_ids(queryset.queryset, pagination.offset, pagination.limit)
        return {"items": [queryset.show(r) for r in rows], "count": count, "count_capped": capped}


def _alliance(a) -> dict:
    f = selectors.alliance_figures(a)
    return {
        "id": a.pk,
        "node_id": a.node_id,
        "node_name": a.node.name,
        "name": a.name,
        "kind": a.kind,
        "units": f["units"],
        "projects": f["projects"],
        "activities": f["activities"],
        "venues": f["venues"],
        "reached": f["reached"],
        "solved": f["solved"],
    }


def _unit(u) -> dict:
    return {
        "id": u.pk,
        "node_id": u.node_id,
        "name": u.name,
        "kind": u.kind,
        "party_org": u.party_org,
        "contact_name": u.contact_name,
        "contact_phone": u.contact_phone_masked,
    }


def _resource(r) -> dict:
    return {
        "id": r.pk,
        "unit_id": r.unit_id,
        "unit_name": r.unit.name,
        "category": r.category,
        "title": r.title,
        "description": r.description,
        "capacity_kind": r.capacity_kind,
        "capacity": r.capacity,
        "remaining": r.remaining,
        "radius_km": r.radius_km,
        "available_from": r.available_from,
        "available_until": r.available_until,
        "status": r.status,
    }


def _need(n) -> dict:
    return {
        "id": n.pk,
        "node_id": n.node_id,
        "node_name": n.node.name,
        "category": n.category,
        "title": n.title,
        "description": n.description,
        "beneficiaries": n.beneficiaries,
        "urgency": n.urgency,
        "quantity_kind": n.quantity_kind,
        "quantity": n.quantity,
        "wanted_from": n.wanted_from,
        "wanted_until": n.wanted_until,
        "status": n.status,
        "appeal_id": n.appeal_id,
        "wish_id": n.wish_id,
        "source": n.source,
    }


def _match(m) -> dict:
    return {
        "id": m.pk,
        "need_id": m.need_id,
        "need_title": m.need.title,
        "resource_id": m.resource_id,
        "resource_title": m.resource.title,
        "unit_name": m.resource.unit.name,
        "score": m.score,
        "quantity": m.quantity,
        "status": m.status,
        "round_id": m.round_id,
    }


def _project(p, user) -> dict:
    return {
        "id": p.pk,
        "node_id": p.node_id,
        "node_name": p.node.name,
        "name": p.name,
        "category": p.category.name if p.category_id else "",
        "goal": p.goal,
        "place": p.place,
        "budget": p.budget,
        "slots": p.slots,
        "status": p.status,
        "progress": p.progress,
        "residents_reached": p.residents_reached,
        "units": [
            {"unit_id": pu.unit_id, "unit_name": pu.unit.name, "role": pu.role} for pu in p.units.all()
        ],
        "milestones": [
            {"id": m.pk, "title": m.title, "weight": m.weight, "done": m.done_at is not None}
            for m in p.milestones.all()
        ],
        "actions": project_actions(user=user, project=p),
        "created_at": p.created_at,
    }


def _drive(d) -> dict:
    return {
        "id": d.pk,
        "node_id": d.node_id,
        "title": d.title,
        "kind": d.kind,
        "goal": d.goal,
        "starts_on": d.starts_on,
        "ends_on": d.ends_on,
        "receiver": d.receiver,
        "public": d.public,
        "received": getattr(d, "received", 0) or 0,
        "pledged": getattr(d, "pledged", 0) or 0,
    }


def _pledge(p) -> dict:
    return {
        "id": p.pk,
        "drive_id": p.drive_id,
        "unit_id": p.unit_id,
        "unit_name": p.unit.name,
        "amount": p.amount,
        "item": p.item,
        "quantity": p.quantity,
        "destination": p.destination,
        "status": p.status,
        "to_node_id": p.to_node_id,
        "to_activity_id": p.to_activity_id,
        "to_mall_item_id": p.to_mall_item_id,
    }


# --- alliances and units ---------------------------------------------------------------------------


@router.get("/alliances", response=list[AllianceOut])
@paginate(LimitOffset)
def alliances(request: AuthenticatedHttpRequest):
    """The alliances where you belong (or in your reach), with their figures."""
    return [_alliance(a) for a in selectors.alliance_list(fetched_by=request.user)[:200]]


@router.get("/alliances/{alliance_id}", response={200: AllianceOut, 404: ErrorOut})
def alliance(request: AuthenticatedHttpRequest, alliance_id: int):
    return _alliance(selectors.alliance_get(fetched_by=request.user, pk=alliance_id))


@router.get("/units", response=list[UnitOut])
@paginate(LimitOffset)
def units(request: AuthenticatedHttpRequest, alliance_id: int | None = None, q: str = ""):
    alliance = selectors.alliance_get(fetched_by=request.user, pk=alliance_id) if alliance_id else None
    return [
        _unit(u) for u in selectors.unit_list(fetched_by=request.user, alliance=alliance, q=q[:40])[:1000]
    ]


@router.post("/units", response={201: UnitOut, **WRITE})
def unit_register(request: AuthenticatedHttpRequest, data: UnitIn):
    """Register a unit at a subdistrict (staff) and admit it to alliances there."""
    node = node_get(fetched_by=request.user, pk=data.node_id)
    alliances = [selectors.alliance_get(fetched_by=request.user, pk=pk) for pk in data.alliance_ids]
    unit = services.unit_register(
        actor=request.user,
        subdistrict=node,
        name=data.name,
        kind=data.kind,
        party_org=data.party_org,
        contact_name=data.contact_name,
        contact_phone=data.contact_phone,
        alliances=alliances,
    )
    return Status(201, _unit(unit))


@router.get("/units/{unit_id}", response={200: UnitOut, 404: ErrorOut})
def unit(request: AuthenticatedHttpRequest, unit_id: int):
    return _unit(selectors.unit_get(fetched_by=request.user, pk=unit_id))


def _account(s) -> dict:
    return {
        "user_id": s.user_id,
        "name": s.user.display_name or s.user.username,
        "phone": s.user.phone_masked,
    }


@router.get("/units/{unit_id}/accounts", response={200: list[UnitAccountOut], 403: ErrorOut, 404: ErrorOut})
def unit_accounts(request: AuthenticatedHttpRequest, unit_id: int):
    """The accounts acting for a unit (the staff of its subdistrict)."""
    u = selectors.unit_get(fetched_by=request.user, pk=unit_id)
    if not staff_at.test(request.user, u.node):
        raise AllianceError.forbidden(_("Only the subdistrict's staff add a unit's accounts."))
    return Status(200, [_account(s) for s in services.unit_accounts(u)])


@router.post("/units/{unit_id}/accounts", response={201: UnitAccountOut, **WRITE})
def unit_account_create(request: AuthenticatedHttpRequest, unit_id: int, data: UnitAccountIn):
    """Give a person an account acting for the unit (the subdistrict's staff): a name and a mobile number to
    sign in with by code; a number that has an account already gets the unit added to it (409 if it acts for
    the unit already)."""
    u = selectors.unit_get(fetched_by=request.user, pk=unit_id)
    user = services.unit_account_create(actor=request.user, unit=u, name=data.name, phone=data.phone)
    return Status(
        201, {"user_id": user.pk, "name": user.display_name or user.username, "phone": user.phone_masked}
    )


def _agreement(a) -> dict:
    return {
        "id": a.pk,
        "unit_id": a.membership.unit_id,
        "unit": a.membership.unit.name,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "content": a.content,
        "has_document": bool(a.document),
    }


@router.get("/alliances/{alliance_id}/agreements", response={200: list[AgreementOut], 404: ErrorOut})
def agreements(request: AuthenticatedHttpRequest, alliance_id: int):
    """The alliance's co-building agreements (its staff: all; a unit's account: its unit's)."""
    a = selectors.alliance_get(fetched_by=request.user, pk=alliance_id)
    return Status(
        200, [_agreement(x) for x in selectors.agreement_list(fetched_by=request.user, alliance=a)[:500]]
    )


@router.post("/alliances/{alliance_id}/agreements", response={201: AgreementOut, **WRITE})
def agreement_add(
    request: AuthenticatedHttpRequest,
    alliance_id: int,
    data: Form[AgreementIn],
    document: File[UploadedFile | None] = None,
):
    """Record a member unit's co-building agreement: term, content, and the signed document (PDF or photo)."""
    a = selectors.alliance_get(fetched_by=request.user, pk=alliance_id)
    unit = selectors.unit_get(fetched_by=request.user, pk=data.unit_id)
    agreement = services.agreement_add(
        actor=request.user,
        alliance=a,
        unit=unit,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        content=data.content,
        document=document,
    )
    return Status(201, _agreement(agreement))


# --- resources and needs ----------------------------------------------------------------------------


@router.get("/resources", response=list[ResourceOut])
@paginate(SqlPage)
def resources(request: AuthenticatedHttpRequest, category: str = "", q: str = "", mine: bool = False):
    """Staff: resources in reach; a unit's account: its own and the open ones of its subdistrict. Newest
    first."""
    rows = selectors.resource_list(fetched_by=request.user, mine=mine, category=category[:12], q=q[:40])
    return Rows(rows, _resource)


@router.post("/resources", response={201: ResourceOut, **WRITE})
def resource_post(request: AuthenticatedHttpRequest, data: ResourceIn):
    unit = selectors.unit_get(fetched_by=request.user, pk=data.unit_id)
    serves = [node_get(fetched_by=request.user, pk=pk) for pk in data.serves_node_ids]
    r = services.resource_post(
        actor=request.user,
        unit=unit,
        category=data.category,
        title=data.title,
        description=data.description,
        capacity_kind=data.capacity_kind,
        capacity=data.capacity,
        radius_km=data.radius_km,
        serves=serves,
        available_from=data.available_from,
        available_until=data.available_until,
        publish=data.publish,
    )
    return Status(201, _resource(r))


@router.post("/resources/{resource_id}/transitions", response={200: ResourceOut, **WRITE})
def resource_step(request: AuthenticatedHttpRequest, resource_id: int, data: ListStepIn):
    r = selectors.resource_get(fetched_by=request.user, pk=resource_id)
    return _resource(services.resource_transition(actor=request.user, resource=r, action=data.action))


@router.get("/needs", response=list[NeedOut])
@paginate(SqlPage)
def needs(
    request: AuthenticatedHttpRequest,
    category: str = "",
    q: str = "",
    status: str = "",
    node_id: int | None = None,
):
    """Staff: the needs of their places; a unit's account: the open needs of its subdistrict. Most urgent
    first, then newest; ``node_id``: a place and those under it."""
    node = node_get(fetched_by=request.user, pk=node_id) if node_id is not None else None
    rows = selectors.need_list(
        fetched_by=request.user, category=category[:12], q=q[:40], status=status[:8], node=node
    )
    return Rows(rows, _need)


@router.post("/needs", response={201: NeedOut, **WRITE})
def need_post(request: AuthenticatedHttpRequest, data: NeedIn):
    node = node_get(fetched_by=request.user, pk=data.node_id)
    n = services.need_post(
        actor=request.user,
        node=node,
        category=data.category,
        title=data.title,
        description=data.description,
        beneficiaries=data.beneficiaries,
        urgency=data.urgency,
        quantity_kind=data.quantity_kind,
        quantity=data.quantity,
        wanted_from=data.wanted_from,
        wanted_until=data.wanted_until,
        publish=data.publish,
    )
    return Status(201, _need(n))


@router.post("/needs/from-appeal", response={201: NeedOut, **WRITE})
def need_from_appeal(request: AuthenticatedHttpRequest, data: NeedFromAppealIn):
    """An appeal becomes a need in one click (linked to it)."""
    appeal = appeal_get(fetched_by=request.user, pk=data.appeal_id)
    n = services.need_from_appeal(
        actor=request.user,
        appeal=appeal,
        category=data.category,
        quantity_kind=data.quantity_kind,
        quantity=data.quantity,
        urgency=data.urgency,
        hot=data.hot,
    )
    return Status(201, _need(n))


@router.post("/needs/from-wish", response={201: NeedOut, **WRITE})
def need_from_wish(request: AuthenticatedHttpRequest, data: NeedFromWishIn):
    """A micro-wish on the wall becomes a need in one click (linked to it; the wisher is told)."""
    wish = wish_get(fetched_by=request.user, pk=data.wish_id)
    n = links.need_from_wish(
        actor=request.user,
        wish=wish,
        category=data.category,
        quantity_kind=data.quantity_kind,
        quantity=data.quantity,
        urgency=data.urgency,
    )
    return Status(201, _need(n))


@router.post("/needs/{need_id}/transitions", response={200: NeedOut, **WRITE})
def need_step(request: AuthenticatedHttpRequest, need_id: int, data: ListStepIn):
    n = selectors.need_get(fetched_by=request.user, pk=need_id)
    return _need(services.need_transition(actor=request.user, need=n, action=data.action))


@router.get("/needs/{need_id}/candidates", response={200: list[CandidateOut], 403: ErrorOut, 404: ErrorOut})
def candidates(request: AuthenticatedHttpRequest, need_id: int):
    """Ranked candidate resources for a need, each with its explained score."""
    n = selectors.need_get(fetched_by=request.user, pk=need_id)
    return [
        {
            "resource_id": r.pk,
            "resource_title": r.title,
            "unit_id": r.unit_id,
            "unit_name": r.unit.name,
            "score": c.score,
            "feasible": c.feasible,
            "why_not": c.why_not,
            "distance_km": c.distance_km,
            "parts": c.parts,
        }
        for r, c in services.need_candidates(fetched_by=request.user, need=n)
    ]


# --- matches --------------------------------------------------------------------------------------------


@router.get("/matches", response=list[MatchOut])
@paginate(SqlPage)
def matches(
    request: AuthenticatedHttpRequest, status: Literal["proposed", "accepted", "rejected"] = "proposed"
):
    """Proposals (the latest rounds' undecided ones, most urgent need first), or the decided ones."""
    return Rows(selectors.match_list(fetched_by=request.user, status=status), _match)


@router.post("/matches/propose", response={201: MatchRoundOut, **WRITE})
def round_propose(request: AuthenticatedHttpRequest, data: MatchRoundIn):
    """A global round for a subdistrict: the optimum (MILP), with greedy's total on the same data."""
    node = node_get(fetched_by=request.user, pk=data.node_id)
    rnd = services.round_propose(actor=request.user, subdistrict=node)
    return Status(
        201,
        {
            "id": rnd.pk,
            "needs": rnd.needs,
            "resources": rnd.resources,
            "optimum": rnd.optimum,
            "greedy": rnd.greedy,
            "optimal": rnd.optimal,
            "gap": rnd.gap,
            "seconds": rnd.seconds,
            "proposed": rnd.matches.count(),
        },
    )


@router.post("/matches", response={201: MatchOut, **WRITE})
def match_create(request: AuthenticatedHttpRequest, data: MatchProposeIn):
    """Staff propose a resource for a need by hand."""
    need = selectors.need_get(fetched_by=request.user, pk=data.need_id)
    resource = selectors.resource_get(fetched_by=request.user, pk=data.resource_id)
    return Status(201, _match(match_propose(actor=request.user, need=need, resource=resource)))


@router.post("/matches/{match_id}/decide", response={200: ProjectOut | MatchOut, **WRITE})
def match_decide(request: AuthenticatedHttpRequest, match_id: int, data: MatchDecideIn):
    """accept (the match becomes a project, open for claim) or reject."""
    m = selectors.match_get(fetched_by=request.user, pk=match_id)
    if data.action == "reject":
        return _match(services.match_reject(actor=request.user, match=m, note=data.note))
    project = services.match_accept(
        actor=request.user, match=m, quantity=data.quantity, project_name=data.project_name
    )
    return _project(selectors.project_get(fetched_by=request.user, pk=project.pk), request.user)


# --- projects -------------------------------------------------------------------------------------------


@router.get("/projects", response=list[ProjectOut])
@paginate(SqlPage)
def projects(
    request: AuthenticatedHttpRequest,
    status: str = "",
    mine: bool = False,
    q: str = "",
    category: int | None = None,
    node_id: int | None = None,
):
    """Projects where you are (staff: also drafts; ``mine``: your units'), newest first; by state, category
    (a subdistrict's category id) or place."""
    node = node_get(fetched_by=request.user, pk=node_id) if node_id is not None else None
    rows = selectors.project_list(
        fetched_by=request.user, status=status[:12], mine=mine, q=q[:40], category=category, node=node
    )
    user = request.user
    return Rows(rows.prefetch_related("milestones"), lambda p: _project(p, user))


@router.post("/projects", response={201: ProjectOut, **WRITE})
def project_create(request: AuthenticatedHttpRequest, data: ProjectIn):
    node = node_get(fetched_by=request.user, pk=data.node_id)
    category = None
    if data.category_id is not None:
        category = (
            selectors.categories_for(fetched_by=request.user, node=node).filter(pk=data.category_id).first()
        )
        if category is None:
            raise AllianceError.invalid(_("Choose a category of this subdistrict."), field="category_id")
    alliance = (
        selectors.alliance_get(fetched_by=request.user, pk=data.alliance_id) if data.alliance_id else None
    )
    p = services.project_create(
        actor=request.user,
        node=node,
        name=data.name,
        category=category,
        alliance=alliance,
        goal=data.goal,
        place=data.place,
        beneficiaries=data.beneficiaries,
        budget=data.budget,
        slots=data.slots,
        milestones=[(m.title, m.weight) for m in data.milestones],
        publish=data.publish,
    )
    return Status(201, _project(selectors.project_get(fetched_by=request.user, pk=p.pk), request.user))


@router.get("/projects/{project_id}", response={200: ProjectOut, 404: ErrorOut})
def project(request: AuthenticatedHttpRequest, project_id: int):
    return _project(selectors.project_get(fetched_by=request.user, pk=project_id), request.user)


@router.post("/projects/{project_id}/transitions", response={200: ProjectOut, **WRITE})
def project_step(request: AuthenticatedHttpRequest, project_id: int, data: ProjectStepIn):
    """publish, claim (with your unit_id; a claim of a full project gets 409), close_claims, start, finish
    (every milestone done), evaluate, cancel."""
    p = selectors.project_get(fetched_by=request.user, pk=project_id)
    unit = selectors.unit_get(fetched_by=request.user, pk=data.unit_id) if data.unit_id else None
    services.project_transition(actor=request.user, project=p, action=data.action, note=data.note, unit=unit)
    return _project(selectors.project_get(fetched_by=request.user, pk=project_id), request.user)


@router.post("/projects/{project_id}/milestones/{milestone_id}/done", response={200: ProjectOut, **WRITE})
def milestone_done(request: AuthenticatedHttpRequest, project_id: int, milestone_id: int):
    p = selectors.project_get(fetched_by=request.user, pk=project_id)
    m = p.milestones.filter(pk=milestone_id).first()
    if m is None:
        raise AllianceError.not_found()
    services.milestone_done(actor=request.user, milestone=m)
    return _project(selectors.project_get(fetched_by=request.user, pk=project_id), request.user)


@router.post("/projects/{project_id}/ratings", response={201: ProjectRatingOut, **WRITE})
def project_rate(request: AuthenticatedHttpRequest, project_id: int, data: ProjectRatingIn):
    p = selectors.project_get(fetched_by=request.user, pk=project_id)
    r = services.project_rate(actor=request.user, project=p, rating=data.rating, comment=data.comment)
    return Status(201, {"project_id": p.pk, "rating": r.rating})


# --- donations ------------------------------------------------------------------------------------------


@router.get("/donations", response=list[DriveOut])
@paginate(LimitOffset)
def drives(request: AuthenticatedHttpRequest):
    return [_drive(d) for d in selectors.drive_list(fetched_by=request.user)[:500]]


@router.post("/donations", response={201: DriveOut, **WRITE})
def drive_create(request: AuthenticatedHttpRequest, data: DriveIn):
    node = node_get(fetched_by=request.user, pk=data.node_id)
    d = services.drive_create(
        actor=request.user,
        node=node,
        title=data.title,
        kind=data.kind,
        goal=data.goal,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        receiver=data.receiver,
        public=data.public,
        charity_code=data.charity_code,
    )
    return Status(201, _drive(d))


@router.get("/donations/{drive_id}/pledges", response={200: list[PledgeOut], 404: ErrorOut})
def pledges(request: AuthenticatedHttpRequest, drive_id: int):
    d = selectors.drive_get(fetched_by=request.user, pk=drive_id)
    return [_pledge(p) for p in selectors.pledge_list(fetched_by=request.user, drive=d)[:1000]]


@router.post("/donations/{drive_id}/pledges", response={201: PledgeOut, **WRITE})
def pledge_make(request: AuthenticatedHttpRequest, drive_id: int, data: PledgeIn):
    d = selectors.drive_get(fetched_by=request.user, pk=drive_id)
    unit = selectors.unit_get(fetched_by=request.user, pk=data.unit_id)
    p = services.pledge_make(
        actor=request.user,
        drive=d,
        unit=unit,
        amount=data.amount,
        item=data.item,
        quantity=data.quantity,
        destination=data.destination,
    )
    return Status(201, _pledge(p))


@router.post("/donations/pledges/{pledge_id}/receive", response={200: PledgeOut, **WRITE})
def pledge_receive(request: AuthenticatedHttpRequest, pledge_id: int, data: ReceiveIn):
    p = selectors.pledge_get(fetched_by=request.user, pk=pledge_id)
    return _pledge(services.pledge_receive(actor=request.user, pledge=p, destination=data.destination))


# --- links to the other modules (docs/alliances.md) -----------------------------------------------------


def _activity(row: dict) -> dict:
    a = row["activity"]
    return {
        "id": a.pk,
        "node_id": a.node_id,
        "title": a.title,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "capacity": a.capacity,
        "services": row["services"],
        "hours": float(row["hours"]),
        "points": row["points"],
    }


@router.get("/projects/{project_id}/activities", response={200: list[ProjectActivityOut], 404: ErrorOut})
def project_activities(request: AuthenticatedHttpRequest, project_id: int):
    """The project's volunteering activities, with their confirmed services, hours and points."""
    p = selectors.project_get(fetched_by=request.user, pk=project_id)
    return Status(200, [_activity(row) for row in links.project_activity_hours(p)])


@router.post("/projects/{project_id}/activities", response={201: ProjectActivityOut, **WRITE})
def project_activity_create(request: AuthenticatedHttpRequest, project_id: int, data: ProjectActivityIn):
    """Publish a volunteering activity for an open or running project (staff over its place; who may
    organise, sign-ups, hours and points are volunteering's)."""
    p = selectors.project_get(fetched_by=request.user, pk=project_id)
    activity = links.project_activity_create(
        actor=request.user,
        project=p,
        title=data.title,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=data.capacity,
        place=data.place,
        description=data.description,
        points_per_hour=data.points_per_hour,
    )
    return Status(201, _activity({"activity": activity, "services": 0, "hours": 0, "points": 0}))


@router.post("/projects/{project_id}/activities/link", response={201: ProjectActivityOut, **WRITE})
def project_activity_link(request: AuthenticatedHttpRequest, project_id: int, data: ProjectActivityLinkIn):
    """List an existing volunteering activity of the project's subdistrict on an open or running project."""
    from gongzhi.volunteering.selectors import activity_get

    p = selectors.project_get(fetched_by=request.user, pk=project_id)
    activity = activity_get(fetched_by=request.user, pk=data.activity_id)
    links.project_activity_attach(actor=request.user, project=p, activity=activity)
    row = next(r for r in links.project_activity_hours(p) if r["activity"].pk == activity.pk)
    return Status(201, _activity(row))


def _transfer(t) -> dict:
    return {
        "id": t.pk,
        "appeal_id": t.appeal_id,
        "node_id": t.node_id,
        "node_name": t.node.name,
        "unit_id": t.unit_id,
        "unit_name": t.unit.name,
        "title": t.title,
        "body": t.body,
        "note": t.note,
        "status": t.status,
        "reply": t.reply,
        "sent_at": t.sent_at,
        "replied_at": t.replied_at,
    }


@router.get("/transfers", response=list[TransferOut])
@paginate(SqlPage)
def transfers(request: AuthenticatedHttpRequest, status: Literal["sent", "replied", "closed"] | None = None):
    """Appeals transferred to co-building units: staff over the appeals' places see them; a unit's account
    its own unit's (what the problem is and where, not who filed it). Newest first."""
    rows = selectors.transfer_list(fetched_by=request.user)
    return Rows(rows.filter(status=status) if status else rows, _transfer)


@router.post("/transfers", response={201: TransferOut, **WRITE})
def transfer_create(request: AuthenticatedHttpRequest, data: TransferIn):
    """Transfer an accepted or assigned appeal to a co-building unit of its subdistrict (staff handling it):
    the appeal's own "transfer" step, and the unit's copy."""
    appeal = appeal_get(fetched_by=request.user, pk=data.appeal_id)
    unit = selectors.unit_get(fetched_by=request.user, pk=data.unit_id)
    t = links.appeal_transfer(actor=request.user, appeal=appeal, unit=unit, note=data.note)
    return Status(201, _transfer(selectors.transfer_get(fetched_by=request.user, pk=t.pk)))


@router.get("/transfers/{transfer_id}", response={200: TransferOut, 404: ErrorOut})
def transfer(request: AuthenticatedHttpRequest, transfer_id: int):
    return _transfer(selectors.transfer_get(fetched_by=request.user, pk=transfer_id))


@router.post("/transfers/{transfer_id}/reply", response={200: TransferOut, **WRITE})
def transfer_reply(request: AuthenticatedHttpRequest, transfer_id: int, data: TransferReplyIn):
    """The unit's answer: what it did (its accounts, once)."""
    t = selectors.transfer_get(fetched_by=request.user, pk=transfer_id)
    links.transfer_reply(actor=request.user, transfer=t, reply=data.reply)
    return _transfer(selectors.transfer_get(fetched_by=request.user, pk=transfer_id))


@router.post("/transfers/{transfer_id}/resolve", response={200: TransferOut, **WRITE})
def transfer_resolve(request: AuthenticatedHttpRequest, transfer_id: int, data: TransferResolveIn):
    """Staff resolve the appeal with the unit's reply (or their own words), through the appeal's "resolve"."""
    t = selectors.transfer_get(fetched_by=request.user, pk=transfer_id)
    links.transfer_resolve(actor=request.user, transfer=t, reply=data.reply)
    return _transfer(selectors.transfer_get(fetched_by=request.user, pk=transfer_id))


def _mall_item(i) -> dict:
    return {
        "id": i.pk,
        "node_id": i.node_id,
        "name": i.name,
        "price": i.price,
        "stock": i.stock,
        "provider": i.provider,
        "pickup_place": i.pickup_place,
        "is_active": i.is_active,
    }


@router.get("/units/{unit_id}/mall-items", response={200: list[MallItemOut], 404: ErrorOut})
def unit_mall_items(request: AuthenticatedHttpRequest, unit_id: int):
    """The points-mall items a unit offers: its accounts and the subdistrict's staff see them all, others
    those on offer."""
    unit = selectors.unit_get(fetched_by=request.user, pk=unit_id)
    items = links.unit_mall_items(unit)
    if not links.sees_unit_offers(request.user, unit):
        items = [i for i in items if i.is_active]
    return Status(200, [_mall_item(i) for i in items])


@router.post("/units/{unit_id}/mall-items", response={201: MallItemOut, **WRITE})
def unit_mall_offer(request: AuthenticatedHttpRequest, unit_id: int, data: MallOfferIn):
    """Put a unit's item in the points mall (staff who may offer items there; the mall's rules), the unit
    named as its provider."""
    unit = selectors.unit_get(fetched_by=request.user, pk=unit_id)
    item = links.unit_mall_item(
        actor=request.user,
        unit=unit,
        name=data.name,
        price=data.price,
        stock=data.stock,
        description=data.description,
        pickup_place=data.pickup_place,
    )
    return Status(201, _mall_item(item))


@router.post("/donations/pledges/{pledge_id}/place", response={200: PledgeOut, **WRITE})
def pledge_place(request: AuthenticatedHttpRequest, pledge_id: int, data: PledgePlaceIn):
    """Where a received in-kind gift went: one compound or community, one volunteering activity, or one mall
    item whose stock grows by the pledge's quantity (once per pledge; the drive's staff)."""
    from gongzhi.ledger.selectors import mall_item_get
    from gongzhi.volunteering.selectors import activity_get

    p = selectors.pledge_get(fetched_by=request.user, pk=pledge_id)
    node = node_get(fetched_by=request.user, pk=data.node_id) if data.node_id is not None else None
    activity = (
        activity_get(fetched_by=request.user, pk=data.activity_id) if data.activity_id is not None else None
    )
    item = (
        mall_item_get(fetched_by=request.user, pk=data.mall_item_id)
        if data.mall_item_id is not None
        else None
    )
    placed = links.pledge_place(actor=request.user, pledge=p, node=node, activity=activity, mall_item=item)
    return _pledge(selectors.pledge_get(fetched_by=request.user, pk=placed.pk))
