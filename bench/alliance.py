"""Matching engine at city scale (issue 15): 5,000 open needs × 2,000 resources across 50 subdistricts.

Resources serve only their own subdistrict, so a need's candidates are its subdistrict's resources and the
global round splits into independent pieces (one category in one area) solved exactly. Printed: candidate ranking for one need (p50/p95,
text vectors of the subdistrict's resources computed once, as a page does for its request), the whole round's
time, and the urgency-weighted needs met by the optimum and by greedy matching on the same data (ratio).
Runs on one process without a database: `make bench-alliance` (SEED=…, SUBDISTRICTS=… to vary;
COMPARE_MILP=1 also times the same round with every piece given to HiGHS)."""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")

import django

django.setup()

from gongzhi.alliances.engine import NeedData, Pool, ResourceData, _edges, greedy, optimum  # noqa: E402

CATEGORIES = {
    "elderly": ("hours", ["助老陪诊", "独居老人上门探访", "代配药 陪同就医"]),
    "health": ("places", ["中医骨伤义诊", "慢病健康讲座", "社区义诊 健康检查"]),
    "legal": ("hours", ["律师驻点法律咨询", "邻里纠纷调解咨询", "法律知识讲座"]),
    "children": ("places", ["暑期托管 课业辅导", "小候鸟夏令营", "四点半课堂"]),
    "repair": ("hours", ["楼道照明维修", "家电维修上门", "水电维修"]),
    "safety": ("hours", ["消防安全培训", "电动车充电隐患排查", "应急演练"]),
    "employment": ("places", ["就业创业指导", "技能培训 家政电商", "岗位推荐"]),
    "space": ("hours", ["会议室开放", "活动场地借用", "排练场地"]),
}


def world(seed: int, subdistricts: int) -> list[tuple[list[NeedData], list[ResourceData]]]:
    rng = random.Random(seed)
    out = []
    for s in range(subdistricts):
        lat0, lng0 = 30.0 + s * 0.1, 120.0 + (s % 7) * 0.1
        resources, needs = [], []
        for r in range(40):
            cat = rng.choice(list(CATEGORIES))
            kind, texts = CATEGORIES[cat]
            resources.append(
                ResourceData(
                    id=s * 1000 + r,
                    unit_id=s * 100 + r % 25,
                    category=cat,
                    text=rng.choice(texts),
                    kind=kind,
                    remaining=rng.randint(10, 60),
                    lat=lat0 + rng.uniform(-0.03, 0.03),
                    lng=lng0 + rng.uniform(-0.03, 0.03),
                    radius_km=rng.choice([2.0, 3.0, 5.0]),
                    completion=rng.uniform(0.3, 0.9),
                )
            )
        for n in range(100):
            cat = rng.choice(list(CATEGORIES))
            kind, texts = CATEGORIES[cat]
            needs.append(
                NeedData(
                    id=s * 1000 + n,
                    category=cat,
                    text=rng.choice(texts),
                    kind=kind,
                    quantity=rng.randint(2, 25),
                    urgency=rng.choice([1, 2, 2, 3, 3, 4]),
                    path=f"{s:04d}{n:04d}",
                    lat=lat0 + rng.uniform(-0.03, 0.03),
                    lng=lng0 + rng.uniform(-0.03, 0.03),
                )
            )
        out.append((needs, resources))
    return out


def main() -> None:
    seed, count = int(os.environ.get("SEED", "15")), int(os.environ.get("SUBDISTRICTS", "50"))
    data = world(seed, count)
    print(
        f"{sum(len(n) for n, _ in data)} needs × {sum(len(r) for _, r in data)} resources, {count} subdistricts"
    )
    Pool([data[0][1][0]]).rank(data[0][0][0])  # fit the text vectoriser once (as a worker's warm-up does)
    timings = []
    for needs, resources in data:
        for need in needs[:20]:
            started = time.perf_counter()
            Pool(resources).rank(need)  # the page's work: vectorise the subdistrict's resources, score, sort
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"ranking one need: p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms ({len(timings)} needs)"
    )

    def global_round(search: bool) -> tuple[float, float, float, bool, dict[str, int]]:
        started = time.perf_counter()
        opt_total = greedy_total = 0.0
        all_optimal, counts = True, {"greedy": 0, "search": 0, "milp": 0}
        for needs, resources in data:
            pool = Pool(resources)
            edges = _edges(needs, pool, min_score=0.0)
            best = optimum(needs, pool, edges, search=search)
            fast = greedy(needs, pool, edges)
            opt_total += best.total
            greedy_total += fast.total
            all_optimal &= best.optimal
            for key, value in best.pieces.items():
                counts[key] += value
        return time.perf_counter() - started, opt_total, greedy_total, all_optimal, counts

    seconds, opt_total, greedy_total, all_optimal, counts = global_round(True)
    print(
        f"global round: {seconds:.2f} s (scoring the pairs, greedy and the exact solve), proven optimal: "
        f"{all_optimal}; pieces filled by greedy {counts['greedy']}, proven by the search {counts['search']}, "
        f"by HiGHS {counts['milp']}"
    )
    print(
        f"urgency-weighted needs met: optimum {opt_total:.0f}, greedy {greedy_total:.0f}, ratio {opt_total / greedy_total:.4f}"
    )
    if os.environ.get("COMPARE_MILP"):
        # The same round with every piece greedy does not fill sent to HiGHS, in the same run.
        seconds, milp_total, _g, all_optimal, counts = global_round(False)
        print(
            f"same round, every piece to HiGHS: {seconds:.2f} s, optimum {milp_total:.0f}, proven optimal: "
            f"{all_optimal} ({counts['milp']} MILPs)"
        )


if __name__ == "__main__":
    main()
