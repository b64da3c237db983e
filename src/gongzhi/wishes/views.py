"""The wish wall (residents at phone width), a wish's page with its steps, and review for staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.registry import object_actions
from gongzhi.core.rules import is_caseworker
from gongzhi.core.web import form_errors_message, service_call
from gongzhi.orgs.selectors import compounds_of, node_get
from gongzhi.wishes import selectors, services
from gongzhi.wishes.errors import WishError
from gongzhi.wishes.forms import WishForm, WishStepForm
from gongzhi.wishes.models import WishStatus
from gongzhi.wishes.rules import is_claimant, is_moderator, is_wisher

LISTS = {
    "wall": selectors.wish_wall,
    "mine": selectors.own_wishes,
    "claimed": selectors.claimed_wishes,
    "review": selectors.moderation_queue,
}


@login_required
def wish_wall(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    compounds = compounds_of(fetched_by=request.user)
    form = WishForm(request.POST or None, compounds=compounds, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with service_call(request, form=form) as call:
            posted = services.wish_post(
                actor=request.user,
                compound=node_get(fetched_by=request.user, pk=data["compound"]),
                title=data["title"],
                body=data["body"],
                wisher_name=data.get("wisher_name", ""),
            )
        if call.ok:
            messages.success(
                request,
                _("The wish is on the wall.")
                if posted.status == WishStatus.PUBLISHED
                else _("Your wish is posted. It appears on the wall once staff have read it."),
            )
            return redirect("wishes:index")
    view = request.GET.get("view", "wall")
    pick = LISTS.get(view, selectors.wish_wall)
    wishes = [(w, selectors.shown_name(w, request.user)) for w in pick(fetched_by=request.user)[:200]]
    return render(
        request,
        "wishes/wall.html",
        {
            "wishes": wishes,
            "view": view,
            "staff": staff,
            "compounds": compounds,
            "form": form,
            "states_chart": selectors.wish_states_chart(fetched_by=request.user) if staff else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def wish_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    wish = selectors.wish_get(fetched_by=request.user, pk=pk)
    if request.method != "POST":
        return _detail_page(request, wish)
    form = WishStepForm(request.POST, request.FILES)
    with service_call(request, success=_("Done.")) as call:
        if not form.is_valid():
            raise WishError.invalid(form_errors_message(form))
        data = form.cleaned_data
        services.wish_transition(
            actor=request.user, wish=wish, action=data["action"], note=data["note"], photo=data["photo"]
        )
    if call.ok:
        return redirect("wishes:detail", pk=wish.pk)
    # Refused: the page again, with the message and the reason or thanks that was typed.
    return _detail_page(
        request, selectors.wish_get(fetched_by=request.user, pk=pk), typed=request.POST, status=400
    )


def _detail_page(request: AuthenticatedHttpRequest, wish, *, typed=None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "wishes/detail.html",
        {
            "wish": wish,
            "shown_name": selectors.shown_name(wish, request.user),
            "staff": is_moderator.test(request.user, wish),
            "is_wisher": is_wisher.test(request.user, wish),
            "is_claimant": is_claimant.test(request.user, wish),
            "actions": set(services.wish_actions(user=request.user, wish=wish)),
            "elsewhere": object_actions(request.user, wish),
            "typed": typed or {},
        },
        status=status,
    )


@login_required
@require_POST
def wish_claim(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    wish = selectors.wish_get(fetched_by=request.user, pk=pk)
    with service_call(request, success=_("You have claimed this wish. The wisher will confirm.")):
        services.wish_transition(actor=request.user, wish=wish, action="claim")
    return redirect("wishes:detail", pk=wish.pk)


@login_required
def wish_photo(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    wish = selectors.wish_get(fetched_by=request.user, pk=pk)
    if not wish.photo:
        raise Http404
    return FileResponse(wish.photo.open("rb"))
