"""The matching engine, over plain data (no database): ranked candidates for one need with an explained
score, and a global round that assigns resources to needs.

The round maximises the urgency-weighted number of needs fulfilled, each need by at most one resource (one
unit per need) and each resource within its remaining capacity and service area. Capacities are
quantities (a unit's 40 hours can serve five needs of 8 hours), so this is not a one-to-one assignment
(``linear_sum_assignment`` cannot express it) but a small multiple-knapsack MILP; it is solved exactly with
scipy's ``milp`` (HiGHS), already a dependency, where OR-Tools would add a large native package for the
same answer. Greedy matching (the most urgent need first takes its best feasible resource) runs on the
same data for comparison.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

# How much each part counts in a candidate's score (they sum to 1).
WEIGHTS = {
    "category": 0.30,
    "text": 0.20,
    "distance": 0.15,
    "capacity": 0.15,
    "time": 0.10,
    "completion": 0.10,
}


@dataclass
class ResourceData:
    id: int
    unit_id: int
    category: str
    text: str
    kind: str  # capacity kind: hours, people, places, money, goods
    remaining: int
    lat: float | None
    lng: float | None
    radius_km: float
    serves: tuple[str, ...] = ()  # node paths served whatever the distance
    start: date | None = None
    end: date | None = None
    completion: float = 0.5  # the unit's past completion rate (smoothed)


@dataclass
class NeedData:
    id: int
    category: str
    text: str
    kind: str
    quantity: int
    urgency: int
    path: str  # the need's node path
    lat: float | None
    lng: float | None
    start: date | None = None
    end: date | None = None


@dataclass
class Candidate:
    resource_id: int
    unit_id: int
    score: float
    feasible: bool
    parts: dict[str, float] = field(default_factory=dict)
    distance_km: float | None = None
    why_not: str = ""


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance; GCJ-02's offset is the same for nearby points, so it cancels at city scale."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _overlap(need: NeedData, res: ResourceData) -> float:
    """Share of the need's window the resource is available in (1 when either leaves it open)."""
    if need.start is None or need.end is None:
        if res.end is not None and need.start is not None and res.end < need.start:
            return 0.0
        return 1.0
    lo = max(need.start, res.start or need.start)
    hi = min(need.end, res.end or need.end)
    if hi < lo:
        return 0.0
    return ((hi - lo).days + 1) / ((need.end - need.start).days + 1)


def _distance_part(need: NeedData, res: ResourceData) -> tuple[float, float | None, bool]:
    """(score part, distance, inside the service area)."""
    if any(need.path.startswith(p) for p in res.serves):
        return 1.0, 0.0, True
    if None in (need.lat, need.lng, res.lat, res.lng):
        return 0.0, None, False
    d = distance_km(need.lat, need.lng, res.lat, res.lng)  # type: ignore[arg-type]
    radius = max(res.radius_km, 0.1)
    if d <= radius:
        return 1.0 - 0.5 * d / radius, d, True
    return max(0.0, 0.5 - 0.5 * (d - radius) / radius), d, False


def candidate(need: NeedData, res: ResourceData, text: float) -> Candidate:
    """One resource for one need: each part of the score, and whether the round may use it."""
    dist, d, inside = _distance_part(need, res)
    parts = {
        "category": 1.0 if res.category == need.category else 0.0,
        "text": round(max(0.0, min(1.0, text)), 4),
        "distance": round(dist, 4),
        "capacity": round(min(1.0, res.remaining / need.quantity), 4) if res.kind == need.kind else 0.0,
        "time": round(_overlap(need, res), 4),
        "completion": round(res.completion, 4),
    }
    score = sum(WEIGHTS[k] * v for k, v in parts.items())
    why = ""
    if res.kind != need.kind:
        why = "kind"
    elif res.remaining < need.quantity:
        why = "capacity"
    elif not inside:
        why = "distance"
    elif parts["time"] == 0:
        why = "time"
    elif parts["category"] == 0:
        why = "category"
    return Candidate(res.id, res.unit_id, round(score, 4), why == "", parts, d, why)


class Pool:
    """The resources of one run, their text vectors computed once."""

    def __init__(self, resources: Sequence[ResourceData]) -> None:
        self.resources = list(resources)
        self._vectors = None

    def _vec(self):  # type: ignore[no-untyped-def]
        from gongzhi.triage.duplicates import vectoriser

        if self._vectors is None:
            self._vectors = vectoriser().transform([_doc(r.text) for r in self.resources])
        return self._vectors

    def text_scores(self, needs: Sequence[NeedData]) -> np.ndarray:
        """(needs, resources) cosine similarities of the texts (triage's character-gram TF-IDF)."""
        from gongzhi.triage.duplicates import vectoriser

        if not needs or not self.resources:
            return np.zeros((len(needs), len(self.resources)))
        a = vectoriser().transform([_doc(n.text) for n in needs])
        return np.asarray((a @ self._vec().T).todense())

    def rank(self, need: NeedData, *, limit: int = 10) -> list[Candidate]:
        """The best candidates for a need, feasible ones first, each by its score."""
        texts = self.text_scores([need])[0] if self.resources else []
        found = [candidate(need, r, float(t)) for r, t in zip(self.resources, texts, strict=True)]
        found.sort(key=lambda c: (not c.feasible, -c.score, c.resource_id))
        return found[:limit]


def _doc(text: str) -> str:
    from gongzhi.triage.text import document

    return document(text, "")


@dataclass
class Assignment:
    pairs: list[tuple[int, int, float]]  # need id, resource id, score
    total: float  # urgency-weighted needs fulfilled
    optimal: bool = True


@dataclass
class Round:
    optimum: Assignment
    greedy: Assignment

    @property
    def ratio(self) -> float:
        return self.optimum.total / self.greedy.total if self.greedy.total else 1.0


def _edges(needs: Sequence[NeedData], pool: Pool, *, min_score: float) -> list[tuple[int, int, float]]:
    """Feasible (need index, resource index, score) pairs."""
    if not needs or not pool.resources:
        return []
    texts = pool.text_scores(needs)
    edges = []
    for i, need in enumerate(needs):
        for j, res in enumerate(pool.resources):
            if res.kind != need.kind or res.category != need.category or res.remaining < need.quantity:
                continue
            c = candidate(need, res, float(texts[i, j]))
            if c.feasible and c.score >= min_score:
                edges.append((i, j, c.score))
    return edges


def greedy(needs: Sequence[NeedData], pool: Pool, edges: list[tuple[int, int, float]]) -> Assignment:
    """The most urgent need first (then the oldest) takes its best-scoring resource with room left."""
    by_need: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for i, j, s in edges:
        by_need[i].append((s, j))
    left = [r.remaining for r in pool.resources]
    pairs, total = [], 0.0
    for i in sorted(by_need, key=lambda i: (-needs[i].urgency, needs[i].id)):
        for s, j in sorted(by_need[i], key=lambda x: (-x[0], x[1])):
            if left[j] >= needs[i].quantity:
                left[j] -= needs[i].quantity
                pairs.append((needs[i].id, pool.resources[j].id, s))
                total += needs[i].urgency
                break
    return Assignment(pairs, total)


def optimum(needs: Sequence[NeedData], pool: Pool, edges: list[tuple[int, int, float]]) -> Assignment:
    """The MILP: x[e] ∈ {0,1} per feasible pair; each need at most once; each resource within capacity;
    maximise Σ urgency·x (whole numbers, so HiGHS proves optimality quickly). The need–resource graph falls apart into independent pieces (a need can only use resources of its own
    category and area), and each piece is solved exactly on its own: the same optimum, found much faster."""
    if not edges:
        return Assignment([], 0.0)
    from scipy.sparse.csgraph import connected_components

    n_needs = len(needs)
    size = n_needs + len(pool.resources)
    graph = coo_matrix(
        (np.ones(len(edges)), ([i for i, _j, _s in edges], [n_needs + j for _i, j, _s in edges])),
        shape=(size, size),
    )
    _count, label = connected_components(graph, directed=False)
    pieces: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for e in edges:
        pieces[int(label[e[0]])].append(e)
    chosen: list[tuple[int, int, float]] = []
    proven = True
    for piece in pieces.values():
        quick = greedy(needs, pool, piece)
        if len(quick.pairs) == len({i for i, _j, _s in piece}):
            # Every need of the piece is met: nothing can do better.
            by_id = {(needs[i].id, pool.resources[j].id): (i, j, s) for i, j, s in piece}
            chosen.extend(by_id[(n, r)] for n, r, _s in quick.pairs)
            continue
        found, ok = _solve_piece(needs, pool, piece)
        proven &= ok
        chosen.extend(found)
    chosen = _prefer_scores(needs, pool, edges, chosen)
    pairs = [(needs[i].id, pool.resources[j].id, s) for i, j, s in chosen]
    total = float(sum(needs[i].urgency for i, _j, _s in chosen))
    return Assignment(pairs, total, optimal=proven)


def _prefer_scores(
    needs: Sequence[NeedData],
    pool: Pool,
    edges: list[tuple[int, int, float]],
    chosen: list[tuple[int, int, float]],
) -> list[tuple[int, int, float]]:
    """Among optima the MILP picks any; move each chosen need to its best-scoring resource that still has
    room (the same needs are met, so the urgency-weighted total stays optimal)."""
    left = [r.remaining for r in pool.resources]
    for _i, j, _s in chosen:
        left[j] -= needs[_i].quantity
    options: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for i, j, s in edges:
        options[i].append((s, j))
    better = []
    for i, j, s in sorted(chosen, key=lambda e: (-needs[e[0]].urgency, needs[e[0]].id)):
        q = needs[i].quantity
        for s2, j2 in sorted(options[i], key=lambda x: (-x[0], x[1])):
            if s2 <= s:
                break
            if left[j2] >= q:
                left[j2] -= q
                left[j] += q
                j, s = j2, s2
                break
        better.append((i, j, s))
    return better


def _solve_piece(
    needs: Sequence[NeedData], pool: Pool, edges: list[tuple[int, int, float]]
) -> tuple[list[tuple[int, int, float]], bool]:
    need_ids = sorted({i for i, _j, _s in edges})
    res_ids = sorted({j for _i, j, _s in edges})
    need_row = {i: k for k, i in enumerate(need_ids)}
    res_row = {j: len(need_ids) + k for k, j in enumerate(res_ids)}
    n = len(edges)
    c = -np.array([float(needs[i].urgency) for i, _j, _s in edges])
    rows = [need_row[i] for i, _j, _s in edges] + [res_row[j] for _i, j, _s in edges]
    cols = list(range(n)) * 2
    data = [1.0] * n + [float(needs[i].quantity) for i, _j, _s in edges]
    a = coo_matrix((data, (rows, cols)), shape=(len(need_ids) + len(res_ids), n)).tocsr()
    upper = np.array([1.0] * len(need_ids) + [float(pool.resources[j].remaining) for j in res_ids])
    # The objective is a whole number, so a gap below one proves the optimum: stop there rather than
    # close the last fraction (HiGHS otherwise spends seconds on pieces of forty variables).
    whole = float(sum(needs[i].urgency for i in need_ids))
    result = milp(
        c,
        constraints=LinearConstraint(a, -np.inf, upper),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.999 / whole, "time_limit": 60.0},
    )
    if result.x is None:
        return [], False
    chosen = [edges[k] for k in np.flatnonzero(result.x > 0.5)]
    # Optimal when the gap left is below one urgency step (the objective and the bound are whole).
    bound = getattr(result, "mip_dual_bound", None)
    got = float(sum(needs[i].urgency for i, _j, _s in chosen))
    proven = result.status == 0 and (bound is None or -bound - got < 1.0)
    return chosen, proven


def solve_round(
    needs: Sequence[NeedData], resources: Iterable[ResourceData], *, min_score: float = 0.0
) -> Round:
    """The optimum and greedy on the same feasible pairs."""
    pool = Pool(list(resources))
    edges = _edges(needs, pool, min_score=min_score)
    return Round(optimum(needs, pool, edges), greedy(needs, pool, edges))
