from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from gongzhi.accounts.selectors import user_role_bindings
from gongzhi.core.http import AuthenticatedHttpRequest
from gongzhi.orgs.selectors import scope_summary


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home.html",
        {
            "summaries": scope_summary(fetched_by=request.user),
            "bindings": user_role_bindings(user=request.user),
        },
    )


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
