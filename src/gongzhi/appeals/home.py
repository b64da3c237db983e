"""The appeals card on the home page: for someone who lives here, the way to report a problem and what waits
for them (appeals to add to or to rate), with the shortcuts the apps offer residents."""

from typing import Any

from gongzhi.appeals.selectors import appeals_waiting_for
from gongzhi.core.registry import nav_entries
from gongzhi.core.rules import is_neighbour


def start_card(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not is_neighbour.test(user):
        return None
    return {
        "waiting": appeals_waiting_for(fetched_by=user),
        "shortcuts": [entry for entry in nav_entries(user) if entry.shortcut],
    }
