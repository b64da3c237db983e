"""The wish wall (residents at phone width), a wish's page with its actions, and review for staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import ServiceError
from gongzhi.core.http import AuthenticatedHttpRequest
from gongzhi.core.roles import CASEWORK_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.orgs.selectors import compounds_of, node_get
from gongzhi.wishes import selectors, services


@login_required
def wish_wall(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            compound = node_get(fetched_by=request.user, pk=int(request.POST.get("compound") or 0))
            services.wish_post(
                actor=request.user,
                compound=compound,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                wisher_name=request.POST.get("wisher_name", ""),
            )
            messages.success(
                request, _("Your wish is posted. It appears on the wall once staff have read it.")
            )
        except (ServiceError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Choose your compound.")))
        return redirect("wishes:index")
    staff = has_role(request.user, CASEWORK_ROLES)
    view = request.GET.get("view", "wall")
    pick = {
        "wall": selectors.wish_wall,
        "mine": selectors.own_wishes,
        "claimed": selectors.claimed_wishes,
        "review": selectors.moderation_queue,
    }.get(view, selectors.wish_wall)
    wishes = [(w, selectors.shown_name(w, request.user)) for w in pick(fetched_by=request.user)[:200]]
    compounds = compounds_of(fetched_by=request.user)
    return render(
        request, "wishes/wall.html", {"wishes": wishes, "view": view, "staff": staff, "compounds": compounds}
    )


@login_required
def wish_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    wish = selectors.wish_get(fetched_by=request.user, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            services.wish_transition(
                actor=request.user,
                wish=wish,
                action=action,
                note=request.POST.get("note", ""),
                photo=request.FILES.get("photo"),
            )
            messages.success(request, _("Done."))
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("wishes:detail", pk=wish.pk)
    return render(
        request,
        "wishes/detail.html",
        {
            "wish": wish,
            "shown_name": selectors.shown_name(wish, request.user),
            "staff": services.is_moderator(request.user, wish),
            "is_wisher": request.user.pk == wish.wisher_id,
            "is_claimant": request.user.pk == wish.claimant_id,
        },
    )


@login_required
@require_POST
def wish_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    wish = selectors.wish_get(fetched_by=request.user, pk=pk)
    try:
        services.wish_transition(actor=request.user, wish=wish, action="claim")
        messages.success(request, _("You have claimed this wish. The wisher will confirm."))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("wishes:detail", pk=wish.pk)


@login_required
def wish_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    wish = selectors.wish_get(fetched_by=request.user, pk=pk)
    if not wish.photo:
        raise Http404
    return FileResponse(wish.photo.open("rb"))
