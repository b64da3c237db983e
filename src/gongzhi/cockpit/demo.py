"""The demo's cockpit: after every module has loaded its data, the day rollups are built from all of it."""

from typing import Any

from gongzhi.cockpit.rollups import rollups_rebuild


def load(ctx: Any) -> dict[str, int]:
    return {"cockpit rollup rows": rollups_rebuild()}
