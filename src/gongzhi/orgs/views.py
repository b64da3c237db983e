from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gongzhi.accounts.spreadsheets import residents_import
from gongzhi.core.excel import ImportRejected
from gongzhi.core.http import AuthenticatedHttpRequest, xlsx_response
from gongzhi.core.roles import CASEWORK_ROLES, MANAGER_ROLES, OVERSIGHT_ROLES
from gongzhi.core.scoping import has_role
from gongzhi.orgs import selectors
from gongzhi.orgs.spreadsheets import nodes_export, nodes_import, party_members_export, party_members_import


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
def nodes_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, OVERSIGHT_ROLES):
        raise Http404
    return xlsx_response(nodes_export(nodes=selectors.node_list(fetched_by=request.user)), "nodes.xlsx")


@login_required
def party_org_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.party_org_list(fetched_by=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "orgs/party_org_list.html", {"page": page})


@login_required
def party_org_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    org = selectors.party_org_get(fetched_by=request.user, pk=pk)
    members = Paginator(selectors.party_org_members(fetched_by=request.user, party_org=org), 100)
    return render(
        request, "orgs/party_org_detail.html", {"org": org, "page": members.get_page(request.GET.get("page"))}
    )


@login_required
def party_members_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, CASEWORK_ROLES):
        raise Http404
    memberships = selectors.party_membership_list(fetched_by=request.user)
    return xlsx_response(party_members_export(memberships=memberships), "party-members.xlsx")


IMPORTERS = {
    "residents": (residents_import, CASEWORK_ROLES),
    "party_members": (party_members_import, MANAGER_ROLES),
    "nodes": (nodes_import, MANAGER_ROLES),
}


@login_required
@require_http_methods(["GET", "POST"])
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, MANAGER_ROLES | CASEWORK_ROLES):
        raise Http404
    errors = None
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        if kind not in IMPORTERS:
            messages.error(request, _("Choose what the file contains."))
        elif upload is None:
            messages.error(request, _("Choose an .xlsx file."))
        elif not has_role(request.user, IMPORTERS[kind][1]):
            messages.error(request, _("You cannot import this kind of list."))
        else:
            try:
                count = IMPORTERS[kind][0](actor=request.user, source=upload)
            except ImportRejected as exc:
                errors = exc.errors
                messages.error(
                    request, _("Nothing was imported: the file has %(n)s problem(s).") % {"n": len(errors)}
                )
            else:
                messages.success(request, _("Imported %(n)s rows.") % {"n": count})
                return redirect("orgs:imports")
    return render(request, "orgs/imports.html", {"errors": errors, "kinds": IMPORTERS})
