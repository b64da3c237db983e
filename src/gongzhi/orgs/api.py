from ninja import Router, Schema
from ninja.pagination import paginate

from gongzhi.accounts.http import AuthenticatedHttpRequest
from gongzhi.core.pagination import LimitOffset
from gongzhi.core.schemas import ErrorOut
from gongzhi.orgs import selectors
from gongzhi.orgs.models import NodeKind

router = Router(tags=["organisation"])


class NodeOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    node_type: str
    depth: int
    parent_id: int | None = None
    path: str
    lat: float | None = None
    lng: float | None = None
    households: int | None = None
    population: int | None = None
    children: int

    @staticmethod
    def resolve_children(obj) -> int:
        return obj.numchild

    @staticmethod
    def resolve_parent_id(obj) -> int | None:
        return getattr(obj, "parent_pk", None)


@router.get("/nodes", response=list[NodeOut])
@paginate(LimitOffset)
def nodes(
    request: AuthenticatedHttpRequest,
    root: int | None = None,
    kind: NodeKind | None = None,
    max_depth: int | None = None,
):
    """Nodes in the caller's reach, in tree order. ``root`` limits to one subtree; ``max_depth`` to levels below it."""
    qs = selectors.with_parent_ids(selectors.node_list(fetched_by=request.user))
    if root is not None:
        root_node = selectors.node_get(fetched_by=request.user, pk=root)
        qs = qs.filter(path__startswith=root_node.path)
        if max_depth is not None:
            qs = qs.filter(depth__lte=root_node.depth + max(0, max_depth))
    if kind is not None:
        qs = qs.filter(kind=kind)
    return qs


@router.get("/nodes/{node_id}", response={200: NodeOut, 404: ErrorOut})
def node_detail(request: AuthenticatedHttpRequest, node_id: int):
    selectors.node_get(fetched_by=request.user, pk=node_id)
    return selectors.with_parent_ids(selectors.node_list(fetched_by=request.user)).get(pk=node_id)


@router.get("/nodes/{node_id}/children", response={200: list[NodeOut], 404: ErrorOut})
def node_children(request: AuthenticatedHttpRequest, node_id: int):
    node = selectors.node_get(fetched_by=request.user, pk=node_id)
    return [row.node for row in selectors.node_children_with_counts(fetched_by=request.user, node=node)]
