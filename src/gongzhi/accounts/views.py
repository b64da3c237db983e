from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from gongzhi.accounts import selectors, services
from gongzhi.accounts.errors import AddressThrottled, LockedOut, SignInError
from gongzhi.accounts.forms import CodeLoginForm, CodeRequestForm, PasswordLoginForm, TokenForm
from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.accounts.spreadsheets import residents_export
from gongzhi.core.http import xlsx_response
from gongzhi.core.pagination import BoundedPaginator
from gongzhi.core.rules import is_caseworker
from gongzhi.core.web import role_required
from gongzhi.orgs.selectors import node_get


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    method = request.POST.get("method") or request.GET.get("method") or "password"
    password_form = PasswordLoginForm(
        request.POST if method == "password" and request.method == "POST" else None
    )
    code_form = CodeLoginForm(request.POST if method == "code" and request.method == "POST" else None)
    error = None
    if request.method == "POST":
        form = password_form if method == "password" else code_form
        if form.is_valid():
            try:
                if method == "password":
                    user = services.user_sign_in_with_password(request=request, **form.cleaned_data)
                else:
                    user = services.user_sign_in_with_code(request=request, **form.cleaned_data)
            except SignInError as exc:
                error = exc.message
                if isinstance(exc, LockedOut) and not isinstance(exc, AddressThrottled):
                    method = "code"  # a locked account can still sign in with a code sent to its phone
            else:
                login(request, user)
                return redirect(_next_url(request))
    status = 200 if error is None and not (password_form.errors or code_form.errors) else 400
    return render(
        request,
        "accounts/login.html",
        {
            "password_form": password_form,
            "code_form": code_form,
            "method": method,
            "error": error,
            "next": _next_url(request),
        },
        status=status,
    )


@require_POST
def request_code(request: HttpRequest) -> HttpResponse:
    """htmx: send a sign-in code and answer with a one-line status."""
    form = CodeRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/_code_status.html", {"error": form.errors["phone"][0]}, status=400)
    try:
        services.otp_request(phone=form.cleaned_data["phone"], request=request)
    except SignInError as exc:
        return render(request, "accounts/_code_status.html", {"error": exc.message}, status=429)
    return render(request, "accounts/_code_status.html", {"sent": True})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@role_required(is_caseworker)
def person_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    node = None
    if request.GET.get("node", "").isdigit():
        node = node_get(fetched_by=request.user, pk=int(request.GET["node"]))
    query = request.GET.get("q", "")[:60]
    people = selectors.person_list(fetched_by=request.user, node=node, query=query)
    page = BoundedPaginator(people, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/person_list.html", {"page": page, "node": node, "q": query})


@role_required(is_caseworker)
def person_export_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    node = None
    if request.GET.get("node", "").isdigit():
        node = node_get(fetched_by=request.user, pk=int(request.GET["node"]))
    people = selectors.person_list(fetched_by=request.user, node=node)
    return xlsx_response(residents_export(actor=request.user, people=people), "residents.xlsx")


@login_required
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(fetched_by=request.user, pk=pk)
    return render(
        request,
        "accounts/person_detail.html",
        {"person": person, "can_reveal": is_caseworker.test(request.user)},
    )


@login_required
@require_POST
def person_reveal_view(request: AuthenticatedHttpRequest, pk: int, field: str) -> HttpResponse:
    if field not in ("phone", "id_number"):
        raise Http404
    person = selectors.person_get(fetched_by=request.user, pk=pk)
    try:
        value = services.person_reveal(actor=request.user, person=person, field=field, request=request)
    except PermissionDenied:
        raise Http404 from None
    return render(request, "accounts/_revealed.html", {"value": value, "label": _("Revealed and logged")})


@login_required
@require_http_methods(["GET", "POST"])
def token_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's API tokens: issue a named one (shown once), see when each was last used, revoke."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if form.is_valid():
        issued = services.api_token_issue(user=request.user, name=form.cleaned_data["name"], request=request)
        form = TokenForm()
    tokens = BoundedPaginator(selectors.api_token_list(fetched_by=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/token_list.html",
        {"page": tokens, "form": form, "issued": issued},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    row = services.api_token_revoke(actor=request.user, token_id=pk, request=request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": row.name or row.pk})
    return redirect("accounts:tokens")
