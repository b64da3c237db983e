"""The appeal pages: the list (residents' own, staff's queue), filing, an appeal with its timeline and the
actions open to the viewer, photos, bulk accept/assign. Figures, hot issues, the map and the categories
are in views_oversight.py."""

from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.appeals import selectors, services
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.forms import ActionForm, AppealForm, BulkForm, PhotoForm
from gongzhi.appeals.models import Channel, PhotoKind
from gongzhi.appeals.rules import handles, is_filer, may_add_photo
from gongzhi.appeals.triage import category_suggestion
from gongzhi.core.rules import is_caseworker, is_subdistrict_admin
from gongzhi.core.web import form_errors_message, role_required, service_call
from gongzhi.orgs.selectors import (
    colleagues_for_assignment,
    node_get,
    node_list,
    node_roots,
    org_unit_get,
    subdistrict_of,
    user_for_assignment,
)


@login_required
def appeal_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    view = request.GET.get("view", "queue" if staff else "mine")
    if staff and view == "queue":
        appeals = selectors.appeal_queue(fetched_by=request.user)
    else:
        appeals = selectors.appeal_list(fetched_by=request.user, status=request.GET.get("status") or None)
    page = Paginator(appeals, 30).get_page(request.GET.get("page"))
    colleagues = colleagues_for_assignment(user=request.user) if staff and view == "queue" else []
    return render(
        request,
        "appeals/index.html",
        {
            "page": page,
            "staff": staff,
            "view": view,
            "now": timezone.now(),
            "soon": timezone.now() + timedelta(hours=24),
            "colleagues": colleagues,
            "can_edit_categories": is_subdistrict_admin.test(request.user),
        },
    )


def _place_points(places: list) -> dict[int, list[float]]:
    """Where to centre the intake map for each place: its own point, or (buildings seldom have one) its
    compound's."""
    by_path = {n.path: n for n in places}
    points = {}
    for node in places:
        source = node if node.lat is not None else by_path.get(node.path[: -node.steplen])
        if source is not None and source.lat is not None and source.lng is not None:
            points[node.pk] = [source.lat, source.lng]
    return points


def _places(request: AuthenticatedHttpRequest):
    return node_list(fetched_by=request.user).filter(kind__in=["compound", "building"])[:500]


@login_required
@require_http_methods(["GET", "POST"])
def appeal_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    places = list(_places(request))
    form = AppealForm(
        request.POST or None,
        request.FILES or None,
        places=places,
        staff=staff,
        categories=selectors.category_choices(subdistrict=None) if staff else (),
        initial={"client_key": uuid4().hex},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The appeal and its photos go in together: a bad photo leaves nothing behind.
        with service_call(request, form=form) as call, transaction.atomic():
            node = node_get(fetched_by=request.user, pk=data["node"])
            appeal, created = services.appeal_submit(
                actor=request.user,
                node=node,
                category=services.category_for(
                    subdistrict=subdistrict_of(node), category_id=data.get("category")
                ),
                title=data["title"],
                body=data["body"],
                channel=data.get("channel") or Channel.WEB,
                hidden_from_neighbours=data["hidden_from_neighbours"],
                client_key=data["client_key"],
                lat=data.get("lat"),
                lng=data.get("lng"),
            )
            if created:
                for upload in data["photos"][: services.MAX_PHOTOS]:
                    services.appeal_photo_add(actor=request.user, appeal=appeal, upload=upload)
        if call.ok:
            messages.success(request, _("Your appeal has been received. You can follow it here."))
            return redirect("appeals:detail", pk=appeal.pk)
    return render(
        request,
        "appeals/new.html",
        {
            "form": form,
            "staff": staff,
            "tiles": settings.GONGZHI_MAP_TILES,
            "place_points": _place_points(places),
        },
        status=400 if form.errors else 200,
    )


@role_required(is_caseworker)
def appeal_suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The suggested category for what staff are typing into the intake form (an htmx fragment)."""
    title, body = request.GET.get("title", "")[:120], request.GET.get("body", "")[:5000]
    roots = node_roots(fetched_by=request.user)
    category, confidence = (
        category_suggestion(title=title, body=body, subdistrict=subdistrict_of(roots[0]))
        if roots and (title or body)
        else (None, None)
    )
    return render(request, "appeals/_suggestion.html", {"category": category, "confidence": confidence})


@login_required
def appeal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.appeal_get(fetched_by=request.user, pk=pk))


def _detail_page(request: AuthenticatedHttpRequest, appeal, *, typed=None, status: int = 200) -> HttpResponse:
    """The appeal, its timeline and the actions open to the viewer; after a refused action, with what the
    viewer typed still in its form."""
    handler = handles.test(request.user, appeal)
    actions = set(services.appeal_actions(user=request.user, appeal=appeal))
    subdistrict = subdistrict_of(appeal.node) if handler else None
    # The suggestion is worth showing when no category is set or the set one lies under another top level.
    show_suggestion = (
        handler
        and appeal.suggested_category_id is not None
        and not appeal.category_confirmed
        and (appeal.category is None or appeal.category.top.pk != appeal.suggested_category_id)
    )
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "events": selectors.appeal_timeline(fetched_by=request.user, appeal=appeal),
            "actions": actions,
            "units": list(appeal.node.org_units.all()) if handler else [],
            "handler": handler,
            "staff": is_caseworker.test(request.user),
            "owner": is_filer.test(request.user, appeal),
            "photos": list(appeal.photos.all()),
            "can_add_photo": may_add_photo.test(request.user, appeal),
            "show_suggestion": show_suggestion,
            "tiles": settings.GONGZHI_MAP_TILES,
            "categories": selectors.category_choices(subdistrict=subdistrict)
            if "categorise" in actions
            else [],
            "duplicates": selectors.duplicate_candidates(fetched_by=request.user, appeal=appeal)
            if "merge" in actions
            else [],
            "typed": typed or {},
        },
        status=status,
    )


@login_required
@require_POST
def appeal_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_message(form) or _("Please check what you entered."))
        return _detail_page(request, appeal, typed=request.POST, status=400)
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    action = data.pop("action")
    try:
        if "assignee_unit" in data:
            data["assignee_unit"] = org_unit_get(fetched_by=request.user, pk=data["assignee_unit"])
        if "merge_into" in data:
            data["merge_into"] = selectors.appeal_get(fetched_by=request.user, pk=data["merge_into"])
    except Http404:
        messages.error(request, _("No such appeal in your area."))
        return _detail_page(request, appeal, typed=request.POST, status=400)
    with service_call(request, success=_("Done.")) as call:
        if "category" in data:
            data["category"] = services.category_for(
                subdistrict=subdistrict_of(appeal.node), category_id=data["category"]
            )
        services.appeal_transition(actor=request.user, appeal=appeal, action=action, **data)
    if call.ok:
        return redirect("appeals:detail", pk=pk)
    # Refused: the page again, with the message and what was typed (a long reply is not lost).
    fresh = selectors.appeal_get(fetched_by=request.user, pk=pk)
    return _detail_page(request, fresh, typed=request.POST, status=400)


@login_required
@require_POST
def appeal_photo_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("appeals:detail", pk=pk)
    kind = PhotoKind.EVIDENCE if handles.test(request.user, appeal) else PhotoKind.REPORT
    with service_call(request, success=_("Done.")):
        services.appeal_photo_add(
            actor=request.user, appeal=appeal, upload=form.cleaned_data["photo"], kind=kind
        )
    return redirect("appeals:detail", pk=pk)


PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@login_required
def appeal_photo(request: AuthenticatedHttpRequest, pk: int, photo_id: int) -> FileResponse:
    """Photos are served only to those who can see the appeal (never as public media files)."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    photo = appeal.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    content_type = PHOTO_TYPES.get(photo.image.name.rsplit(".", 1)[-1], "application/octet-stream")
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def appeal_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Accept, or assign to one person, several appeals from the queue; each goes through the workflow."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            form_errors_message(form)
            if form.non_field_errors()
            else _("Choose appeals and what to do with them."),
        )
        return redirect("appeals:index")
    action = form.cleaned_data["action"]
    payload = {}
    if action == "assign":
        payload["assignee_user"] = user_for_assignment(pk=form.cleaned_data["assignee"])
    done, failed = 0, []
    for appeal in selectors.appeal_list(fetched_by=request.user).filter(pk__in=form.cleaned_data["ids"]):
        try:
            services.appeal_transition(actor=request.user, appeal=appeal, action=action, **payload)
            done += 1
        except AppealError as exc:
            failed.append(f"#{appeal.pk}: {exc.message}")
    if done:
        messages.success(request, _("%(n)s appeals done.") % {"n": done})
    for line in failed[:10]:
        messages.error(request, line)
    return redirect("appeals:index")
