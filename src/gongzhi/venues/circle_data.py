"""The service circle and the station plans of a place, read from the tree, the register and the venues
(the arithmetic is circle.py). Staff and district viewers over the place see it: the figures are counts of
residents per building, never who they are."""

from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Person, User
from gongzhi.core.roles import OVERSIGHT_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.venues import circle
from gongzhi.venues.errors import VenueError
from gongzhi.venues.models import CIRCLE_LEVELS, Venue

MARGIN_DEG = 0.06  # venues this far beyond the place's buildings (about 6 km) still serve them
COMMUNITY_PATH = 12  # district, subdistrict, community: 4 characters each


@dataclass
class Ground:
    """The buildings of a place with their residents, and the venues around it."""

    node: Node
    ids: list[int]
    names: list[str]
    communities: list[str]
    points: np.ndarray  # (n, 2) lat, lng
    residents: np.ndarray
    venues: list[Venue]


def _check(fetched_by: User, node: Node, distance: int, detour: float) -> None:
    if not (fetched_by.is_superuser or has_role(fetched_by, OVERSIGHT_ROLES, at_path=node.path)):
        raise Http404
    if node.kind not in (NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.COMPOUND):
        raise VenueError.invalid(_("Choose a district, subdistrict, community or compound."), field="node")
    if not 50 <= distance <= circle.MAX_DISTANCE:
        raise VenueError.invalid(_("The distance is from 50 to 5,000 metres."), field="distance")
    if not 1.0 <= detour <= 2.0:
        raise VenueError.invalid(_("The detour factor is from 1.0 to 2.0."), field="detour")


def ground(*, fetched_by: User, node: Node) -> Ground:
    # Buildings (and compounds with residents registered at the compound itself) with a location.
    places = list(
        Node.objects.visible_to(fetched_by, "count")
        .filter(
            path__startswith=node.path, kind__in=[NodeKind.BUILDING, NodeKind.COMPOUND], lat__isnull=False
        )
        .values_list("pk", "name", "path", "lat", "lng", "kind")
    )
    counts = dict(
        Person.objects.visible_to(fetched_by, "count")
        .filter(node__path__startswith=node.path)
        .values_list("node_id")
        .annotate(n=Count("pk"))
        .values_list("node_id", "n")
    )
    rows = [p for p in places if p[5] == NodeKind.BUILDING or counts.get(p[0])]
    # unscoped: community names for the figures per community (names of places, no one's data)
    names = dict(
        # unscoped: see the reason above (a read the service makes as the system)
        Node.objects.filter(path__in={r[2][:COMMUNITY_PATH] for r in rows}).values_list(
            "path", "name"
        )  # unscoped: community names for the figures per community (names of places)
    )
    points = np.array([(r[3], r[4]) for r in rows], dtype=float).reshape(-1, 2)
    venues: list[Venue] = []
    if len(points):
        low, high = points.min(axis=0) - MARGIN_DEG, points.max(axis=0) + MARGIN_DEG
        # unscoped: venues are public places; every venue near the place serves its residents
        venues = list(
            Venue.objects.filter(  # unscoped: venues are public places; every venue near the place serves its residents
                lat__gte=low[0], lat__lte=high[0], lng__gte=low[1], lng__lte=high[1]
            ).order_by("pk")
        )
    return Ground(
        node=node,
        ids=[r[0] for r in rows],
        names=[r[1] for r in rows],
        communities=[names.get(r[2][:COMMUNITY_PATH], "") for r in rows],
        points=points,
        residents=np.array([counts.get(r[0], 0) for r in rows], dtype=np.int64),
        venues=venues,
    )


def _measure(g: Ground, detour: float) -> circle.Coverage:
    return circle.measure(
        buildings=g.points,
        residents=g.residents,
        venues=np.array([(v.lat, v.lng) for v in g.venues], dtype=float).reshape(-1, 2),
        venue_levels=[v.level for v in g.venues],
        levels={str(k): tuple(str(x) for x in v) for k, v in CIRCLE_LEVELS.items()},
        detour=detour,
    )


def coverage(
    *,
    fetched_by: User,
    node: Node,
    distance: int = circle.DEFAULT_DISTANCE,
    detour: float = circle.DEFAULT_DETOUR,
) -> dict[str, Any]:
    """The share of residents within ``distance`` (and 500 m) of a venue of each level and of any, per
    community; the buildings with their distance to the nearest venue; the uncovered ones."""
    _check(fetched_by, node, distance, detour)
    g = ground(fetched_by=fetched_by, node=node)
    cov = _measure(g, detour)
    radii = sorted({distance, circle.WALK_DISTANCE})

    def shares(mask: np.ndarray | None = None) -> dict[str, Any]:
        sub = (
            cov
            if mask is None
            else circle.Coverage(
                residents=cov.residents[mask],
                distance=cov.distance[mask],
                nearest=cov.nearest[mask],
                by_level={k: v[mask] for k, v in cov.by_level.items()},
            )
        )
        out: dict[str, Any] = {"residents": int(sub.residents.sum()), "buildings": len(sub.residents)}
        for radius in radii:
            key = str(radius)
            covered, share = sub.share(radius)
            out[key] = {"any": {"covered": covered, "share": share}}
            for level in CIRCLE_LEVELS:
                lc, ls = sub.share(radius, level)
                out[key][str(level)] = {"covered": lc, "share": ls}
        return out

    communities = sorted(set(g.communities))
    per_community = []
    for name in communities:
        mask = np.array([c == name for c in g.communities])
        per_community.append({"community": name, **shares(mask)})
    buildings: list[dict[str, Any]] = []
    uncovered: list[dict[str, Any]] = []
    for i in range(len(g.ids)):
        d = float(cov.distance[i])
        row = {
            "id": g.ids[i],
            "name": g.names[i],
            "community": g.communities[i],
            "lat": float(g.points[i, 0]),
            "lng": float(g.points[i, 1]),
            "residents": int(g.residents[i]),
            "distance": None if not np.isfinite(d) else round(d),
            "nearest": g.venues[int(cov.nearest[i])].name if cov.nearest[i] >= 0 else "",
        }
        buildings.append(row)
        if not d <= distance:
            uncovered.append(row)
    uncovered.sort(key=lambda r: -int(r["residents"]))
    return {
        "node": {"id": node.pk, "name": node.name, "kind": node.kind},
        "distance": distance,
        "walk_distance": circle.WALK_DISTANCE,
        "detour": detour,
        "total": shares(),
        "communities": per_community,
        "venues": [
            {"id": v.pk, "name": v.name, "level": v.level, "lat": v.lat, "lng": v.lng} for v in g.venues
        ],
        "buildings": buildings,
        "uncovered": uncovered,
        "uncovered_residents": sum(int(r["residents"]) for r in uncovered),
    }


CANDIDATE_KINDS = ("compounds", "buildings")


def _candidates(
    fetched_by: User, g: Ground, source: str | list[dict[str, Any]]
) -> tuple[list[dict], np.ndarray]:
    if isinstance(source, str):
        if source not in CANDIDATE_KINDS:
            raise VenueError.invalid(
                _("Candidates are compounds, buildings, or sites you give."), field="candidates"
            )
        kind = NodeKind.COMPOUND if source == "compounds" else NodeKind.BUILDING
        rows = list(
            Node.objects.visible_to(fetched_by, "count")
            .filter(path__startswith=g.node.path, kind=kind, lat__isnull=False)
            .values("pk", "name", "lat", "lng")[: circle.MAX_CANDIDATES + 1]
        )
        sites = [{"node_id": r["pk"], "name": r["name"], "lat": r["lat"], "lng": r["lng"]} for r in rows]
    else:
        sites = []
        for n, site in enumerate(source):
            name = str(site.get("name") or "").replace("\x00", "").strip()[:80] or _("Site %(n)d") % {
                "n": n + 1
            }
            lat, lng = site.get("lat"), site.get("lng")
            if (
                not isinstance(lat, int | float)
                or not isinstance(lng, int | float)
                or not (-90 <= lat <= 90 and -180 <= lng <= 180)
            ):
                raise VenueError.invalid(
                    _("Site %(n)d has no place on the map.") % {"n": n + 1}, field="candidates"
                )
            sites.append({"node_id": None, "name": name, "lat": float(lat), "lng": float(lng)})
    if not sites:
        raise VenueError.invalid(_("Give at least one candidate site."), field="candidates")
    if len(sites) > circle.MAX_CANDIDATES:
        raise VenueError.invalid(_("At most 20,000 candidate sites."), field="candidates")
    return sites, np.array([(s["lat"], s["lng"]) for s in sites], dtype=float)


def siting(
    *,
    fetched_by: User,
    node: Node,
    k: int,
    candidates: str | list[dict[str, Any]] = "compounds",
    distance: int = circle.DEFAULT_DISTANCE,
    detour: float = circle.DEFAULT_DETOUR,
    time_limit: float = 25.0,
) -> dict[str, Any]:
    """Where ``k`` new stations would cover the most residents not yet within ``distance`` of a venue:
    the exact plan (HiGHS), the greedy one, and the greedy plan's gap."""
    _check(fetched_by, node, distance, detour)
    if not 1 <= k <= circle.MAX_STATIONS:
        raise VenueError.invalid(_("Plan from 1 to 500 new stations."), field="k")
    g = ground(fetched_by=fetched_by, node=node)
    cov = _measure(g, detour)
    sites, points = _candidates(fetched_by, g, candidates)
    result = circle.plan_sites(
        demand=g.points,
        weight=g.residents,
        covered_before=cov.distance <= distance,
        candidates=points,
        k=k,
        radius=distance,
        detour=detour,
        time_limit=time_limit,
    )
    total = int(g.residents.sum())
    covered_before = int(g.residents[cov.distance <= distance].sum())

    def shaped(plan: circle.Plan) -> dict[str, Any]:
        chosen = [dict(sites[j]) for j in plan.chosen]
        if plan.status == "greedy":  # the residents each step added, in the order chosen
            chosen = [site | {"gain": gain} for site, gain in zip(chosen, plan.gains, strict=True)]
        return {
            "sites": chosen,
            "covered": plan.covered,
            "share_after": round((covered_before + plan.covered) / total, 4) if total else None,
            "seconds": round(plan.seconds, 3),
            "status": plan.status,
        }

    exact, greedy = shaped(result.exact), shaped(result.greedy)
    better = result.exact.covered >= result.greedy.covered
    return {
        "node": {"id": node.pk, "name": node.name},
        "k": k,
        "distance": distance,
        "detour": detour,
        "candidates": len(sites),
        "residents": total,
        "covered_before": covered_before,
        "share_before": round(covered_before / total, 4) if total else None,
        "uncovered_residents": result.uncovered_residents,
        "reachable_residents": result.reachable_residents,
        "exact": exact,
        "greedy": greedy,
        "greedy_gap": result.greedy_gap,
        "exact_gap": result.exact_gap,
        "method": "exact" if better else "greedy",
    }
