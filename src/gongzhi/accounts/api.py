from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from gongzhi.accounts import selectors, services
from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import IndexedLimitOffsetPagination
from gongzhi.core.schemas import ErrorOut

router = Router(tags=["accounts"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def token_create(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a Bearer token (valid 30 days)."""
    user = services.user_sign_in_with_password(
        request=request, username=payload.username, password=payload.password
    )
    return {"token": services.api_token_issue(user=user)}


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
