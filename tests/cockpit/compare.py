"""Rollup figures against the live KPI providers (``core.registry.kpi_providers()``), figure by figure."""

import math
from typing import Any

from gongzhi.cockpit.figures import Period, rollup_totals
from gongzhi.core.registry import kpi_providers, measure_sources


def differences(*, user: Any, node: Any, period: Period) -> list[str]:
    """Every figure the rollups give for ``node`` and ``period`` that differs from the live KPI provider's
    (the figures the rollups do not hold, e.g. distinct people, are the KPI page's alone)."""
    start, end = period.bounds()
    providers = kpi_providers()
    totals = rollup_totals(node, period, list(measure_sources()))
    found = []
    for app, source in measure_sources().items():
        live = providers[app](fetched_by=user, node=node, start=start, end=end)["total"]
        rolled = source.figures(totals.get(app, {}))
        shared = set(rolled) & set(live)
        assert shared, app
        for key in sorted(shared):
            a, b = rolled[key], live[key]
            same = all(_close(a[k], b[k]) for k in a) if isinstance(a, dict) else _close(a, b)
            if not same:
                found.append(f"{node.name} {app}.{key}: rollups {a!r} ≠ live {b!r}")
    return found


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(b, str):
        b = float(b)
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=0.011)
