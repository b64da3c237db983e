"""The home page of a co-building unit's account: its unit, the projects open for it to claim, the open needs
of its subdistrict, and its own resources and projects."""

from typing import Any

from gongzhi.alliances import selectors
from gongzhi.alliances.models import ListStatus, ProjectStatus
from gongzhi.alliances.rules import is_unit_account


def unit_card(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not is_unit_account(user):
        return None
    open_projects = selectors.project_list(fetched_by=user, status=ProjectStatus.OPEN)
    needs = selectors.need_list(fetched_by=user, status=ListStatus.OPEN)
    resources = selectors.resource_list(fetched_by=user, mine=True)
    mine = selectors.project_list(fetched_by=user, mine=True).exclude(
        status__in=(ProjectStatus.DONE, ProjectStatus.EVALUATED, ProjectStatus.CANCELLED)
    )
    return {
        "units": list(selectors.my_units(fetched_by=user)),
        "to_claim": list(open_projects[:5]),
        "to_claim_count": open_projects.count(),
        "needs": list(needs[:5]),
        "needs_count": needs.count(),
        "resources": list(resources[:5]),
        "resources_count": resources.count(),
        "running": list(mine[:5]),
    }
