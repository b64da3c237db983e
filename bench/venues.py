"""The service circle at city scale (issue 16): 100,000 buildings and 2,000 venues — coverage of the whole
city; siting with 5,000 candidate sites and k = 50, exact (HiGHS) and greedy, with the gap. Synthetic city,
seeded; the arithmetic is the product's own (gongzhi.venues.circle), run on arrays as the coverage and
siting services run it after reading the tree and the register.

    .venv/bin/python bench/venues.py [--buildings 100000] [--venues 2000] [--candidates 5000] [--k 50]
"""

import argparse
import time

import numpy as np

from gongzhi.venues import circle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--venues", type=int, default=2_000)
    parser.add_argument("--candidates", type=int, default=5_000)
    parser.add_argument("--k", type=int, default=50)
    parser.add_argument("--distance", type=int, default=500)
    args = parser.parse_args()
    rng = np.random.default_rng(16)
    # A city about 40 km × 40 km: buildings in dense clusters, venues where the buildings are.
    centres = np.column_stack((30.1 + rng.random(400) * 0.36, 119.95 + rng.random(400) * 0.42))
    pick = rng.integers(0, len(centres), args.buildings)
    buildings = centres[pick] + rng.normal(0, 0.012, (args.buildings, 2))
    residents = rng.integers(10, 120, args.buildings)
    venues = buildings[rng.choice(args.buildings, args.venues, replace=False)]
    levels = rng.choice(
        ["subdistrict_centre", "community_centre", "station"], args.venues, p=[0.05, 0.25, 0.7]
    )
    began = time.perf_counter()
    cov = circle.measure(
        buildings=buildings,
        residents=residents,
        venues=venues,
        venue_levels=list(levels),
        levels={
            "subdistrict_centre": ("subdistrict_centre",),
            "community_centre": ("community_centre",),
            "station": ("station",),
        },
    )
    measured = time.perf_counter() - began
    _covered, share = cov.share(args.distance)
    print(f"coverage: {args.buildings:,} buildings, {args.venues:,} venues: {measured:.2f} s; "
          f"{share:.1%} of {int(residents.sum()):,} residents within {args.distance} m")  # fmt: skip
    candidates = buildings[rng.choice(args.buildings, args.candidates, replace=False)]
    began = time.perf_counter()
    result = circle.plan_sites(
        demand=buildings,
        weight=residents,
        covered_before=cov.distance <= args.distance,
        candidates=candidates,
        k=args.k,
        radius=args.distance,
    )
    total = time.perf_counter() - began
    print(f"siting: {args.candidates:,} candidates, k = {args.k}: {total:.2f} s in all "
          f"(exact {result.exact.seconds:.2f} s, {result.exact.status}, proven gap "
          f"{result.exact_gap if result.exact_gap is not None else 'n/a'}; greedy {result.greedy.seconds:.2f} s)")  # fmt: skip
    print(f"  uncovered before: {result.uncovered_residents:,}; exact covers {result.exact.covered:,}, "
          f"greedy {result.greedy.covered:,}; greedy's gap {result.greedy_gap}")  # fmt: skip


if __name__ == "__main__":
    import django

    django.setup()
    main()
