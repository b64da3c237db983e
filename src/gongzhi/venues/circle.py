"""The 10-minute service circle (10分钟党建惠民圈), measured and planned.

**Measure.** For the buildings under a place, each weighted by the residents registered there, the distance
to the nearest venue of each level: straight-line distance on a local flat projection of GCJ-02 (error well
under 1 % within a city) times a detour factor for streets (1.0 by default: the reports' "within about 1 km"
is a radius; 1.2–1.4 is typical of street grids). A building is covered at a level when that distance is at
most the circle's radius: 1,000 m by default, with 500 m beside it (the national standard's 10-minute walk).
Nearest-venue distances come from a k-d tree (scipy.spatial.cKDTree).

**Plan.** Given candidate sites and a number k of new stations, choose the k sites that cover the most
residents not yet covered (the maximal covering location problem, existing venues fixed), exactly as a
mixed-integer programme solved by HiGHS through ``scipy.optimize.milp``, and greedily (each step the site
that covers the most residents still uncovered), with the greedy plan's gap to the exact one. The model is
reduced before it is solved (only residents not yet covered and within reach of a candidate; buildings
reached by the same candidates merged into one point; candidates whose reach lies inside another's left
out), the greedy plan and the linear relaxation give a plan and a proven upper bound at once, and HiGHS is
run only when they are further apart than the gap asked for — the plan is always returned with its proven
gap to the optimum. scipy is
already one of the platform's dependencies and HiGHS is a leading open-source MILP solver; OR-Tools would
add a large native package for the same model.
"""

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.spatial import cKDTree

EARTH_M = 6_371_008.8
DEFAULT_DISTANCE = 1000
WALK_DISTANCE = 500
DEFAULT_DETOUR = 1.0
MAX_DISTANCE = 5000
MAX_CANDIDATES = 20_000
MAX_STATIONS = 500
DEFAULT_GAP = 1e-4  # the plan's proven distance from the optimum at which the solver stops


def project(lat: np.ndarray, lng: np.ndarray, lat0: float) -> np.ndarray:
    """Metres east and north on a flat projection centred at ``lat0`` (equirectangular)."""
    scale = math.cos(math.radians(lat0))
    return np.column_stack(
        (np.radians(np.asarray(lng, float)) * EARTH_M * scale, np.radians(np.asarray(lat, float)) * EARTH_M)
    )


def nearest(points: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) from each point to the nearest site and that site's index (inf, -1 without sites)."""
    if len(sites) == 0:
        return np.full(len(points), np.inf), np.full(len(points), -1)
    distance, index = cKDTree(sites).query(points, k=1)
    return np.asarray(distance), np.asarray(index)


@dataclass
class Coverage:
    """Per building: residents, distance to the nearest venue (any level) and per level."""

    residents: np.ndarray
    distance: np.ndarray  # any level, with the detour factor
    nearest: np.ndarray  # index into the venues
    by_level: dict[str, np.ndarray] = field(default_factory=dict)

    def share(self, radius: float, level: str | None = None) -> tuple[int, float | None]:
        """Residents within ``radius`` (of a venue of ``level``, or of any) and their share."""
        distance = self.distance if level is None else self.by_level[level]
        covered = int(self.residents[distance <= radius].sum())
        total = int(self.residents.sum())
        return covered, (round(covered / total, 4) if total else None)


def measure(
    *,
    buildings: np.ndarray,
    residents: np.ndarray,
    venues: np.ndarray,
    venue_levels: list[str],
    levels: dict[str, tuple[str, ...]],
    detour: float = DEFAULT_DETOUR,
) -> Coverage:
    """``buildings`` and ``venues`` are (n, 2) arrays of (lat, lng)."""
    lat0 = float(np.mean(buildings[:, 0])) if len(buildings) else 30.0
    points = project(buildings[:, 0], buildings[:, 1], lat0) if len(buildings) else np.zeros((0, 2))
    sites = project(venues[:, 0], venues[:, 1], lat0) if len(venues) else np.zeros((0, 2))
    distance, index = nearest(points, sites)
    result = Coverage(residents=np.asarray(residents), distance=distance * detour, nearest=index)
    kinds = np.asarray(venue_levels, dtype=object)
    for level, members in levels.items():
        mask = np.isin(kinds, members) if len(kinds) else np.zeros(0, bool)
        d, _i = nearest(points, sites[mask])
        result.by_level[level] = d * detour
    return result


@dataclass
class Plan:
    chosen: list[int]  # candidate indices
    covered: int  # residents newly covered
    gains: list[int]  # per chosen site, in the order chosen (greedy) or by gain (exact)
    seconds: float
    status: str = "optimal"
    bound: float | None = None  # the solver's proven upper bound on what any plan covers


@dataclass
class Siting:
    exact: Plan
    greedy: Plan
    uncovered_residents: int  # before the plan, within the place
    reachable_residents: int  # of those, within reach of some candidate
    reduction: "Reduction | None" = None

    @property
    def greedy_gap(self) -> float | None:
        """How much less the greedy plan covers than the exact one (0.0 = as good)."""
        if not self.exact.covered:
            return None
        return round((self.exact.covered - self.greedy.covered) / self.exact.covered, 4)

    @property
    def exact_gap(self) -> float | None:
        """The exact plan's proven distance from the optimum (0.0 = proven optimal)."""
        if self.exact.bound is None or not self.exact.covered:
            return None
        return round(max(0.0, (self.exact.bound - self.exact.covered) / self.exact.bound), 4)


def cover_matrix(
    demand: np.ndarray, candidates: np.ndarray, radius: float, detour: float
) -> sparse.csr_matrix:
    """A[i, j] = 1 when candidate j lies within ``radius`` of demand point i (points in metres)."""
    reach = radius / detour
    rows: list[int] = []
    cols: list[int] = []
    if len(demand) and len(candidates):
        near = cKDTree(candidates).query_ball_point(demand, r=reach)
        for i, js in enumerate(near):
            rows.extend([i] * len(js))
            cols.extend(js)
    data = np.ones(len(rows), dtype=np.float64)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(demand), len(candidates)))


def _greedy(a: sparse.csc_matrix, weight: np.ndarray, k: int) -> Plan:
    began = time.perf_counter()
    open_weight = weight.astype(np.float64).copy()
    chosen: list[int] = []
    gains: list[int] = []
    at = a.tocsc()
    for _step in range(k):
        gain = at.T @ open_weight
        if chosen:
            gain[chosen] = -1
        best = int(np.argmax(gain)) if len(gain) else -1
        if best < 0 or gain[best] <= 0:
            break
        chosen.append(best)
        gains.append(round(gain[best]))
        covered_rows = at[:, best].nonzero()[0]
        open_weight[covered_rows] = 0
    return Plan(chosen, int(sum(gains)), gains, time.perf_counter() - began, status="greedy")


def _exact(
    a: sparse.csr_matrix,
    weight: np.ndarray,
    k: int,
    time_limit: float,
    gap: float = 1e-4,
    *,
    relax: bool = False,
) -> Plan:
    """max Σ w_i y_i  s.t.  y_i ≤ Σ_j a_ij x_j,  Σ_j x_j ≤ k,  x binary, 0 ≤ y ≤ 1 (``relax``: x in [0, 1],
    the linear relaxation, whose optimum bounds every plan from above; ``chosen`` is then the k largest x)."""
    began = time.perf_counter()
    m, n = a.shape
    if m == 0 or n == 0:
        return Plan([], 0, [], 0.0, bound=0.0)
    c = np.concatenate((np.zeros(n), -weight.astype(np.float64)))
    link = sparse.hstack((-a, sparse.identity(m, format="csr"))).tocsr()  # y_i - Σ a_ij x_j ≤ 0
    budget = sparse.csr_matrix(np.concatenate((np.ones(n), np.zeros(m)))[None, :])
    constraints = [
        LinearConstraint(link, -np.inf, 0.0),
        LinearConstraint(budget, 0.0, float(k)),
    ]
    integrality = np.concatenate((np.zeros(n) if relax else np.ones(n), np.zeros(m)))
    result = milp(
        c,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(np.zeros(n + m), np.ones(n + m)),
        options={"time_limit": max(time_limit, 0.1), "mip_rel_gap": gap, "disp": False},
    )
    seconds = time.perf_counter() - began
    if result.x is None:
        return Plan([], 0, [], seconds, status="failed")
    x = result.x[:n]
    if relax:
        order = np.argsort(-x, kind="stable")[: min(k, n)]
        chosen = sorted(int(j) for j in order if x[j] > 1e-6)
        plan = _evaluate(a, weight, chosen, seconds, "relaxed")
        plan.bound = -float(result.fun) if result.status == 0 else None
        return plan
    chosen = [int(j) for j in np.flatnonzero(x > 0.5)]
    bound = getattr(result, "mip_dual_bound", None)
    status = "optimal" if result.status == 0 else "time_limit"
    plan = _evaluate(a, weight, chosen, seconds, status)
    plan.bound = None if bound is None else -float(bound)
    return plan


def _evaluate(
    a: sparse.csr_matrix, weight: np.ndarray, chosen: list[int], seconds: float, status: str
) -> Plan:
    """The residents a set of sites covers, and each site's own share (largest first)."""
    m = a.shape[0]
    covered_rows = (a[:, chosen].sum(axis=1).A1 > 0) if chosen else np.zeros(m, bool)
    covered = round(float(weight[covered_rows].sum()))
    at = a.tocsc()
    gains = sorted((round(float(weight[at[:, j].nonzero()[0]].sum())) for j in chosen), reverse=True)
    return Plan(list(chosen), covered, gains, seconds, status=status)


def _merge_rows(a: sparse.csr_matrix, weight: np.ndarray) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Demand points reached by the same set of candidates become one point of their summed weight."""
    a = a.tocsr()
    if not a.shape[0]:
        return a, weight
    a.sort_indices()
    keys = [a.indices[a.indptr[i] : a.indptr[i + 1]].tobytes() for i in range(a.shape[0])]
    groups: dict[bytes, int] = {}
    inverse = np.fromiter(
        (groups.setdefault(key, len(groups)) for key in keys), dtype=np.int64, count=len(keys)
    )
    merged = np.bincount(inverse, weights=weight, minlength=len(groups))
    first = np.zeros(len(groups), dtype=np.int64)
    first[inverse[::-1]] = np.arange(len(inverse))[::-1]
    return a[first], merged


def _undominated(a: sparse.csr_matrix) -> np.ndarray:
    """The candidates worth keeping: a site whose reach is contained in another's (or equal to an earlier
    one's) can be swapped for that one in any plan without covering less, so it is left out."""
    at = a.tocsc()
    size = at.getnnz(axis=0)
    overlap = (at.T @ at).tocoo()
    i, j = overlap.row, overlap.col
    inside = (i != j) & (overlap.data == size[i]) & ((size[j] > size[i]) | (j < i))
    dropped = np.zeros(a.shape[1], bool)
    dropped[size == 0] = True
    dropped[np.unique(i[inside])] = True
    return np.flatnonzero(~dropped)


@dataclass
class Reduction:
    rows: int  # demand points not yet covered and within reach of a candidate
    groups: int  # after merging points reached by the same candidates
    candidates: int
    kept: int  # candidates not dominated by another


def solve(
    a: sparse.csr_matrix, weight: np.ndarray, k: int, *, gap: float = DEFAULT_GAP, time_limit: float = 25.0
) -> tuple[Plan, Plan, Reduction]:
    """The maximal covering problem on ``a`` (rows: demand points, columns: candidates): the best plan with
    its proven bound, the greedy plan, and how far the model was reduced.

    The model is first reduced (points merged per set of candidates reaching them; dominated candidates left
    out; points merged again). The greedy plan and the linear relaxation's k largest sites give plans; the
    relaxation's optimum bounds every plan from above. When the best plan is within ``gap`` of that bound it
    is returned with the bound (proven within ``gap``); otherwise HiGHS solves the integer programme to
    ``gap`` in the time left, and the better of its plan and the heuristics' is returned, with the tighter
    bound. Plans and gains are in ``a``'s column indices."""
    began = time.perf_counter()
    w = np.asarray(weight, dtype=np.float64)
    merged, w_m = _merge_rows(a, w)
    keep = _undominated(merged) if merged.shape[0] else np.zeros(0, dtype=np.int64)
    reduced, w_r = _merge_rows(merged[:, keep], w_m) if len(keep) else (merged[:, keep], w_m)
    info = Reduction(rows=a.shape[0], groups=reduced.shape[0], candidates=a.shape[1], kept=len(keep))

    def back(plan: Plan) -> Plan:
        plan.chosen = [int(keep[j]) for j in plan.chosen]
        return plan

    greedy = back(_greedy(reduced, w_r, k))
    total = round(float(w_r.sum()))
    if len(keep) <= k or greedy.covered >= total:  # every point within reach is covered: nothing does better
        every = back(_evaluate(reduced, w_r, list(range(len(keep))), 0.0, "optimal"))
        best = every if len(keep) <= k else _copy(greedy)
        best.status, best.bound, best.seconds = "optimal", float(total), time.perf_counter() - began
        return best, greedy, info
    relaxed = back(_exact(reduced, w_r, k, time_limit, relax=True))
    bound = relaxed.bound
    best = _copy(max((greedy, relaxed), key=lambda p: p.covered))
    if bound is None or best.covered < bound * (1 - gap) - 1e-9:
        left = time_limit - (time.perf_counter() - began)
        exact = back(_exact(reduced, w_r, k, left, gap))
        if exact.bound is not None:
            bound = exact.bound if bound is None else min(bound, exact.bound)
        if exact.covered > best.covered:
            best = exact
    best.bound = bound
    if bound is not None and best.covered >= math.floor(bound + 1e-6):  # whole residents: none does better
        best.status = "optimal"
    elif bound is not None and best.covered >= bound * (1 - gap) - 1e-9:
        best.status = "within_gap"
    else:
        best.status = "time_limit"
    best.seconds = time.perf_counter() - began
    return best, greedy, info


def _copy(plan: Plan) -> Plan:
    return Plan(list(plan.chosen), plan.covered, list(plan.gains), plan.seconds, plan.status, plan.bound)


def plan_sites(
    *,
    demand: np.ndarray,
    weight: np.ndarray,
    covered_before: np.ndarray,
    candidates: np.ndarray,
    k: int,
    radius: float = DEFAULT_DISTANCE,
    detour: float = DEFAULT_DETOUR,
    time_limit: float = 25.0,
    gap: float = DEFAULT_GAP,
) -> Siting:
    """``demand`` and ``candidates`` are (n, 2) arrays of (lat, lng); ``covered_before`` flags the demand
    points an existing venue already covers (they count for nothing). The exact plan is proven within
    ``gap`` of the optimum (0.01 % by default: optimal but for rounding) or is the best found in ``time_limit``
    with its proven gap."""
    lat0 = float(np.mean(demand[:, 0])) if len(demand) else 30.0
    open_mask = ~covered_before & (weight > 0)
    points = project(demand[open_mask, 0], demand[open_mask, 1], lat0)
    sites = project(candidates[:, 0], candidates[:, 1], lat0) if len(candidates) else np.zeros((0, 2))
    a = cover_matrix(points, sites, radius, detour)
    w = np.asarray(weight)[open_mask].astype(np.float64)
    reachable = a.getnnz(axis=1) > 0
    a_r, w_r = a[reachable], w[reachable]
    exact, greedy, reduction = solve(a_r, w_r, k, gap=gap, time_limit=time_limit)
    return Siting(
        exact=exact,
        greedy=greedy,
        uncovered_residents=int(w.sum()),
        reachable_residents=int(w_r.sum()),
        reduction=reduction,
    )


def as_dict(plan: Plan) -> dict[str, Any]:
    return {"chosen": plan.chosen, "covered": plan.covered, "seconds": round(plan.seconds, 3)}
