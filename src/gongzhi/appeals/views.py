import dataclasses
from datetime import datetime, time, timedelta
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.appeals import kpis, selectors, services
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.forms import ActionForm, AppealForm
from gongzhi.appeals.models import Channel, PhotoKind
from gongzhi.appeals.rules import handles, is_filer
from gongzhi.appeals.spreadsheets import appeals_export
from gongzhi.appeals.workflow import TRANSITIONS
from gongzhi.core.audit import audit_record
from gongzhi.core.http import AuthenticatedHttpRequest, xlsx_response
from gongzhi.core.roles import CASEWORK_ROLES, OVERSIGHT_ROLES, Role
from gongzhi.core.scoping import has_role
from gongzhi.orgs.selectors import (
    colleagues_for_assignment,
    node_get,
    node_list,
    node_roots,
    org_unit_get,
    user_for_assignment,
)
from gongzhi.triage.selectors import duplicate_candidates
from gongzhi.triage.services import category_suggestion


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    if isinstance(exc, AppealError):
        return str(exc.message)
    return str(exc) or _("You cannot do this.")


@login_required
def appeal_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = has_role(request.user, CASEWORK_ROLES)
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
            "can_edit_categories": request.user.is_superuser
            or has_role(request.user, {Role.SUBDISTRICT_ADMIN}),
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
    staff = has_role(request.user, CASEWORK_ROLES)
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
        try:
            # The appeal and its photos go in together: a bad photo leaves nothing behind.
            with transaction.atomic():
                node = node_get(fetched_by=request.user, pk=data["node"])
                appeal, created = services.appeal_submit(
                    actor=request.user,
                    node=node,
                    category=services.category_for(
                        subdistrict=services.subdistrict_of(node), category_id=data.get("category")
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
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
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


@login_required
def appeal_suggest(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The suggested category for what staff are typing into the intake form (an htmx fragment)."""
    if not has_role(request.user, CASEWORK_ROLES):
        raise Http404
    title, body = request.GET.get("title", "")[:120], request.GET.get("body", "")[:5000]
    roots = node_roots(fetched_by=request.user)
    category, confidence = (
        category_suggestion(title=title, body=body, subdistrict=services.subdistrict_of(roots[0]))
        if roots and (title or body)
        else (None, None)
    )
    return render(request, "appeals/_suggestion.html", {"category": category, "confidence": confidence})


@login_required
def appeal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    handler = handles(request.user, appeal)
    owner = is_filer(request.user, appeal)
    actions = {
        name
        for name, t in TRANSITIONS.items()
        if appeal.status in t.sources and ((t.by == "resident" and owner) or (t.by != "resident" and handler))
    }
    units = list(appeal.node.org_units.all()) if handler else []
    subdistrict = services.subdistrict_of(appeal.node) if handler else None
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
            "units": units,
            "handler": handler,
            "owner": owner,
            "photos": list(appeal.photos.all()),
            "can_add_photo": (owner or handler) and (appeal.is_open or appeal.status == "resolved"),
            "show_suggestion": show_suggestion,
            "tiles": settings.GONGZHI_MAP_TILES,
            "categories": selectors.category_choices(subdistrict=subdistrict)
            if "categorise" in actions
            else [],
            "duplicates": duplicate_candidates(fetched_by=request.user, appeal=appeal)
            if "merge" in actions
            else [],
        },
    )


@login_required
@require_POST
def appeal_act(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check what you entered."))
        return redirect("appeals:detail", pk=pk)
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    action = data.pop("action")
    try:
        if "assignee_unit" in data:
            data["assignee_unit"] = org_unit_get(fetched_by=request.user, pk=data["assignee_unit"])
        if "merge_into" in data:
            data["merge_into"] = selectors.appeal_get(fetched_by=request.user, pk=data["merge_into"])
        if "category" in data:
            data["category"] = services.category_for(
                subdistrict=services.subdistrict_of(appeal.node), category_id=data["category"]
            )
        services.appeal_transition(actor=request.user, appeal=appeal, action=action, **data)
    except Http404:
        messages.error(request, _("No such appeal in your area."))
    except (ValidationError, PermissionDenied, AppealError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("appeals:detail", pk=pk)


@login_required
@require_POST
def appeal_photo_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = selectors.appeal_get(fetched_by=request.user, pk=pk)
    handler = handles(request.user, appeal)
    upload = request.FILES.get("photo")
    if upload is None:
        messages.error(request, _("Choose a photo."))
        return redirect("appeals:detail", pk=pk)
    try:
        kind = PhotoKind.EVIDENCE if handler else PhotoKind.REPORT
        services.appeal_photo_add(actor=request.user, appeal=appeal, upload=upload, kind=kind)
    except (ValidationError, PermissionDenied, AppealError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Done."))
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
def appeal_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, CASEWORK_ROLES):
        raise Http404
    appeals = selectors.appeal_list(fetched_by=request.user, status=request.GET.get("status") or None)
    audit_record(actor=request.user, action="appeal.export", target=request.user, rows=appeals.count())
    return xlsx_response(appeals_export(appeals=appeals), "appeals.xlsx")


@login_required
def appeal_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open appeals in the user's reach on a map (GCJ-02 tiles, so stored coordinates need no conversion)."""
    if not has_role(request.user, CASEWORK_ROLES):
        raise Http404
    now, soon = timezone.now(), timezone.now() + timedelta(hours=24)
    points = []
    for a in selectors.appeal_list(fetched_by=request.user, status="open").select_related("node")[:2000]:
        lat, lng = (a.lat, a.lng) if a.lat is not None else (a.node.lat, a.node.lng)
        if lat is None or lng is None:
            continue
        due = a.accept_due if a.status == "submitted" else a.resolve_due
        state = "late" if due and due < now else "soon" if due and due < soon else "ok"
        points.append(
            {
                "id": a.pk,
                "lat": lat,
                "lng": lng,
                "title": a.title,
                "place": a.node.name,
                "state": state,
                "status": str(a.get_status_display()),
            }
        )
    return render(request, "appeals/map.html", {"points": points, "tiles": settings.GONGZHI_MAP_TILES})


@login_required
@require_POST
def appeal_bulk(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Accept, or assign to one person, several appeals from the queue; each goes through the workflow."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:200]
    action = request.POST.get("action")
    if action not in ("accept", "assign") or not ids:
        messages.error(request, _("Choose appeals and what to do with them."))
        return redirect("appeals:index")
    payload = {}
    if action == "assign":
        assignee = request.POST.get("assignee", "")
        if not assignee.isdigit():
            messages.error(request, _("Choose who to assign them to."))
            return redirect("appeals:index")
        payload["assignee_user"] = user_for_assignment(pk=int(assignee))
    done, failed = 0, []
    for appeal in selectors.appeal_list(fetched_by=request.user).filter(pk__in=ids):
        try:
            services.appeal_transition(actor=request.user, appeal=appeal, action=action, **payload)
            done += 1
        except (ValidationError, PermissionDenied, AppealError) as exc:
            failed.append(f"#{appeal.pk}: {_error_text(exc)}")
    if done:
        messages.success(request, _("%(n)s appeals done.") % {"n": done})
    for line in failed[:10]:
        messages.error(request, line)
    return redirect("appeals:index")


@login_required
def appeal_kpis_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, OVERSIGHT_ROLES):
        raise Http404
    roots = node_roots(fetched_by=request.user)
    node = (
        node_get(fetched_by=request.user, pk=int(request.GET["node"]))
        if request.GET.get("node", "").isdigit()
        else (roots[0] if roots else None)
    )
    if node is None:
        raise Http404
    days = 365 if request.GET.get("days") not in ("30", "90") else int(request.GET["days"])
    tz = timezone.get_current_timezone()
    end = datetime.combine(timezone.localdate() + timedelta(days=1), time.min, tzinfo=tz)
    result = kpis.appeal_kpis(
        fetched_by=request.user,
        node=node,
        start=end - timedelta(days=days),
        end=end,
        group_by="node" if node.kind != "building" else None,
    )
    column = KPI_COLUMNS.get(request.GET.get("sort", ""))
    if column is not None:
        known = [g for g in result["groups"] if g[column.field] is not None]
        known.sort(key=lambda g: g[column.field], reverse=column.most_first)
        result["groups"] = known + [g for g in result["groups"] if g[column.field] is None]
    return render(
        request,
        "appeals/kpis.html",
        {
            "node": node,
            "kpi": result,
            "days": days,
            "roots": roots,
            "columns": KPI_COLUMNS,
            "sort": column.key if column else "",
        },
    )


@dataclasses.dataclass(frozen=True)
class KpiColumn:
    key: str
    field: str
    label: str | Promise
    most_first: bool  # counts: most first; rates: lowest first (where to look)
    css: str = "num"


KPI_COLUMNS = {
    c.key: c
    for c in (
        KpiColumn("collected", "collected", gettext_lazy("Collected"), True),
        KpiColumn("resolved", "resolved", gettext_lazy("Resolved"), True),
        KpiColumn(
            "satisfaction", "satisfaction_rate", gettext_lazy("Satisfaction rate"), False, "num hide-sm"
        ),
        KpiColumn("score", "composite_score", gettext_lazy("Composite score"), False),
    )
}


@login_required
@require_http_methods(["GET", "POST"])
def appeal_categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A subdistrict's own categories: added under the shared tree, retired or brought back."""
    subdistricts = selectors.editable_subdistricts(fetched_by=request.user)
    if not subdistricts:
        raise Http404
    chosen = request.GET.get("node") or request.POST.get("node") or ""
    subdistrict = next((n for n in subdistricts if str(n.pk) == chosen), subdistricts[0])
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                parent_id = request.POST.get("parent") or ""
                parent = (
                    services.category_for(subdistrict=subdistrict, category_id=int(parent_id))
                    if parent_id.isdigit()
                    else None
                )
                added = services.category_add(
                    actor=request.user,
                    subdistrict=subdistrict,
                    parent=parent,
                    name=request.POST.get("name", ""),
                )
                messages.success(request, _("Added “%(name)s”.") % {"name": added.name})
            elif action in ("retire", "restore"):
                category = selectors.own_category_get(
                    subdistrict=subdistrict, pk=int(request.POST.get("category") or 0)
                )
                services.category_set_active(
                    actor=request.user, category=category, active=action == "restore"
                )
                messages.success(request, _("Done."))
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
            status = 400
        else:
            return redirect(f"{request.path}?node={subdistrict.pk}")
    return render(
        request,
        "appeals/categories.html",
        {
            "subdistrict": subdistrict,
            "subdistricts": subdistricts,
            "tree": selectors.category_choices(subdistrict=subdistrict),
            "own": selectors.own_categories(subdistrict=subdistrict),
        },
        status=status,
    )
