from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import BoundedPaginator
from gongzhi.notifications import selectors, services


@login_required
def notification_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = BoundedPaginator(selectors.notification_list(fetched_by=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/index.html", {"page": page})


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("notifications:index")
