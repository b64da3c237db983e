"""The matching engine applied to the lists: ranked candidates for one need, a global round for a
subdistrict (the optimum, compared with greedy on the same data), and staff's decisions on proposals. An
accepted match becomes a project (projects.py)."""

import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.alliances import rules
from gongzhi.alliances.engine import Candidate, NeedData, Pool, ResourceData, solve_round
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.models import (
    ListStatus,
    Match,
    MatchRound,
    MatchStatus,
    Need,
    ProjectStatus,
    ProjectUnit,
    Resource,
)
from gongzhi.core.rules import staff_at
from gongzhi.orgs.models import Node, NodeKind

L = ListStatus


def completion_rates(unit_ids: set[int]) -> dict[int, float]:
    """Each unit's past completion rate: projects finished of projects taken on, smoothed towards ½ (a
    unit without a history is neither trusted nor doubted)."""
    if not unit_ids:
        return {}
    finished = (ProjectStatus.DONE, ProjectStatus.EVALUATED)
    rows = (
        ProjectUnit.objects.filter(unit_id__in=unit_ids)  # unscoped: counts per unit, no project shown
        .exclude(project__status__in=(ProjectStatus.DRAFT, ProjectStatus.OPEN))
        .values("unit_id")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(project__status__in=finished)))
    )
    rates = {r["unit_id"]: (r["done"] + 1) / (r["total"] + 2) for r in rows}
    return {u: rates.get(u, 0.5) for u in unit_ids}


def resource_data(resources: list[Resource]) -> list[ResourceData]:
    rates = completion_rates({r.unit_id for r in resources})
    serves: dict[int, list[str]] = {}
    through = Resource.serves.through.objects.filter(resource_id__in=[r.pk for r in resources])
    pairs = list(through.values_list("resource_id", "node_id"))
    # The places' paths by their keys (not a join that may walk the whole node table).
    # unscoped: the paths of the places the resources serve, for the engine's geometry
    paths = dict(Node.objects.filter(pk__in={n for _r, n in pairs}).values_list("pk", "path"))
    for rid, node_id in pairs:
        serves.setdefault(rid, []).append(paths[node_id])
    return [
        ResourceData(
            id=r.pk,
            unit_id=r.unit_id,
            category=r.category,
            text=f"{r.title}。{r.description}",
            kind=r.capacity_kind,
            remaining=r.capacity - r.used,
            lat=r.lat,
            lng=r.lng,
            radius_km=r.radius_km,
            serves=tuple(serves.get(r.pk, ())),
            start=r.available_from,
            end=r.available_until,
            completion=rates.get(r.unit_id, 0.5),
        )
        for r in resources
    ]


def need_data(need: Need) -> NeedData:
    return NeedData(
        id=need.pk,
        category=need.category,
        text=f"{need.title}。{need.description}",
        kind=need.quantity_kind,
        quantity=need.quantity,
        urgency=need.urgency,
        path=need.node.path,
        lat=need.node.lat,
        lng=need.node.lng,
        start=need.wanted_from,
        end=need.wanted_until,
    )


def _subdistrict_path(node: Node) -> str:
    return node.path[: 4 * 2]  # district → subdistrict: the first two steps of the path


def open_resources_near(node: Node) -> list[Resource]:
    """The open resources of the subdistrict a place lies in, with room left."""
    from django.db.models import F

    return list(
        Resource.objects.filter(  # unscoped: the engine reads the subdistrict's open list for staff in reach
            node__path=_subdistrict_path(node), status=L.OPEN, used__lt=F("capacity")
        ).select_related("unit")
    )


def need_candidates(*, fetched_by: User, need: Need, limit: int = 10) -> list[tuple[Resource, Candidate]]:
    """Ranked candidate resources for a need, each with its explained score."""
    if not rules.staffs.test(fetched_by, need):
        raise AllianceError.forbidden(_("Only staff of this place match its needs."))
    resources = open_resources_near(need.node)
    by_id = {r.pk: r for r in resources}
    ranked = Pool(resource_data(resources)).rank(need_data(need), limit=limit)
    return [(by_id[c.resource_id], c) for c in ranked]


def round_propose(*, actor: User, subdistrict: Node) -> MatchRound:
    """A global proposal for the open needs and resources of a subdistrict: the MILP optimum, recorded as
    proposed matches, with greedy's total on the same data beside it."""
    if subdistrict.kind != NodeKind.SUBDISTRICT:
        raise AllianceError.invalid(_("A matching round is run for a subdistrict."), field="node_id")
    if not staff_at.test(actor, subdistrict):
        raise AllianceError.forbidden(_("Only the subdistrict's staff run a matching round."))
    needs = list(
        Need.objects.visible_to(actor, "view")
        .filter(node__path__startswith=subdistrict.path, status=L.OPEN)
        .select_related("node")
        .order_by("id")[:5000]
    )
    resources = open_resources_near(subdistrict)
    started = time.perf_counter()
    solved = solve_round([need_data(n) for n in needs], resource_data(resources))
    seconds = time.perf_counter() - started
    by_need = {n.pk: n for n in needs}
    with transaction.atomic():
        # A new round replaces the proposals of earlier ones that nobody decided on.
        Match.objects.filter(  # unscoped: undecided proposals of this subdistrict, replaced by the new round
            node__path__startswith=subdistrict.path, status=MatchStatus.PROPOSED, round__isnull=False
        ).delete()
        rnd = MatchRound.objects.create(
            node=subdistrict,
            run_by=actor,
            needs=len(needs),
            resources=len(resources),
            optimum=solved.optimum.total,
            greedy=solved.greedy.total,
            optimal=solved.optimum.optimal,
            gap=round(solved.optimum.gap, 3),
            seconds=round(seconds, 3),
        )
        Match.objects.bulk_create(
            Match(
                node=by_need[need_id].node,
                need=by_need[need_id],
                resource_id=resource_id,
                round=rnd,
                score=score,
                quantity=by_need[need_id].quantity,
            )
            for need_id, resource_id, score in solved.optimum.pairs
        )
    return rnd


def match_propose(*, actor: User, need: Need, resource: Resource) -> Match:
    """Staff choose a resource for a need by hand (or from the ranked candidates)."""
    if not rules.staffs.test(actor, need):
        raise AllianceError.forbidden(_("Only staff of this place match its needs."))
    if resource.status != L.OPEN or _subdistrict_path(resource.node) != _subdistrict_path(need.node):
        raise AllianceError.invalid(_("Choose an open resource of this subdistrict."), field="resource_id")
    pool = Pool(resource_data([resource]))
    found = pool.rank(need_data(need), limit=1)[0]
    return Match.objects.create(
        node=need.node,
        need=need,
        resource=resource,
        score=found.score,
        explanation={"parts": found.parts, "why_not": found.why_not},
        quantity=need.quantity,
    )


def match_accept(*, actor: User, match: Match, quantity: int | None = None, project_name: str = "") -> Any:
    """Staff accept a proposal (optionally with another quantity): the need is matched, the resource's
    capacity is taken, and a project is set up with the resource's unit as its lead, open to start."""
    from gongzhi.alliances.projects import project_from_match

    if not rules.staffs.test(actor, match):
        raise AllianceError.forbidden(_("Only staff of this place decide on matches."))
    quantity = match.quantity if quantity is None else quantity
    if not isinstance(quantity, int) or not 1 <= quantity <= 100_000_000:
        raise AllianceError.invalid(_("Give a whole number from 1 up."), field="quantity")
    from django.db.models import F

    try:
        with transaction.atomic():
            # Compare-and-set on rows fetched in scope, in the order match → need → resource.
            # unscoped: the proposal fetched in scope
            decided = Match.objects.filter(pk=match.pk, status=MatchStatus.PROPOSED)
            if decided.update(status=MatchStatus.ACCEPTED, decided_by=actor, quantity=quantity) != 1:
                raise AllianceError.wrong_state(_("This proposal has already been decided."))
            # unscoped: the proposal's need
            if Need.objects.filter(pk=match.need_id, status=L.OPEN).update(status=L.MATCHED) != 1:
                raise AllianceError.conflict("need_taken", _("This need has been matched already."))
            # unscoped: the proposal's resource, taken only while it has room
            room = Resource.objects.filter(
                pk=match.resource_id, status=L.OPEN, used__lte=F("capacity") - quantity
            )
            if room.update(used=F("used") + quantity) != 1:
                raise AllianceError.conflict("no_capacity", _("The resource has no room left for this."))
            # unscoped: the proposal's resource, matched once full
            Resource.objects.filter(pk=match.resource_id, used=F("capacity")).update(status=L.MATCHED)
            match.status, match.quantity, match.decided_by = MatchStatus.ACCEPTED, quantity, actor
            project = project_from_match(actor=actor, match=match, name=project_name)
    except IntegrityError:
        raise AllianceError.conflict("need_taken", _("This need has been matched already.")) from None
    return project


def match_reject(*, actor: User, match: Match, note: str = "") -> Match:
    if not rules.staffs.test(actor, match):
        raise AllianceError.forbidden(_("Only staff of this place decide on matches."))
    note = str(note or "").replace("\x00", "").strip()[:200]
    # unscoped: the proposal fetched in scope
    decided = Match.objects.filter(pk=match.pk, status=MatchStatus.PROPOSED)
    if decided.update(status=MatchStatus.REJECTED, decided_by=actor, note=note) != 1:
        raise AllianceError.wrong_state(_("This proposal has already been decided."))
    match.status, match.note = MatchStatus.REJECTED, note
    return match


__all__ = ["match_accept", "match_propose", "match_reject", "need_candidates", "round_propose"]
