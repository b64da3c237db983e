from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.http import xlsx_response
from gongzhi.core.pagination import BoundedPaginator
from gongzhi.core.rules import is_caseworker, is_overseer
from gongzhi.core.web import role_required
from gongzhi.orgs import selectors
from gongzhi.orgs.picker import picker_state
from gongzhi.orgs.spreadsheets import nodes_export, party_members_export


@login_required
def node_roots(request: AuthenticatedHttpRequest) -> HttpResponse:
    roots = selectors.node_roots(fetched_by=request.user)
    if len(roots) == 1:
        return redirect("orgs:node_detail", pk=roots[0].pk)
    return render(request, "orgs/node_roots.html", {"roots": roots})


@login_required
def node_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    node = selectors.node_get(fetched_by=request.user, pk=pk)
    context = {
        "node": node,
        "ancestors": selectors.node_ancestors(fetched_by=request.user, node=node),
        "children": selectors.node_children_with_counts(fetched_by=request.user, node=node),
        **selectors.node_detail_context(fetched_by=request.user, node=node),
    }
    return render(request, "orgs/node_detail.html", context)


@login_required
def place_picker_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The place picker of a form, one level or one search at a time (htmx swaps it in place)."""
    get = request.GET
    state = picker_state(
        user=request.user,
        purpose=get.get("purpose", ""),
        field=_plain(get.get("field")) or "node",
        key=_plain(get.get("key")),
        selected=get.get("selected"),
        at=get.get("at"),
        query=get.get("q", ""),
    )
    return render(request, "orgs/_place_picker.html", {"picker": state})


def _plain(value: str | None) -> str:
    """A form field name or picker key: letters, digits, dash and underscore only."""
    value = (value or "")[:40]
    return value if all(c.isalnum() or c in "-_" for c in value) else ""


@role_required(is_overseer)
def nodes_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    return xlsx_response(nodes_export(nodes=selectors.node_list(fetched_by=request.user)), "nodes.xlsx")


@login_required
def party_org_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = BoundedPaginator(selectors.party_org_list(fetched_by=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "orgs/party_org_list.html", {"page": page})


@login_required
def party_org_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = selectors.party_org_get(fetched_by=request.user, pk=pk)
    members = BoundedPaginator(selectors.party_org_members(fetched_by=request.user, party_org=org), 100)
    return render(
        request, "orgs/party_org_detail.html", {"org": org, "page": members.get_page(request.GET.get("page"))}
    )


@role_required(is_caseworker)
def party_members_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = selectors.party_membership_list(fetched_by=request.user)
    return xlsx_response(party_members_export(memberships=memberships), "party-members.xlsx")
