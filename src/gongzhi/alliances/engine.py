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
    # How the round's independent pieces were solved: filled by greedy (every need met), by the search,
    # by HiGHS; and the most urgency the unproven pieces could still be missing (0 when optimal).
    pieces: dict[str, int] = field(default_factory=dict)
    gap: float = 0.0


@dataclass
class Round:
    optimum: Assignment
    greedy: Assignment

    @property
    def ratio(self) -> float:
        return self.optimum.total / self.greedy.total if self.greedy.total else 1.0


def _edges(needs: Sequence[NeedData], pool: Pool, *, min_score: float) -> list[tuple[int, int, float]]:
    """Feasible (need index, resource index, score) pairs, the same scores as ``candidate`` gives, computed
    for all pairs at once: only pairs of the same category and capacity kind with room enough are scored
    (a sparse set: a need's category is served by a few of the area's resources), then their distance,
    time overlap and the other parts as arrays."""
    if not needs or not pool.resources:
        return []
    res = pool.resources
    group: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, r in enumerate(res):
        group[(r.category, r.kind)].append(j)
    rows: list[int] = []
    cols: list[int] = []
    for i, need in enumerate(needs):
        for j in group.get((need.category, need.kind), ()):
            if res[j].remaining >= need.quantity:
                rows.append(i)
                cols.append(j)
    if not rows:
        return []
    ii, jj = np.array(rows), np.array(cols)
    texts = pool.text_scores(needs)[ii, jj]
    nan = float("nan")

    def column(values: list[float | None]) -> np.ndarray:
        return np.array([nan if v is None else v for v in values], dtype=float)

    n_lat, n_lng = column([n.lat for n in needs])[ii], column([n.lng for n in needs])[ii]
    r_lat, r_lng = column([r.lat for r in res])[jj], column([r.lng for r in res])[jj]
    p1, p2 = np.radians(n_lat), np.radians(r_lat)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(r_lng - n_lng) / 2) ** 2
    with np.errstate(invalid="ignore"):
        d = 2 * 6371.0 * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    radius = np.maximum(np.array([r.radius_km for r in res], dtype=float)[jj], 0.1)
    known = ~np.isnan(d)
    inside = known & (np.nan_to_num(d, nan=np.inf) <= radius)
    dist = np.where(inside, 1.0 - 0.5 * np.nan_to_num(d) / radius, 0.0)
    # Served places count whatever the distance (few resources name them).
    for k in np.flatnonzero([bool(res[j].serves) for j in cols]):
        if any(needs[rows[k]].path.startswith(p) for p in res[cols[k]].serves):
            inside[k], dist[k] = True, 1.0
    if any(n.start or n.end for n in needs) or any(r.start or r.end for r in res):
        time_part = np.array([_overlap(needs[i], res[j]) for i, j in zip(rows, cols, strict=True)])
    else:
        time_part = np.ones(len(rows))
    capacity = np.minimum(
        1.0,
        np.array([r.remaining for r in res], float)[jj] / np.array([n.quantity for n in needs], float)[ii],
    )
    completion = np.array([r.completion for r in res], dtype=float)[jj]
    parts = {
        "category": np.ones(len(rows)),
        "text": np.clip(texts, 0.0, 1.0),
        "distance": dist,
        "capacity": capacity,
        "time": time_part,
        "completion": completion,
    }
    # Rounded as ``candidate`` rounds (Python's round), so a pair scores the same on both paths.
    rounded = {key: [round(v, 4) for v in values.tolist()] for key, values in parts.items()}
    scores = [0.0] * len(rows)
    for key, values in rounded.items():
        weight = WEIGHTS[key]
        scores = [a + weight * v for a, v in zip(scores, values, strict=True)]
    ok = (inside & (time_part > 0)).tolist()
    return [
        (rows[k], cols[k], score)
        for k, s in enumerate(scores)
        if ok[k] and (score := round(s, 4)) >= min_score
    ]


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


def optimum(
    needs: Sequence[NeedData],
    pool: Pool,
    edges: list[tuple[int, int, float]],
    *,
    time_limit: float = 20.0,
    search: bool = True,
) -> Assignment:
    """The exact round: x[e] ∈ {0,1} per feasible pair; each need at most once; each resource within
    capacity; maximise Σ urgency·x. The need–resource graph falls apart into independent pieces (a need
    can only use resources of its own category and area), and each piece is solved exactly on its own,
    which gives the same optimum much faster: a piece greedy already fills needs nothing more; most of the
    others are proven by a short branch and bound (``_search_piece``); the rest go to the MILP (HiGHS,
    ``_solve_piece``) with greedy's packing kept if HiGHS stops at ``time_limit`` seconds with less.
    ``search=False`` sends every piece greedy does not fill to HiGHS (the benchmark compares the two)."""
    if not edges:
        return Assignment([], 0.0, pieces={"greedy": 0, "search": 0, "milp": 0})
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
    counts = {"greedy": 0, "search": 0, "milp": 0}
    gap = 0.0
    for piece in pieces.values():
        quick = greedy(needs, pool, piece)
        by_id = {(needs[i].id, pool.resources[j].id): (i, j, s) for i, j, s in piece}
        if len(quick.pairs) == len({i for i, _j, _s in piece}):
            # Every need of the piece is met: nothing can do better.
            counts["greedy"] += 1
            chosen.extend(by_id[(n, r)] for n, r, _s in quick.pairs)
            continue
        exact = _search_piece(needs, pool, piece, start=quick) if search else None
        if exact is not None:
            counts["search"] += 1
            chosen.extend(exact)
            continue
        counts["milp"] += 1
        found, bound = _solve_piece(needs, pool, piece, time_limit=time_limit)
        got = float(sum(needs[i].urgency for i, _j, _s in found))
        if got < quick.total:
            found, got = [by_id[(n, r)] for n, r, _s in quick.pairs], quick.total
        if bound - got >= 1.0:
            gap += bound - got
        chosen.extend(found)
    chosen = _prefer_scores(needs, pool, edges, chosen)
    pairs = [(needs[i].id, pool.resources[j].id, s) for i, j, s in chosen]
    total = float(sum(needs[i].urgency for i, _j, _s in chosen))
    return Assignment(pairs, total, optimal=gap == 0.0, pieces=counts, gap=gap)


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


# A search that walks more branches than this (in each of its two orders) hands the piece to HiGHS.
SEARCH_LIMIT = 50_000


def _search_piece(
    needs: Sequence[NeedData],
    pool: Pool,
    edges: list[tuple[int, int, float]],
    *,
    start: Assignment,
    limit: int = SEARCH_LIMIT,
) -> list[tuple[int, int, float]] | None:
    """One piece solved exactly by depth-first branch and bound, or None when it needs more than ``limit``
    branches in both orders tried.

    A piece is small (the needs of one category in one area and the few resources that can serve them),
    so walking its choices is much cheaper than setting up a MILP for it. The incumbent starts as the best
    of greedy and two quick packings. Each need in turn is given to one of its resources with room, or to
    none. A branch is cut when the better of two upper bounds cannot beat the incumbent by a whole urgency
    step: (a) every remaining need that some resource still has room for is met; (b) the remaining needs
    are poured, most valuable per unit of quantity first and the last one fractionally, into the room
    the remaining needs could use (a knapsack relaxation). Resources serving the same needs with the same
    room left are interchangeable, so only the first is tried; a need reached again with the same room left
    and no more gained is not walked twice. Needs are taken most valuable per unit of quantity first (the
    knapsack bound is tightest so) and, if that walk is too long, most urgent first."""
    need_ids = sorted({i for i, _j, _s in edges})
    res_ids = sorted({j for _i, j, _s in edges})
    local = {j: r for r, j in enumerate(res_ids)}
    options: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for i, j, s in edges:
        options[i].append((s, local[j]))
    by_ids = {(needs[i].id, pool.resources[j].id): (i, j, s) for i, j, s in edges}
    capacity = [pool.resources[j].remaining for j in res_ids]
    best_value = start.total
    best_edges = [by_ids[(need_id, res_id)] for need_id, res_id, _s in start.pairs]

    def density(i: int) -> tuple[float, int, int]:
        return (-needs[i].urgency / needs[i].quantity, -needs[i].quantity, needs[i].id)

    def urgent(i: int) -> tuple[int, int, int]:
        return (-needs[i].urgency, -needs[i].quantity, needs[i].id)

    def walk_in(ids: list[int], limit: int) -> bool:
        nonlocal best_value, best_edges
        n = len(ids)
        value = [needs[i].urgency for i in ids]
        qty = [needs[i].quantity for i in ids]
        reach = [[r for _s, r in sorted(options[i], key=lambda x: (-x[0], x[1]))] for i in ids]
        edge_of = {(m, r): e for m, i in enumerate(ids) for e in edges if e[0] == i for r in [local[e[1]]]}
        served: dict[int, set[int]] = defaultdict(set)
        for m, rs in enumerate(reach):
            for r in rs:
                served[r].add(ids[m])
        signature = [frozenset(served[r]) for r in range(len(res_ids))]
        by_density = sorted(range(n), key=lambda m: density(ids[m]))
        room = list(capacity)
        # Quick packings as incumbents: in this order, each need into the resource it fills best.
        left, packed, total = list(room), [], 0
        for m in range(n):
            fits = [r for r in reach[m] if left[r] >= qty[m]]
            if fits:
                r = min(fits, key=lambda r: (left[r], r))
                left[r] -= qty[m]
                packed.append(edge_of[(m, r)])
                total += value[m]
        if total > best_value:
            best_value, best_edges = total, packed

        def bound(k: int) -> float:
            can = [False] * n
            simple = 0
            usable = [0] * len(room)  # how much of each resource's room the remaining needs could fill
            for m in range(k, n):
                q = qty[m]
                for r in reach[m]:
                    if room[r] >= q:
                        usable[r] += q
                        can[m] = True
                if can[m]:
                    simple += value[m]
            left = float(sum(min(a, b) for a, b in zip(room, usable, strict=True)))
            pour = 0.0
            for m in by_density:
                if not can[m]:
                    continue
                if qty[m] <= left:
                    left -= qty[m]
                    pour += value[m]
                else:
                    pour += value[m] * left / qty[m]
                    break
            return min(simple, pour)

        taken: list[int | None] = [None] * n
        seen: dict[tuple[int, tuple[int, ...]], float] = {}
        walked = 0

        def walk(k: int, got: float) -> bool:
            nonlocal best_value, best_edges, walked
            walked += 1
            if walked > limit:
                return False
            if got > best_value:
                best_value = got
                best_edges = [edge_of[(m, r)] for m, r in enumerate(taken) if r is not None]
            if k == n or got + bound(k) < best_value + 1:
                return True
            # The same room left at the same need, reached before with as much: nothing new below.
            state = (k, tuple(room))
            if seen.get(state, -1.0) >= got:
                return True
            seen[state] = got
            tried: set[tuple[frozenset[int], int]] = set()
            for r in reach[k]:
                if room[r] < qty[k] or (signature[r], room[r]) in tried:
                    continue
                tried.add((signature[r], room[r]))
                room[r] -= qty[k]
                taken[k] = r
                ok = walk(k + 1, got + value[k])
                room[r] += qty[k]
                taken[k] = None
                if not ok:
                    return False
            return walk(k + 1, got)

        return walk(0, 0.0)

    # Short walks in both orders first (most pieces end in a few hundred branches in one of them), then
    # long ones; the incumbent found so far carries over.
    for key, steps in ((urgent, limit // 10), (density, limit // 10), (urgent, limit), (density, limit)):
        if walk_in(sorted(need_ids, key=key), steps):
            return best_edges
    return None


def _solve_piece(
    needs: Sequence[NeedData], pool: Pool, edges: list[tuple[int, int, float]], *, time_limit: float
) -> tuple[list[tuple[int, int, float]], float]:
    """The piece's MILP (HiGHS): the pairs chosen and an upper bound on the piece's optimum (the total
    itself when proven)."""
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
    # close the last fraction.
    whole = float(sum(needs[i].urgency for i in need_ids))
    result = milp(
        c,
        constraints=LinearConstraint(a, -np.inf, upper),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.999 / whole, "time_limit": time_limit},
    )
    chosen = [] if result.x is None else [edges[k] for k in np.flatnonzero(result.x > 0.5)]
    got = float(sum(needs[i].urgency for i, _j, _s in chosen))
    bound = getattr(result, "mip_dual_bound", None)
    if result.status == 0 and (bound is None or -bound - got < 1.0):
        return chosen, got
    return chosen, whole if bound is None or not np.isfinite(bound) else min(whole, float(-bound))


def solve_round(
    needs: Sequence[NeedData], resources: Iterable[ResourceData], *, min_score: float = 0.0
) -> Round:
    """The optimum and greedy on the same feasible pairs."""
    pool = Pool(list(resources))
    edges = _edges(needs, pool, min_score=min_score)
    return Round(optimum(needs, pool, edges), greedy(needs, pool, edges))
