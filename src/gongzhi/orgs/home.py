"""The home page's cards about places: a resident's compound and who to turn to there; for staff, the
figures of each area they reach."""

from typing import Any

from gongzhi.core.rules import is_neighbour
from gongzhi.orgs.selectors import scope_summary


def summary_card(request: Any) -> dict[str, Any]:
    return {"summaries": scope_summary(fetched_by=request.user), "neighbour": is_neighbour.test(request.user)}
