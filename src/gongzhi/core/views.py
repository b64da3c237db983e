from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gongzhi.accounts.selectors import user_role_bindings
from gongzhi.appeals.selectors import appeals_waiting_for
from gongzhi.core.http import AuthenticatedHttpRequest
from gongzhi.core.roles import NEIGHBOUR_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.orgs.selectors import scope_summary


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Someone who lives here starts with what they come for: reporting a problem, and what waits for them.
    neighbour = not request.user.is_superuser and has_role(request.user, NEIGHBOUR_ROLES)
    return render(
        request,
        "core/home.html",
        {
            "summaries": scope_summary(fetched_by=request.user),
            "bindings": user_role_bindings(user=request.user),
            "neighbour": neighbour,
            "waiting": appeals_waiting_for(fetched_by=request.user) if neighbour else {},
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
