"""The appeal pages: the list (residents' own, staff's queue), filing, an appeal with its timeline and the
actions open to the viewer, photos, bulk accept/assign. Figures, hot issues, the map and the categories
are in views_oversight.py."""

from datetime import timedelta
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.appeals import selectors, services
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.forms import ActionForm, AppealForm, BulkForm, PhotoForm
from gongzhi.appeals.models import Channel, PhotoKind, Status
from gongzhi.appeals.rules import (
    handles,
    is_assignee,
    is_filer,
    may_add_photo,
    may_support,
    rating_window,
    sees_contact,
)
from gongzhi.appeals.triage import category_suggestion
from gongzhi.core.pagination import BoundedPaginator
from gongzhi.core.registry import object_actions
from gongzhi.core.rules import is_caseworker, is_neighbour, is_subdistrict_admin
from gongzhi.core.web import form_errors_message, role_required, service_call
from gongzhi.orgs.selectors import (
    node_get,
    node_list,
    node_roots,
    org_unit_get,
    subdistrict_of,
    user_for_assignment,
)


def _tabs(request: AuthenticatedHttpRequest, staff: bool) -> list[tuple[str, str]]:
    """The lists this user has: staff their queue and their area; a compound's parties their assigned work;
    people who live here their own appeals and their neighbours' public ones."""
    tabs = []
    if staff:
        tabs += [("queue", _("To handle")), ("all", _("All open in my area"))]
    if selectors.has_assigned_work(request.user):
        tabs.append(("assigned", _("Assigned to us")))
    if is_neighbour.test(request.user) or selectors.own_appeals(fetched_by=request.user).exists():
        tabs.append(("mine", _("My appeals")))
    if is_neighbour.test(request.user):
        tabs.append(("neighbours", _("In my compound")))
    return tabs


@login_required
def appeal_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    tabs = _tabs(request, staff)
    names = [name for name, _label in tabs]
    view = request.GET.get("view") or (names[0] if names else "mine")
    if view not in names:
        view = names[0] if names else "mine"
    status = request.GET.get("status") or None
    if view == "queue":
        appeals = selectors.appeal_queue(fetched_by=request.user)
    elif view == "all":
        appeals = selectors.appeal_list(fetched_by=request.user, status=status or "open")
    elif view == "assigned":
        appeals = selectors.assigned_to_me(fetched_by=request.user, status=status or "open")
    elif view == "neighbours":
        appeals = selectors.public_appeals(fetched_by=request.user, status=status or "open")
    else:
        appeals = selectors.own_appeals(fetched_by=request.user, status=status)
    page = BoundedPaginator(appeals, 30).get_page(request.GET.get("page"))
    # A "same as #n?" hint only for appeals the user can open.
    flagged = [a.possible_duplicate_id for a in page.object_list if a.possible_duplicate_id]
    visible_duplicates = selectors.readable_ids(fetched_by=request.user, ids=flagged) if flagged else set()
    return render(
        request,
        "appeals/index.html",
        {
            "page": page,
            "staff": staff,
            "view": view,
            "tabs": tabs,
            "title": dict(tabs).get(view, _("My appeals")),
            "now": timezone.now(),
            "soon": timezone.now() + timedelta(hours=24),
            "assign_choices": selectors.bulk_assignment_choices(fetched_by=request.user)
            if view == "queue"
            else [],
            "supported": selectors.supported_ids(fetched_by=request.user, appeals=list(page.object_list))
            if view == "neighbours"
            else set(),
            "can_file": is_neighbour.test(request.user) or staff,
            "visible_duplicates": visible_duplicates,
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


@role_required(is_caseworker | is_neighbour)
@require_http_methods(["GET", "POST"])
def appeal_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    places = list(_places(request))
    trees = selectors.category_trees_for(request.user)
    form = AppealForm(
        request.POST or None,
        request.FILES or None,
        places=places,
        staff=staff,
        categories=selectors.category_choices(subdistrict=None, trees=trees),
        initial={"client_key": uuid4().hex, "node": request.GET.get("node")},
    )
    similar: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        node = node_get(fetched_by=request.user, pk=data["node"])
        if not staff and not data["file_anyway"]:
            # A neighbour may have reported the same thing: offer to support theirs before filing again.
            similar = selectors.similar_public_appeals(
                fetched_by=request.user, node=node, title=data["title"], body=data["body"]
            )
        if not similar:
            # The appeal and its photos go in together: a bad photo leaves nothing behind.
            with service_call(request, form=form) as call, transaction.atomic():
                appeal, created = services.appeal_submit(
                    actor=request.user,
                    node=node,
                    category=services.category_for(
                        subdistrict=subdistrict_of(node), category_id=data.get("category"), trees=trees
                    ),
                    title=data["title"],
                    body=data["body"],
                    channel=data.get("channel") or Channel.WEB,
                    hidden_from_neighbours=data["hidden_from_neighbours"],
                    open_data=data.get("open_data", False),
                    client_key=data["client_key"],
                    lat=data.get("lat"),
                    lng=data.get("lng"),
                )
                if created:
                    for upload in data["photos"]:
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
            "similar": similar,
            "supported": selectors.supported_ids(fetched_by=request.user, appeals=[a for a, _ in similar]),
            "tiles": settings.GONGZHI_MAP_TILES,
            "place_points": _place_points(places),
        },
        status=400 if form.errors else 200,
    )


@login_required
def appeal_similar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Neighbours' open appeals like the one being typed (an htmx fragment under the form)."""
    title, body = request.GET.get("title", "")[:120], request.GET.get("body", "")[:5000]
    similar: list = []
    node_id = request.GET.get("node", "")
    if node_id.isdigit() and len(title + body) >= 4 and not is_caseworker.test(request.user):
        try:
            node = node_get(fetched_by=request.user, pk=int(node_id))
        except Http404:
            node = None
        if node is not None:
            similar = selectors.similar_public_appeals(
                fetched_by=request.user, node=node, title=title, body=body
            )
    supported = selectors.supported_ids(fetched_by=request.user, appeals=[a for a, _score in similar])
    return render(
        request, "appeals/_similar.html", {"similar": similar, "live": True, "supported": supported}
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


# The actions that have a form on the appeal's page (the others are taken elsewhere: closing by the sweep).
FORM_ACTIONS = frozenset(
    {
        "accept",
        "resolve",
        "assign",
        "propose",
        "hand_back",
        "send_back",
        "escalate",
        "request_info",
        "provide_info",
        "rate",
        "follow_up",
        "categorise",
        "merge",
        "comment",
        "close",
    }
)


def _detail_page(request: AuthenticatedHttpRequest, appeal, *, typed=None, status: int = 200) -> HttpResponse:
    """The appeal, its timeline and the actions open to the viewer; after a refused action, with what the
    viewer typed still in its form."""
    user = request.user
    handler = handles.test(user, appeal)
    assignee = is_assignee.test(user, appeal)
    actions = set(services.appeal_actions(user=user, appeal=appeal))
    subdistrict = subdistrict_of(appeal.node) if handler else None
    # The suggestion is worth showing when no category is set or the set one lies under another top level.
    show_suggestion = (
        handler
        and appeal.suggested_category_id is not None
        and not appeal.category_confirmed
        and (appeal.category is None or appeal.category.top.pk != appeal.suggested_category_id)
    )
    rating_until = appeal.resolved_at + rating_window() if appeal.resolved_at else None
    if "close" in actions and rating_until is not None and timezone.now() <= rating_until:
        actions.discard("close")  # staff close an unrated appeal only once the resident's time is over
    assign_choices = (
        selectors.assignment_choices(fetched_by=user, appeal=appeal) if "assign" in actions else []
    )
    if not assign_choices:
        actions.discard("assign")
    categories = (
        selectors.category_choices(subdistrict=subdistrict, trees=selectors.category_trees_for(user))
        if "categorise" in actions
        else []
    )
    photos = list(appeal.photos.all())
    return render(
        request,
        "appeals/detail.html",
        {
            "appeal": appeal,
            "events": selectors.appeal_timeline(fetched_by=user, appeal=appeal),
            "actions": actions,
            "shown_actions": actions & FORM_ACTIONS,
            # Other modules' buttons for this appeal (a council topic, mediation, an alliance need).
            "elsewhere": object_actions(user, appeal),
            "assign_choices": assign_choices,
            "handler": handler,
            "assignee": assignee,
            "staff": is_caseworker.test(user),
            "owner": is_filer.test(user, appeal),
            "contact": selectors.appeal_contact(appeal) if sees_contact.test(user, appeal) else None,
            "report_photos": [p for p in photos if p.kind == PhotoKind.REPORT],
            "evidence_photos": [p for p in photos if p.kind == PhotoKind.EVIDENCE],
            "can_add_photo": may_add_photo.test(user, appeal),
            "may_support": may_support.test(user, appeal),
            "supports": bool(selectors.supported_ids(fetched_by=user, appeals=[appeal])),
            "may_follow": services.may_follow(user, appeal),
            "follows": selectors.follows(fetched_by=user, appeal=appeal),
            "show_suggestion": show_suggestion,
            "tiles": settings.GONGZHI_MAP_TILES,
            "categories": categories,
            "duplicates": selectors.duplicate_candidates(fetched_by=user, appeal=appeal)
            if "merge" in actions
            else [],
            "max_photos": services.MAX_PHOTOS,
            "rating_until": rating_until,
            "asked": selectors.last_question(appeal) if "provide_info" in actions else None,
            "merged_into": selectors.readable(fetched_by=user, pk=appeal.merged_into_id),
            "typed": typed or {},
        },
        status=status,
    )


def _assignee_payload(request: AuthenticatedHttpRequest, appeal, value: str) -> dict:
    """ "unit:7" → the compound's party; "user:12" → a person (whether they work there, the service checks)."""
    kind, _sep, pk = value.partition(":")
    if kind == "unit":
        return {"assignee_unit": org_unit_get(fetched_by=request.user, pk=int(pk))}
    return {"assignee_user": user_for_assignment(pk=int(pk))}


@login_required
@require_POST
def appeal_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    form = ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_message(form) or _("Please check what you entered."))
        return _detail_page(request, appeal, typed=request.POST, status=400)
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "", [], False)}
    action = data.pop("action")
    photos = data.pop("photos", [])
    try:
        if "assignee_unit" in data:
            data["assignee_unit"] = org_unit_get(fetched_by=request.user, pk=data["assignee_unit"])
        if "assignee" in data:
            data.update(_assignee_payload(request, appeal, data.pop("assignee")))
        if "merge_into" in data:
            data["merge_into"] = selectors.appeal_get(fetched_by=request.user, pk=data["merge_into"])
    except Http404:
        messages.error(request, _("No such appeal, party or person in your area."))
        return _detail_page(request, appeal, typed=request.POST, status=400)
    if action == "follow_up":
        data["reached"] = bool(form.cleaned_data.get("reached"))
    # The step and its photos (evidence of the work, with a proposal or a resolution) go in together.
    with service_call(request, success=_("Done.")) as call, transaction.atomic():
        if "category" in data:
            data["category"] = services.category_for(
                subdistrict=subdistrict_of(appeal.node), category_id=data["category"]
            )
        moved = services.appeal_transition(actor=request.user, appeal=appeal, action=action, **data)
        for upload in photos if action in ("propose", "resolve") else []:
            services.appeal_photo_add(
                actor=request.user, appeal=moved, upload=upload, kind=PhotoKind.EVIDENCE
            )
    if call.ok:
        if selectors.readable(fetched_by=request.user, pk=pk) is None:
            # Handed back: no longer theirs to see; back to what is.
            return redirect(f"{reverse('appeals:index')}?view=assigned")
        return redirect("appeals:detail", pk=pk)
    # Refused: the page again, with the message and what was typed (a long reply is not lost).
    fresh = selectors.appeal_get(fetched_by=request.user, pk=pk)
    return _detail_page(request, fresh, typed=request.POST, status=400)


@login_required
@require_POST
def appeal_support(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add (or with ``on=0`` withdraw) the user's support for a neighbour's appeal."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    on = request.POST.get("on", "1") != "0"
    with service_call(request) as call:
        if on:
            services.appeal_support(actor=request.user, appeal=appeal)
        else:
            services.appeal_unsupport(actor=request.user, appeal=appeal)
    if call.ok:
        messages.success(
            request,
            _("Your support was added; you will hear how it goes.")
            if on
            else _("Your support was withdrawn."),
        )
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def appeal_follow(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    on = request.POST.get("on", "1") != "0"
    with service_call(request) as call:
        services.appeal_follow(actor=request.user, appeal=appeal, on=on)
    if call.ok:
        messages.success(
            request,
            _("You will hear how this appeal goes.") if on else _("You no longer follow this appeal."),
        )
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def appeal_contact_reveal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The filer's full phone (an htmx fragment in place of the masked one); each reveal is audited."""
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    try:
        phone = services.appeal_contact_reveal(actor=request.user, appeal=appeal, request=request)
    except AppealError as exc:
        return render(request, "appeals/_revealed.html", {"error": exc.message}, status=exc.status)
    return render(request, "appeals/_revealed.html", {"phone": phone})


@login_required
@require_POST
def appeal_photo_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, form_errors_message(form))
        return redirect("appeals:detail", pk=pk)
    worker = handles.test(request.user, appeal) or is_assignee.test(request.user, appeal)
    kind = PhotoKind.EVIDENCE if worker else PhotoKind.REPORT
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
    payload: dict = {}
    party = ""
    if action == "assign":
        kind, _sep, value = form.cleaned_data["assignee"].partition(":")
        if kind == "user":
            payload["assignee_user"] = user_for_assignment(pk=int(value))
        else:
            party = value  # each appeal to its own compound's property manager or owners' committee
    done, failed = 0, []
    for appeal in selectors.appeal_list(fetched_by=request.user).filter(pk__in=form.cleaned_data["ids"]):
        try:
            if party:
                payload = {"assignee_unit": selectors.compound_party(appeal=appeal, kind=party)}
            if action == "assign" and appeal.status == Status.SUBMITTED:
                # Handing on a new appeal takes it up first.
                appeal = services.appeal_transition(actor=request.user, appeal=appeal, action="accept")
            services.appeal_transition(actor=request.user, appeal=appeal, action=action, **payload)
            done += 1
        except AppealError as exc:
            failed.append(f"#{appeal.pk}: {exc.message}")
    if done:
        messages.success(request, _("%(n)s appeals done.") % {"n": done})
    for line in failed[:10]:
        messages.error(request, line)
    return redirect("appeals:index")
