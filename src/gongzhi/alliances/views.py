"""Pages of the alliances: the project board (residents: projects near me; units: my claims; staff: by state
and category), a project's public page with its steps, an alliance's page, the lists, the matching board
side by side, donations, and the three lists as one workbook."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.alliances import links, selectors, services
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.forms import (
    AgreementForm,
    MallOfferForm,
    NeedForm,
    PledgeForm,
    PledgePlaceForm,
    ProjectActivityForm,
    ProjectStepForm,
    RatingForm,
    ResourceForm,
    TransferForm,
    TransferReplyForm,
    UnitAccountForm,
)
from gongzhi.alliances.models import Category, DriveKind, ProjectStatus
from gongzhi.alliances.projects import project_actions
from gongzhi.alliances.rules import is_unit_account, may_rate, unit_ids
from gongzhi.alliances.spreadsheets import three_lists_export
from gongzhi.appeals.selectors import appeal_get
from gongzhi.core.pagination import page_by_ids
from gongzhi.core.rules import is_caseworker, staff_at
from gongzhi.core.web import form_errors_message, role_required, service_call
from gongzhi.ledger.selectors import mall_item_get
from gongzhi.orgs.selectors import node_get
from gongzhi.volunteering.selectors import activity_get
from gongzhi.wishes.selectors import wish_get

BOARD_STATES = [
    ProjectStatus.OPEN,
    ProjectStatus.CLAIMED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.DONE,
    ProjectStatus.EVALUATED,
]


def _board_chart(rows: list[Any]) -> dict[str, Any] | None:
    """Projects on the board per category, one series per state (ECharts, stacked bars)."""
    if not rows:
        return None
    names = sorted({p.category.name if p.category else str(_("No category")) for p in rows})
    series = []
    for state in BOARD_STATES:
        counts = dict.fromkeys(names, 0)
        for p in rows:
            if p.status == state:
                counts[p.category.name if p.category else str(_("No category"))] += 1
        series.append({"name": str(state.label), "data": [counts[n] for n in names]})
    return {"categories": names, "series": series}


def _digits(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 19 else None


def _need_initial(request: AuthenticatedHttpRequest, places: list[Any]) -> dict[str, Any] | None:
    """The need form filled in from an appeal's, a hot issue's or a wish's button: its number and place."""
    appeal_id, hot_id, wish_id = (_digits(request.GET.get(k, "")) for k in ("appeal", "hot", "wish"))
    initial: dict[str, Any] = {}
    try:
        if appeal_id or hot_id:
            appeal = appeal_get(fetched_by=request.user, pk=appeal_id or hot_id or 0)
            initial = {"appeal": appeal.pk, "hot": bool(hot_id), "title": appeal.title[:60]}
            node = appeal.node.get_parent() if appeal.node.kind == "building" else appeal.node
        elif wish_id:
            wish = wish_get(fetched_by=request.user, pk=wish_id)
            initial = {"wish": wish.pk, "title": wish.title[:60]}
            node = wish.node
        else:
            return None
    except Http404:
        return None
    if any(p.pk == node.pk for p in places):
        initial["node"] = node.pk
    return initial


@login_required
def project_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    unit = is_unit_account.test(request.user)
    view = request.GET.get("view", "board" if staff else ("mine" if unit else "near"))
    # The board's filters: a category of the user's subdistrict(s), and a state (the unit home's link).
    categories = list(selectors.category_choices(fetched_by=request.user))
    chosen = request.GET.get("category", "")
    category = int(chosen) if chosen.isascii() and chosen.isdigit() and len(chosen) < 10 else None
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    projects = selectors.project_list(
        fetched_by=request.user,
        mine=view == "mine",
        q=request.GET.get("q", ""),
        category=category,
        status=status,
    )
    rows = page_by_ids(projects, 0, 300)
    columns = []
    if view == "board":
        for state in ([ProjectStatus.DRAFT] if staff else []) + BOARD_STATES:
            columns.append((state, [p for p in rows if p.status == state]))
    return render(
        request,
        "alliances/board.html",
        {
            "view": view,
            "staff": staff,
            "unit": unit,
            "projects": rows,
            "columns": columns,
            "alliances": list(selectors.alliance_list(fetched_by=request.user)[:20]),
            "categories": categories,
            "category": category,
            "status": status,
            "chart": _board_chart(rows) if view == "board" else None,
        },
    )


def _project_page(
    request: AuthenticatedHttpRequest, project, *, status: int = 200, typed=None, activity_form=None
) -> HttpResponse:
    manageable = selectors.project_manageable(request.user, project)
    return render(
        request,
        "alliances/project.html",
        {
            "project": project,
            "actions": set(project_actions(user=request.user, project=project)),
            "milestones": list(project.milestones.all()),
            "my_units": list(selectors.my_units(fetched_by=request.user)),
            "ratings": selectors.project_ratings(project),
            "my_rating": selectors.my_rating(project, request.user),
            "may_rate": may_rate.test(request.user, project) and project.status in ("done", "evaluated"),
            "rating_form": RatingForm(typed) if typed else RatingForm(),
            "manageable": manageable,
            "match": project.match,
            "activities": links.project_activity_hours(project),
            "activity_form": activity_form or (ProjectActivityForm() if manageable else None),
        },
        status=status,
    )


@login_required
def project_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    project = selectors.project_get(fetched_by=request.user, pk=pk)
    if request.method != "POST":
        return _project_page(request, project)
    if "rating" in request.POST:
        form = RatingForm(request.POST)
        with service_call(request, success=_("Thank you for your rating.")) as call:
            if not form.is_valid():
                raise AllianceError.invalid(form_errors_message(form))
            services.project_rate(
                actor=request.user,
                project=project,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
            )
    else:
        step = ProjectStepForm(request.POST)
        with service_call(request, success=_("Done.")) as call:
            if not step.is_valid():
                raise AllianceError.invalid(form_errors_message(step))
            data = step.cleaned_data
            if data["action"] == "milestone":
                milestone = project.milestones.filter(pk=data["milestone"] or 0).first()
                if milestone is None:
                    raise AllianceError.not_found()
                services.milestone_done(actor=request.user, milestone=milestone)
            else:
                unit = selectors.unit_get(fetched_by=request.user, pk=data["unit"]) if data["unit"] else None
                services.project_transition(
                    actor=request.user, project=project, action=data["action"], note=data["note"], unit=unit
                )
    if call.ok:
        return redirect("alliances:project", pk=pk)
    return _project_page(
        request,
        selectors.project_get(fetched_by=request.user, pk=pk),
        status=400,
        typed=request.POST if "rating" in request.POST else None,
    )


@login_required
def alliance_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alliance = selectors.alliance_get(fetched_by=request.user, pk=pk)
    units = list(selectors.unit_list(fetched_by=request.user, alliance=alliance)[:200])
    staff = staff_at.test(request.user, alliance.node)
    form = AgreementForm(units=units) if staff else None
    status = 200
    if request.method == "POST" and staff:
        form = AgreementForm(request.POST, request.FILES, units=units)
        if form.is_valid():
            d = form.cleaned_data
            with service_call(request, form=form, success=_("The agreement is recorded.")) as call:
                services.agreement_add(
                    actor=request.user,
                    alliance=alliance,
                    unit=selectors.unit_get(fetched_by=request.user, pk=d["unit"]),
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    content=d["content"],
                    document=d["document"],
                )
            if call.ok:
                return redirect("alliances:alliance", pk=pk)
        status = 400
    return render(
        request,
        "alliances/alliance.html",
        {
            "alliance": alliance,
            "figures": selectors.alliance_figures(alliance),
            "units": units,
            "projects": list(selectors.project_list(fetched_by=request.user).filter(alliance=alliance)[:100]),
            "circles": list(alliance.children.all()[:50]),
            "agreements": list(selectors.agreement_list(fetched_by=request.user, alliance=alliance)[:200]),
            "agreement_form": form,
            "venues": selectors.alliance_venues(alliance),
            "mall_form": MallOfferForm(units=units) if staff and units else None,
        },
        status=status,
    )


@login_required
def agreement_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The signed agreement, for those who may read the agreement."""
    agreement = selectors.agreement_get(fetched_by=request.user, pk=pk)
    if not agreement.document:
        raise Http404
    return FileResponse(agreement.document.open("rb"), as_attachment=True)


@login_required
def lists(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff = is_caseworker.test(request.user)
    unit = is_unit_account.test(request.user)
    if not staff and not unit:
        raise AllianceError.not_found()
    tab = request.GET.get("tab", "resources" if unit and not staff else "needs")
    search: dict[str, Any] = {
        "category": request.GET.get("category", "")[:12],
        "q": request.GET.get("q", "")[:40],
    }
    places = selectors.need_places(fetched_by=request.user) if staff else []
    units = list(selectors.my_units(fetched_by=request.user)) if unit else []
    need_form = NeedForm(
        request.POST if request.POST.get("form") == "need" else None,
        places=places,
        initial=_need_initial(request, places),
    )
    resource_form = ResourceForm(
        request.POST if request.POST.get("form") == "resource" else None, units=units
    )
    if request.method == "POST":
        if request.POST.get("form") == "need" and need_form.is_valid():
            d = need_form.cleaned_data
            with service_call(request, form=need_form, success=_("The need is on the list.")) as call:
                node = node_get(fetched_by=request.user, pk=d["node"])
                if d["appeal"]:
                    services.need_from_appeal(
                        actor=request.user,
                        appeal=appeal_get(fetched_by=request.user, pk=d["appeal"]),
                        category=d["category"],
                        quantity_kind=d["quantity_kind"],
                        quantity=d["quantity"],
                        urgency=d["urgency"],
                        hot=bool(d["hot"]),
                    )
                elif d["wish"]:
                    links.need_from_wish(
                        actor=request.user,
                        wish=wish_get(fetched_by=request.user, pk=d["wish"]),
                        category=d["category"],
                        quantity_kind=d["quantity_kind"],
                        quantity=d["quantity"],
                        urgency=d["urgency"],
                    )
                else:
                    services.need_post(
                        actor=request.user,
                        node=node,
                        category=d["category"],
                        title=d["title"],
                        description=d["description"],
                        beneficiaries=d["beneficiaries"],
                        urgency=d["urgency"],
                        quantity_kind=d["quantity_kind"],
                        quantity=d["quantity"],
                    )
            if call.ok:
                return redirect("alliances:lists")
        elif request.POST.get("form") == "resource" and resource_form.is_valid():
            d = resource_form.cleaned_data
            with service_call(request, form=resource_form, success=_("The resource is on the list.")) as call:
                services.resource_post(
                    actor=request.user,
                    unit=selectors.unit_get(fetched_by=request.user, pk=d["unit"]),
                    category=d["category"],
                    title=d["title"],
                    description=d["description"],
                    capacity_kind=d["capacity_kind"],
                    capacity=d["capacity"],
                    radius_km=d["radius_km"],
                    available_from=d["available_from"],
                    available_until=d["available_until"],
                )
            if call.ok:
                return redirect(f"{request.path}?tab=resources")
        tab = "resources" if request.POST.get("form") == "resource" else "needs"
    return render(
        request,
        "alliances/lists.html",
        {
            "tab": tab,
            "staff": staff,
            "unit": unit,
            "categories": Category.choices,
            "search": search,
            "needs": page_by_ids(selectors.need_list(fetched_by=request.user, **search), 0, 200),
            "resources": page_by_ids(selectors.resource_list(fetched_by=request.user, **search), 0, 200),
            "need_form": need_form,
            "resource_form": resource_form,
            "places": places,
            "units": units,
        },
        status=400 if need_form.errors or resource_form.errors else 200,
    )


@role_required(is_caseworker)
def matching_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    subdistricts = selectors.subdistricts_in_reach(fetched_by=request.user)
    if request.method == "POST":
        with service_call(request) as call:
            node = node_get(fetched_by=request.user, pk=int(request.POST.get("node") or 0))
            rnd = services.round_propose(actor=request.user, subdistrict=node)
        if call.ok:
            messages.success(
                request,
                _("Round done: %(n)d needs, %(r)d resources; optimum %(o)s, greedy %(g)s.")
                % {"n": rnd.needs, "r": rnd.resources, "o": rnd.optimum, "g": rnd.greedy},
            )
        return redirect("alliances:matching")
    needs = list(selectors.need_list(fetched_by=request.user, status="open")[:100])
    chosen = None
    candidates = []
    need_id = request.GET.get("need", "")
    if need_id.isascii() and need_id.isdigit():
        chosen = selectors.need_get(fetched_by=request.user, pk=int(need_id))
        with service_call(request):
            candidates = services.need_candidates(fetched_by=request.user, need=chosen)
    return render(
        request,
        "alliances/matching.html",
        {
            "needs": needs,
            "chosen": chosen,
            "candidates": candidates,
            "subdistricts": subdistricts,
            "proposals": list(selectors.match_list(fetched_by=request.user)[:100]),
            "round": selectors.latest_round(fetched_by=request.user),
        },
    )


@role_required(is_caseworker)
@require_POST
def match_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from gongzhi.alliances.matching import match_propose

    action = request.POST.get("action", "")
    if action == "choose":  # a candidate chosen by hand from the ranking: proposed, then accepted
        need = selectors.need_get(fetched_by=request.user, pk=pk)
        with service_call(request, success=_("Accepted: the project is open for the unit to claim.")) as call:
            resource = selectors.resource_get(
                fetched_by=request.user, pk=int(request.POST.get("resource") or 0)
            )
            match = match_propose(actor=request.user, need=need, resource=resource)
            project = services.match_accept(actor=request.user, match=match)
        return redirect("alliances:project", pk=project.pk) if call.ok else redirect("alliances:matching")
    match = selectors.match_get(fetched_by=request.user, pk=pk)
    if action == "accept":
        with service_call(request, success=_("Accepted: the project is open for the unit to claim.")) as call:
            project = services.match_accept(actor=request.user, match=match)
        if call.ok:
            return redirect("alliances:project", pk=project.pk)
    else:
        with service_call(request, success=_("Rejected.")):
            services.match_reject(actor=request.user, match=match, note=request.POST.get("note", ""))
    return redirect("alliances:matching")


@login_required
def donations(request: AuthenticatedHttpRequest) -> HttpResponse:
    drives = list(selectors.drive_list(fetched_by=request.user)[:200])
    return render(
        request,
        "alliances/donations.html",
        {"drives": drives, "totals": selectors.donation_totals(drives)},
    )


@login_required
def drive_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A drive's pledges and receipts: units (their accounts, or staff for them) pledge; staff confirm what
    arrived and where it went."""
    drive = selectors.drive_get(fetched_by=request.user, pk=pk)
    staff = staff_at.test(request.user, drive.node)
    if staff:
        units = list(
            selectors.unit_list(fetched_by=request.user).filter(node__path__startswith=drive.node.path[:8])[
                :300
            ]
        )
    else:
        units = list(selectors.my_units(fetched_by=request.user))
    form = PledgeForm(units=units) if units else None
    place_form = _place_form(request, drive) if staff and drive.kind == DriveKind.IN_KIND else None
    status = 200
    if request.method == "POST" and request.POST.get("form") == "place" and place_form is not None:
        place_form = _place_form(request, drive, request.POST)
        with service_call(request, success=_("Where the goods went is recorded.")) as call:
            if not place_form.is_valid():
                raise AllianceError.invalid(form_errors_message(place_form), field="destination")
            kind, target = place_form.destination()
            links.pledge_place(
                actor=request.user,
                pledge=selectors.pledge_get(fetched_by=request.user, pk=place_form.cleaned_data["pledge"]),
                node=node_get(fetched_by=request.user, pk=target) if kind == "node" else None,
                activity=activity_get(fetched_by=request.user, pk=target) if kind == "activity" else None,
                mall_item=mall_item_get(fetched_by=request.user, pk=target) if kind == "item" else None,
            )
        if call.ok:
            return redirect("alliances:drive", pk=pk)
        status = 400
    elif request.method == "POST" and request.POST.get("form") == "receive" and staff:
        pledge_id = request.POST.get("pledge", "")
        if pledge_id.isascii() and pledge_id.isdigit() and len(pledge_id) < 12:
            pledge = selectors.pledge_get(fetched_by=request.user, pk=int(pledge_id))
            with service_call(request, success=_("The receipt is recorded.")) as call:
                services.pledge_receive(
                    actor=request.user, pledge=pledge, destination=request.POST.get("destination", "")[:80]
                )
            if call.ok:
                return redirect("alliances:drive", pk=pk)
        status = 400
    elif request.method == "POST" and units:
        form = PledgeForm(request.POST, units=units)
        if form.is_valid():
            d = form.cleaned_data
            with service_call(request, form=form, success=_("The pledge is recorded.")) as call:
                services.pledge_make(
                    actor=request.user,
                    drive=drive,
                    unit=selectors.unit_get(fetched_by=request.user, pk=d["unit"]),
                    amount=d["amount"],
                    item=d["item"],
                    quantity=d["quantity"] or 0,
                    destination=d["destination"],
                )
            if call.ok:
                return redirect("alliances:drive", pk=pk)
        status = 400
    pledges = list(selectors.pledge_list(fetched_by=request.user, drive=drive).order_by("-id")[:500])
    return render(
        request,
        "alliances/drive.html",
        {
            "drive": drive,
            "pledges": pledges,
            "pledged": sum(p.amount for p in pledges),
            "received": sum(p.amount for p in pledges if p.status == "received"),
            "form": form,
            "staff": staff,
            "place_form": place_form,
        },
        status=status,
    )


def _place_form(request: AuthenticatedHttpRequest, drive: Any, data: Any = None) -> PledgePlaceForm:
    """Where a drive's goods may go: the compounds and communities of its subdistrict in the user's reach,
    the volunteering activities to come there, and the mall items there the user manages."""
    from gongzhi.ledger.selectors import mall_items_managed
    from gongzhi.volunteering.selectors import activities_upcoming

    reach = drive.node.path[:8]
    return PledgePlaceForm(
        data,
        auto_id=False,
        places=[p for p in selectors.need_places(fetched_by=request.user) if p.path.startswith(reach)],
        activities=list(
            activities_upcoming(fetched_by=request.user).filter(node__path__startswith=reach)[:50]
        ),
        items=list(mall_items_managed(fetched_by=request.user).filter(node__path__startswith=reach)[:100]),
    )


@login_required
def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A unit's page: who it is, its alliances, open resources, projects and mall items; for its
    subdistrict's staff also the accounts acting for it, and a form to add one."""
    unit = selectors.unit_get(fetched_by=request.user, pk=pk)
    staff = staff_at.test(request.user, unit.node)
    form = UnitAccountForm(request.POST if request.method == "POST" else None) if staff else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        with service_call(
            request, form=form, success=_("The account is ready: it signs in with a code.")
        ) as call:
            if not form.is_valid():
                raise AllianceError.invalid(form_errors_message(form))
            services.unit_account_create(
                actor=request.user,
                unit=unit,
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
            )
        if call.ok:
            return redirect("alliances:unit", pk=pk)
        status = 400
    items = links.unit_mall_items(unit)
    return render(
        request,
        "alliances/unit.html",
        {
            "unit": unit,
            "staff": staff,
            "alliances": [
                m.alliance for m in unit.memberships.select_related("alliance").order_by("id")[:50]
            ],
            "resources": list(
                selectors.resource_list(fetched_by=request.user, status="open").filter(unit=unit)[:50]
            ),
            "projects": list(selectors.project_list(fetched_by=request.user).filter(units__unit=unit)[:50]),
            "items": items
            if links.sees_unit_offers(request.user, unit)
            else [i for i in items if i.is_active],
            "accounts": services.unit_accounts(unit) if staff else [],
            "form": form,
        },
        status=status,
    )


@role_required(is_caseworker)
def export(request: AuthenticatedHttpRequest) -> HttpResponse:
    content = three_lists_export(actor=request.user)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="three-lists.xlsx"'
    return response


# --- links to the other modules ---------------------------------------------------------------------------


@role_required(is_caseworker)
def need_of(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The need an appeal (or hot issue) or a wish became: its place on the matching board."""
    appeal_id, wish_id = _digits(request.GET.get("appeal", "")), _digits(request.GET.get("wish", ""))
    if appeal_id:
        need = links.need_of(
            fetched_by=request.user, appeal=appeal_get(fetched_by=request.user, pk=appeal_id)
        )
    elif wish_id:
        need = links.need_of(fetched_by=request.user, wish=wish_get(fetched_by=request.user, pk=wish_id))
    else:
        need = None
    if need is None:
        raise Http404
    return redirect(f"{reverse('alliances:matching')}?need={need.pk}")


@role_required(is_caseworker)
def transfer_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Transfer an appeal to a co-building unit of its subdistrict (the appeal page's button)."""
    appeal_id = _digits(request.GET.get("appeal", "") or request.POST.get("appeal", ""))
    if appeal_id is None:
        raise Http404
    appeal = appeal_get(fetched_by=request.user, pk=appeal_id)
    units = list(
        selectors.unit_list(fetched_by=request.user).filter(node__path=appeal.node.path[: 4 * 2])[:300]
    )
    form = TransferForm(request.POST or None, units=units)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with service_call(request, form=form, success=_("The appeal is with the unit.")) as call:
                transfer = links.appeal_transfer(
                    actor=request.user,
                    appeal=appeal,
                    unit=selectors.unit_get(fetched_by=request.user, pk=form.cleaned_data["unit"]),
                    note=form.cleaned_data["note"],
                )
            if call.ok:
                return redirect("alliances:transfer", pk=transfer.pk)
        status = 400
    return render(
        request,
        "alliances/transfer_new.html",
        {"appeal": appeal, "form": form, "units": units},
        status=status,
    )


@login_required
def transfer_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An appeal with a unit: the unit's accounts read it and reply; staff resolve the appeal with the reply."""
    transfer = selectors.transfer_get(fetched_by=request.user, pk=pk)
    mine = is_unit_account.test(request.user) and transfer.unit_id in unit_ids(request.user)
    staff = staff_at.test(request.user, transfer.node)
    form = TransferReplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        with service_call(request, success=_("Done.")) as call:
            if request.POST.get("action") == "resolve":
                links.transfer_resolve(
                    actor=request.user, transfer=transfer, reply=request.POST.get("reply", "")
                )
            else:
                if not form.is_valid():
                    raise AllianceError.invalid(form_errors_message(form), field="reply")
                links.transfer_reply(actor=request.user, transfer=transfer, reply=form.cleaned_data["reply"])
        if call.ok:
            return redirect("alliances:transfer", pk=pk)
        status = 400
        transfer = selectors.transfer_get(fetched_by=request.user, pk=pk)
    return render(
        request,
        "alliances/transfer.html",
        {"transfer": transfer, "mine": mine, "staff": staff, "form": form},
        status=status,
    )


UNIT_DESK_PARTS = ("claims", "appeals", "agreements")


@login_required
def unit_desk(request: AuthenticatedHttpRequest, part: str) -> HttpResponse:
    """A unit account's own pages: its claims, the appeals transferred to it, its agreements (and its mall
    items and gifts beside them)."""
    if part not in UNIT_DESK_PARTS or not is_unit_account.test(request.user):
        raise Http404
    units = list(selectors.my_units(fetched_by=request.user))
    return render(
        request,
        "alliances/unit_desk.html",
        {
            "part": part,
            "units": units,
            "claims": list(selectors.my_claims(fetched_by=request.user)[:200]) if part == "claims" else [],
            "transfers": list(selectors.transfer_list(fetched_by=request.user)[:200])
            if part == "appeals"
            else [],
            "agreements": list(selectors.my_agreements(fetched_by=request.user)[:200])
            if part == "agreements"
            else [],
            "offers": [(u, links.unit_mall_items(u)) for u in units] if part == "claims" else [],
        },
    )


@login_required
@require_POST
def project_activity(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff publish a volunteering activity for a project."""
    project = selectors.project_get(fetched_by=request.user, pk=pk)
    form = ProjectActivityForm(request.POST)
    with service_call(request, success=_("The activity is published.")) as call:
        if not form.is_valid():
            raise AllianceError.invalid(form_errors_message(form))
        d = form.cleaned_data
        links.project_activity_create(
            actor=request.user,
            project=project,
            title=d["title"],
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            capacity=d["capacity"],
            place=d["place"],
        )
    if call.ok:
        return redirect("alliances:project", pk=pk)
    return _project_page(request, project, status=400, activity_form=form)


@login_required
@require_POST
def mall_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Staff put a member unit's item in the points mall (from the alliance's page)."""
    alliance = selectors.alliance_get(fetched_by=request.user, pk=pk)
    units = list(selectors.unit_list(fetched_by=request.user, alliance=alliance)[:300])
    form = MallOfferForm(request.POST, units=units)
    with service_call(request, success=_("The item is in the points mall.")):
        if not form.is_valid():
            raise AllianceError.invalid(form_errors_message(form))
        d = form.cleaned_data
        links.unit_mall_item(
            actor=request.user,
            unit=selectors.unit_get(fetched_by=request.user, pk=d["unit"]),
            name=d["name"],
            price=d["price"],
            stock=d["stock"],
        )
    return redirect("alliances:alliance", pk=pk)
