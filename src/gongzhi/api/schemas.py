from ninja import Schema


class ErrorOut(Schema):
    code: str
    detail: str


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
