"""Where a posted report is: ``lat``/``long`` (WGS-84, the nearest compound within 2 km), ``address_id``
(a place's code) or ``address_string`` (a compound's name, with a building's if given), each among the places
the key's user may report for."""

import math
import unicodedata

from django.http import QueryDict

from gongzhi.accounts.models import User
from gongzhi.appeals.open311_format import Open311Error
from gongzhi.appeals.rules import may_file_at
from gongzhi.core.geo import distance_m, wgs84_to_gcj02
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.orgs.selectors import node_list

NEAREST_LIMIT_M = 2000
MAX_CANDIDATES = 10


def _float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None
    if not math.isfinite(number):
        raise Open311Error(400, f"{name} must be a number")
    return number


def _places(user: User):
    return node_list(fetched_by=user).filter(kind__in=[NodeKind.COMPOUND, NodeKind.BUILDING])


def _nearest_compound(user: User, lat: float, lng: float) -> Node:
    g_lat, g_lng = wgs84_to_gcj02(lat, lng)
    box = 0.03  # about 3 km: a bounding box first, exact distance second
    candidates = _places(user).filter(
        kind=NodeKind.COMPOUND, lat__range=(g_lat - box, g_lat + box), lng__range=(g_lng - box, g_lng + box)
    )
    best = min(candidates, key=lambda n: distance_m(g_lat, g_lng, n.lat, n.lng), default=None)
    if best is None or distance_m(g_lat, g_lng, best.lat, best.lng) > NEAREST_LIMIT_M:
        raise Open311Error(400, "no compound you may report for is within 2 km of lat/long")
    return best


def _plain(text: str) -> str:
    """Full-width digits and letters as ASCII, no spaces: "慧园小区 １幢" and "慧园小区1幢" are one."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def place_label(node: Node, compounds: dict[str, Node]) -> str:
    """ "慧园小区 1幢" for a building, the name for a compound."""
    if node.kind == NodeKind.BUILDING:
        compound = compounds.get(node.path[: -node.steplen])
        if compound is None or node.name.startswith(compound.name):
            return node.name  # "慧园小区3幢" already names its compound
        return f"{compound.name} {node.name}"
    return node.name


def compounds_of(nodes: list[Node]) -> dict[str, Node]:
    """The compounds of these places by path (the places' own, and their buildings' in one query)."""
    paths = {n.path[: -n.steplen] for n in nodes if n.kind == NodeKind.BUILDING}
    # unscoped: the compounds of places already read in scope, for their names
    found = {n.path: n for n in Node.objects.filter(path__in=paths)} if paths else {}
    return found | {n.path: n for n in nodes if n.kind == NodeKind.COMPOUND}


def _building_alone(node: Node, compounds: dict[str, Node]) -> str:
    """A building's name without its compound's: "1幢" for "慧园小区1幢"."""
    name, compound = _plain(node.name), compounds.get(node.path[: -node.steplen])
    prefix = _plain(compound.name) if compound else ""
    return name[len(prefix) :] if prefix and name.startswith(prefix) and name != prefix else name


def _by_address_string(user: User, address: str) -> Node:
    wanted = _plain(address)
    places = [n for n in _places(user) if may_file_at(user, n)]
    compounds = {n.path: n for n in places if n.kind == NodeKind.COMPOUND}
    scored: list[tuple[int, Node]] = []
    for node in places:
        label = place_label(node, compounds)
        plain = _plain(label)
        if plain == wanted:
            scored.append((10_000, node))  # the place's full name
        elif node.kind == NodeKind.COMPOUND and _plain(node.name) in wanted:
            scored.append((len(plain), node))  # the compound named, maybe with more we cannot place
        elif node.kind == NodeKind.BUILDING and plain in wanted:
            scored.append((len(plain) + 1, node))  # compound and building named
        elif node.kind == NodeKind.BUILDING and _building_alone(node, compounds) == wanted:
            scored.append((1, node))  # the building alone: clear for someone who lives in one compound
    if not scored:
        raise Open311Error(
            400,
            f"address_string '{address}' matches no compound or building you may report for; send its name as in the place list, address_id or lat/long",
        )
    best = max(score for score, _node in scored)
    chosen = [node for score, node in scored if score == best]
    if len(chosen) > 1:
        listed = "; ".join(
            f"{place_label(n, compounds)} (address_id {n.code})" for n in chosen[:MAX_CANDIDATES]
        )
        raise Open311Error(
            400, f"address_string '{address}' matches several places: {listed}; send address_id"
        )
    return chosen[0]


def locate(user: User, data: QueryDict) -> tuple[Node, float | None, float | None]:
    """The place a posted report concerns and its point (GCJ-02, as Gongzhi stores it), or the spec's 400."""
    lat_text, lng_text = (data.get("lat") or "").strip(), (data.get("long") or "").strip()
    has_point = bool(lat_text and lng_text)
    point = (_float("lat", lat_text), _float("long", lng_text)) if has_point else None
    if point is not None and not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise Open311Error(400, "lat must be within -90..90 and long within -180..180")
    address_id = (data.get("address_id") or "").strip()
    address = (data.get("address_string") or "").strip()
    if address_id:
        node = _places(user).filter(code=address_id).first()
        if node is None or not may_file_at(user, node):
            raise Open311Error(400, "address_id not found among the places you may report for")
    elif point is not None:
        node = _nearest_compound(user, *point)
    elif address:
        node = _by_address_string(user, address)
    else:
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    if point is None:
        return node, None, None
    g_lat, g_lng = wgs84_to_gcj02(*point)
    return node, g_lat, g_lng
