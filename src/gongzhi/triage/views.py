from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongzhi.core.http import AuthenticatedHttpRequest
from gongzhi.core.roles import CASEWORK_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.orgs.selectors import node_or_first_root
from gongzhi.triage.selectors import hot_issues_for

PERIODS = (7, 30, 90)


@login_required
def hot_issues_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Hot issues of a node's subtree over the last 7, 30 or 90 days, for staff and viewers."""
    if not has_role(request.user, OVERSIGHT_ROLES):
        raise Http404
    node_id = request.GET.get("node", "")
    node = node_or_first_root(fetched_by=request.user, pk=int(node_id) if node_id.isdigit() else None)
    days = int(request.GET["days"]) if request.GET.get("days") in {str(d) for d in PERIODS} else 30
    end = datetime.combine(
        timezone.localdate() + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )
    issues = hot_issues_for(fetched_by=request.user, node=node, start=end - timedelta(days=days), end=end)
    return render(
        request,
        "triage/hot.html",
        {
            "node": node,
            "issues": issues,
            "days": days,
            "periods": PERIODS,
            "can_open": has_role(request.user, CASEWORK_ROLES),
        },
    )
