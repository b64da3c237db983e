"""The cockpit's reads each oversight role makes most, whose plans must not grow with the rollups
(gongzhi.core.plans, tests/core/test_plans.py): a node's figures for the default 30 days (day rollups) and
for a year (month rollups), with the previous period and the children's ranking, and the hot issues."""

# unscoped-module: seeds the plan tests' database (the rollups of the appeals seeded before) and reads back ids

from typing import Any

from gongzhi.cockpit.rollups import rollups_rebuild
from gongzhi.core.plans import HotRequest

LARGE_TABLES = ("cockpit_rollup", "cockpit_rollupmonth", "cockpit_rollupplace")

# The appeals' map counts the open appeals per place and puts the fullest first: a few hundred places.
_MAP = "the map's places sorted by their open appeals (one place rollup row per place, not per appeal)"

HOT_REQUESTS = [
    *(
        HotRequest(
            f"cockpit, {label}", role, f"/api/v1/cockpit/nodes/{{{node}}}{query}", sorted_ok=_MAP, kind="KPI"
        )
        for role, node in (
            ("district_viewer", "cockpit_district"),
            ("subdistrict_admin", "cockpit_subdistrict"),
            ("community_staff", "cockpit_community"),
        )
        for label, query in (("last 30 days", ""), ("a year", "?period=year"))
    ),
]


def seed(world: Any) -> dict[str, Any]:
    """The rollups of what the other apps seeded (the appeals' year of rows among them)."""
    rollups_rebuild()
    return {
        "cockpit_district": world.district.pk,
        "cockpit_subdistrict": world.sub_a.pk,
        "cockpit_community": world.comm_a1.pk,
    }
