"""The staff's wider views of appeals: the map, the Excel export, the figures (KPIs), hot issues, and a
subdistrict's own categories."""

import dataclasses
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.appeals import kpis, selectors, services
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.forms import CategoryForm, PeriodForm, PlaceForm
from gongzhi.appeals.spreadsheets import appeals_export_with
from gongzhi.core.http import xlsx_response
from gongzhi.core.registry import object_actions
from gongzhi.core.rules import is_caseworker, is_neighbour, is_overseer
from gongzhi.core.web import form_errors_message, role_required, service_call
from gongzhi.orgs.selectors import node_get, node_or_first_root, node_roots


@role_required(is_caseworker)
def appeal_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The appeals in the user's reach to Excel; with ``contact=1`` the filers' names and masked phones,
    with ``reveal=1`` their full numbers (staff who may reveal them; recorded in the audit log)."""
    appeals = selectors.appeal_list(fetched_by=request.user, status=request.GET.get("status") or None)
    contact = request.GET.get("contact") == "1" or request.GET.get("reveal") == "1"
    reveal = request.GET.get("reveal") == "1"
    with service_call(request) as call:
        content = appeals_export_with(actor=request.user, appeals=appeals, contact=contact, reveal=reveal)
    if not call.ok:
        return redirect("appeals:index")
    return xlsx_response(content, "appeals.xlsx")


@role_required(is_caseworker | is_neighbour)
def appeal_map(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open appeals on a map (GCJ-02 tiles, so stored coordinates need no conversion): for staff those in
    their reach, by how close they are to their deadline; for residents those of their compound that are
    open to neighbours, with how many support each."""
    staff = is_caseworker.test(request.user)
    now, soon = timezone.now(), timezone.now() + timedelta(hours=24)
    appeals = (
        selectors.appeal_list(fetched_by=request.user, status="open")
        if staff
        else selectors.public_appeals(fetched_by=request.user, status="open")
    )
    points = []
    for a in appeals.select_related("node")[:2000]:
        lat, lng = (a.lat, a.lng) if a.lat is not None else (a.node.lat, a.node.lng)
        if lat is None or lng is None:
            continue
        if staff:
            due = a.accept_due if a.status == "submitted" else a.resolve_due
            state = "late" if due and due < now else "soon" if due and due < soon else "ok"
            status = str(a.get_status_display())
        else:
            state = "ok"
            status = ngettext(
                "%(status)s · %(n)s neighbour supports it",
                "%(status)s · %(n)s neighbours support it",
                a.support_up,
            ) % {"status": a.get_status_display(), "n": a.support_up}
        points.append(
            {
                "id": a.pk,
                "lat": lat,
                "lng": lng,
                "title": a.title,
                "place": a.node.name,
                "state": state,
                "status": status,
            }
        )
    return render(
        request, "appeals/map.html", {"points": points, "tiles": settings.GONGZHI_MAP_TILES, "staff": staff}
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


def _period_end() -> datetime:
    return datetime.combine(
        timezone.localdate() + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
    )


@role_required(is_overseer)
def appeal_kpis_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    period = PeriodForm(request.GET, periods=(30, 90, 365))
    period.is_valid()  # anything unreadable falls back to the defaults below
    choice = period.cleaned_data
    roots = node_roots(fetched_by=request.user)
    node = (
        node_get(fetched_by=request.user, pk=choice["node"])
        if choice.get("node")
        else (roots[0] if roots else None)
    )
    if node is None:
        raise Http404
    days = choice.get("days") or 365
    end = _period_end()
    result = kpis.appeal_kpis(
        fetched_by=request.user,
        node=node,
        start=end - timedelta(days=days),
        end=end,
        group_by="node" if node.kind != "building" else None,
    )
    column = KPI_COLUMNS.get(choice.get("sort") or "")
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


HOT_PERIODS = (7, 30, 90)


@role_required(is_overseer)
def hot_issues_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Hot issues of a node's subtree over the last 7, 30 or 90 days, for staff and viewers."""
    period = PeriodForm(request.GET, periods=HOT_PERIODS)
    period.is_valid()
    choice = period.cleaned_data
    node = node_or_first_root(fetched_by=request.user, pk=choice.get("node"))
    days = choice.get("days") or 30
    end = _period_end()
    issues = selectors.hot_issues_for(
        fetched_by=request.user, node=node, start=end - timedelta(days=days), end=end
    )
    can_open = is_caseworker.test(request.user)
    # Other modules' buttons for an issue (e.g. "make it a need"), given by the appeal that stands for it.
    elsewhere: list[list[dict[str, Any]]] = [[] for _issue in issues]
    if can_open and issues:
        typical = [next((i for i, t in h.pairs if t == h.title), h.appeal_ids[0]) for h in issues]
        found = selectors.appeals_by_id(fetched_by=request.user, ids=typical)
        elsewhere = [
            object_actions(request.user, found[pk], model="appeals.hot_issue") if pk in found else []
            for pk in typical
        ]
    return render(
        request,
        "appeals/hot.html",
        {
            "node": node,
            "issues": list(zip(issues, elsewhere, strict=True)),
            "days": days,
            "periods": HOT_PERIODS,
            "can_open": can_open,
        },
    )


def _edits_categories(user) -> bool:
    return bool(selectors.editable_subdistricts(fetched_by=user))


@role_required(_edits_categories)
@require_http_methods(["GET", "POST"])
def appeal_categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A subdistrict's own categories: added under the shared tree, retired or brought back."""
    subdistricts = selectors.editable_subdistricts(fetched_by=request.user)
    form = CategoryForm(request.POST or None)
    chosen = PlaceForm(request.GET)
    chosen.is_valid()
    wanted = (form.data.get("node") if form.is_bound else None) or chosen.cleaned_data.get("node")
    subdistrict = next((n for n in subdistricts if str(n.pk) == str(wanted)), subdistricts[0])
    status = 200
    if request.method == "POST":
        with service_call(request) as call:
            if not form.is_valid():
                raise AppealError.invalid(form_errors_message(form))
            data = form.cleaned_data
            if data["action"] == "add":
                parent = (
                    services.category_for(subdistrict=subdistrict, category_id=data["parent"])
                    if data.get("parent")
                    else None
                )
                added = services.category_add(
                    actor=request.user, subdistrict=subdistrict, parent=parent, name=data.get("name") or ""
                )
                call.success = _("Added “%(name)s”.") % {"name": added.name}
            else:
                category = selectors.own_category_get(subdistrict=subdistrict, pk=data.get("category") or 0)
                services.category_set_active(
                    actor=request.user, category=category, active=data["action"] == "restore"
                )
                call.success = _("Done.")
        if call.ok:
            return redirect(f"{request.path}?node={subdistrict.pk}")
        status = 400
    return render(
        request,
        "appeals/categories.html",
        {
            "subdistrict": subdistrict,
            "subdistricts": subdistricts,
            "form": form,
            "tree": selectors.category_choices(subdistrict=subdistrict),
            "own": selectors.own_categories(subdistrict=subdistrict),
        },
        status=status,
    )
