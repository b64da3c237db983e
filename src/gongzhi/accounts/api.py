from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gongzhi.accounts import selectors, services
from gongzhi.accounts.auth import BearerToken
from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.accounts.models import ApiToken
from gongzhi.core.pagination import IndexedLimitOffsetPagination
from gongzhi.core.schemas import ErrorOut

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    name: str = Field("", max_length=60, description="What the token is for, to tell it apart in the list.")


class TokenOut(Schema):
    token: str
    id: int
    name: str
    expires_at: datetime


class TokenRowOut(Schema):
    id: int
    name: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str
    current: bool = Field(description="Whether this request was made with this token.")

    @staticmethod
    def resolve_current(obj: ApiToken, context) -> bool:
        auth = context["request"].auth
        return isinstance(auth, ApiToken) and auth.pk == obj.pk


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a Bearer token (valid 30 days). The token is shown only here:
    Gongzhi keeps its hash. Too many failures for the account or from the caller's address answer 429."""
    user = services.user_sign_in_with_password(
        request=request, username=payload.username, password=payload.password
    )
    token, row = services.api_token_create(user=user, name=payload.name, request=request)
    return {"token": token, "id": row.pk, "name": row.name, "expires_at": row.expires_at}


@router.delete("/auth/token", auth=BearerToken(), response={204: None, 401: ErrorOut})
def token_revoke_current(request: AuthenticatedHttpRequest):
    """Revoke the token this request was made with (sign out a program)."""
    current: ApiToken = request.auth  # type: ignore[attr-defined] # BearerToken's answer
    services.api_token_revoke(actor=request.user, token_id=current.pk, request=request)
    return Status(204, None)


@router.get("/auth/tokens", response={200: list[TokenRowOut], 401: ErrorOut})
@paginate(IndexedLimitOffsetPagination)
def token_list(request: AuthenticatedHttpRequest):
    """The caller's own tokens, newest first; revoked and expired ones stay listed for 30 days."""
    return selectors.api_token_list(fetched_by=request.user)


@router.delete("/auth/tokens/{token_id}", response={204: None, 401: ErrorOut, 404: ErrorOut})
def token_revoke(request: AuthenticatedHttpRequest, token_id: int):
    """Revoke one of the caller's tokens (someone else's answers 404). Revoking twice is not an error."""
    services.api_token_revoke(actor=request.user, token_id=token_id, request=request)
    return Status(204, None)


class BindingOut(Schema):
    role: str
    node_id: int
    node_name: str
    node_kind: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    is_superuser: bool
    roles: list[BindingOut]


@router.get("/me", response=MeOut)
def me(request: AuthenticatedHttpRequest):
    """The signed-in user and the roles they hold, each bound to a node."""
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.phone_masked,
        "is_superuser": user.is_superuser,
        "roles": [
            {"role": b.role, "node_id": b.node_id, "node_name": b.node.name, "node_kind": b.node.kind}
            for b in selectors.user_role_bindings(user=user)
        ],
    }


class PersonOut(Schema):
    id: int
    name: str
    node_id: int
    node_name: str
    gender: str
    birth_year: int | None
    phone: str
    id_number: str
    room: str

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name

    @staticmethod
    def resolve_phone(obj) -> str:
        return obj.phone_masked

    @staticmethod
    def resolve_id_number(obj) -> str:
        return obj.id_number_masked


@router.get("/people", response=list[PersonOut])
@paginate(IndexedLimitOffsetPagination)
def people(request: AuthenticatedHttpRequest, node: int | None = None, q: str = ""):
    """Residents in the caller's reach (numbers masked). ``q`` matches a name, or a full phone or ID number."""
    from gongzhi.orgs.selectors import node_get

    scope_node = node_get(fetched_by=request.user, pk=node) if node is not None else None
    return selectors.person_list(fetched_by=request.user, node=scope_node, query=q[:60])
