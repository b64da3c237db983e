"""The matching engine on plain data: explained scores, hard limits, and the round's optimum against greedy."""

import random
from datetime import date

import pytest

from gongzhi.alliances.engine import (
    NeedData,
    Pool,
    ResourceData,
    _edges,
    candidate,
    distance_km,
    greedy,
    optimum,
    solve_round,
)


def res(id, **kw):
    base = dict(
        unit_id=id,
        category="health",
        text="义诊",
        kind="places",
        remaining=10,
        lat=30.3,
        lng=120.1,
        radius_km=3.0,
    )
    return ResourceData(id=id, **{**base, **kw})


def need(id, **kw):
    base = dict(
        category="health",
        text="义诊",
        kind="places",
        quantity=5,
        urgency=2,
        path="00010001",
        lat=30.3,
        lng=120.1,
    )
    return NeedData(id=id, **{**base, **kw})


def test_distance_is_the_great_circle():
    # one degree of latitude is about 111 km
    assert distance_km(30.0, 120.0, 31.0, 120.0) == pytest.approx(111.2, abs=0.2)


def test_each_part_of_the_score_is_explained_and_limits_are_named():
    ok = candidate(need(1), res(1), text=0.8)
    assert ok.feasible and set(ok.parts) == {"category", "text", "distance", "capacity", "time", "completion"}
    assert ok.parts["category"] == 1.0 and ok.parts["text"] == 0.8
    assert candidate(need(1, quantity=50), res(1), 0.5).why_not == "capacity"
    assert candidate(need(1, lat=30.5), res(1), 0.5).why_not == "distance"  # 22 km away, radius 3 km
    assert candidate(need(1, kind="hours"), res(1), 0.5).why_not == "kind"
    assert candidate(need(1, category="legal"), res(1), 0.5).why_not == "category"
    window = dict(start=date(2026, 1, 1), end=date(2026, 1, 31))
    late = res(1, start=date(2026, 3, 1), end=date(2026, 4, 1))
    assert candidate(need(1, **window), late, 0.5).why_not == "time"


def test_a_service_area_of_places_counts_whatever_the_distance():
    far = need(1, lat=31.0, path="000100020003")
    assert candidate(far, res(1, serves=("00010002",)), 0.3).feasible


def test_ranking_puts_the_better_fit_first():
    pool = Pool([res(1, text="法律咨询 律师驻点", category="legal"), res(2, text="中医骨伤义诊 健康咨询")])
    ranked = pool.rank(need(1, text="老人骨伤义诊"))
    assert [c.resource_id for c in ranked] == [2, 1]
    assert ranked[0].parts["text"] > ranked[1].parts["text"]


def test_the_optimum_beats_greedy_when_greedy_spends_a_shared_resource():
    # Greedy: the urgent need takes its best resource A (the only one need 2 can use); need 2 is left out.
    # The optimum gives the urgent need B instead and fulfils both.
    a = res(1, text="中医骨伤义诊", remaining=5)
    b = res(2, text="健康讲座", remaining=5, lat=30.31)
    urgent = need(1, text="中医骨伤义诊", urgency=4)
    other = need(2, urgency=3, lat=30.28, lng=120.08)  # B is outside its radius
    solved = solve_round([urgent, other], [a, b])
    assert solved.greedy.total == 4
    assert solved.optimum.total == 7 and solved.optimum.optimal
    assert sorted(solved.optimum.pairs, key=lambda p: p[0])[0][:2] == (1, 2)
    assert solved.ratio == pytest.approx(7 / 4)


def test_capacity_holds_in_the_optimum():
    big = res(1, remaining=10)
    needs = [need(i, quantity=4, urgency=1 + i % 3) for i in range(1, 6)]
    solved = solve_round(needs, [big])
    assert len(solved.optimum.pairs) == 2  # 2 × 4 ≤ 10 < 3 × 4
    assert solved.optimum.total >= solved.greedy.total


def test_the_round_scores_pairs_as_the_ranking_does():
    # The round scores all pairs at once; each pair must score as the ranking explains it.
    needs = [
        need(1, text="老人骨伤义诊", start=date(2026, 1, 1), end=date(2026, 1, 10)),
        need(2, lat=30.31, quantity=3),
        need(3, lat=None, lng=None, path="000100020003"),
    ]
    resources = [
        res(1, text="中医骨伤义诊", start=date(2026, 1, 5)),
        res(2, remaining=4, radius_km=2.0, completion=0.8),
        res(3, serves=("00010002",), lat=None, lng=None),
    ]
    pool = Pool(resources)
    texts = pool.text_scores(needs)
    expected = {
        (i, j, c.score)
        for i, n in enumerate(needs)
        for j, r in enumerate(resources)
        if (c := candidate(n, r, float(texts[i, j]))).feasible
    }
    assert set(_edges(needs, pool, min_score=0.0)) == expected and len(expected) >= 4


def test_the_search_and_highs_find_the_same_optimum():
    # Random crowded pieces (more demand than room): the branch and bound's total equals HiGHS's.
    rng = random.Random(7)
    searched_pieces = 0
    for trial in range(12):
        resources = [res(j, remaining=rng.randint(5, 30)) for j in range(1, rng.randint(2, 6))]
        needs = [
            need(
                i, quantity=rng.randint(2, 12), urgency=rng.randint(1, 4), lat=30.3 + rng.uniform(-0.03, 0.03)
            )
            for i in range(1, rng.randint(6, 16))
        ]
        pool = Pool(resources)
        edges = _edges(needs, pool, min_score=0.0)
        searched = optimum(needs, pool, edges)
        exact = optimum(needs, pool, edges, search=False)
        assert searched.optimal and exact.optimal, trial
        searched_pieces += searched.pieces["search"]
        assert searched.total == exact.total >= greedy(needs, pool, edges).total, trial
        left = {r.id: r.remaining for r in resources}
        for need_id, resource_id, _s in searched.pairs:
            left[resource_id] -= needs[need_id - 1].quantity
        assert min(left.values()) >= 0 and len({p[0] for p in searched.pairs}) == len(searched.pairs)
    assert searched_pieces >= 5  # the search, not greedy alone, settled most trials
