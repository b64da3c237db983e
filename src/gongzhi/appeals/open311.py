"""Open311 GeoReport v2 at /open311/v2/, for interoperability with city systems and apps.

- services: the second level of the category trees, grouped by the first level: the compound tree first
  (each entry's description names the 12345 hotline entry it corresponds to), then the hotline's taxonomy;
- requests: appeals, status "open" or "closed"; the tier now in charge is ``agency_responsible``
  (an escalation shows as internal referral), the Gongzhi status is in ``status_notes``;
- POST requests: form-encoded with ``api_key`` (a Gongzhi API token); ``lat``/``long`` are WGS-84 and
  pick the nearest compound the key's user may file at (or ``address_id`` = a node code);
- tokens: requests are created synchronously, so a token resolves at once.
Errors follow the spec: a list of {code, description}.
"""

import hashlib
import math
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gongzhi.accounts.models import User
from gongzhi.accounts.services import api_token_user
from gongzhi.appeals import selectors, services
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, Category, CategoryTree, Channel, Status, Tier
from gongzhi.core.geo import distance_m, gcj02_to_wgs84, wgs84_to_gcj02
from gongzhi.orgs.models import Node, NodeKind
from gongzhi.orgs.selectors import node_list

CLOSED = {Status.CLOSED, Status.MERGED, Status.RESOLVED}
NEAREST_LIMIT_M = 2000


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        self.code, self.description = code, description


def _render(
    request: HttpRequest, fmt: str, root: str, item: str, rows: list[dict[str, Any]], status: int = 200
):
    if fmt == "json":
        return JsonResponse(rows, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)


def _error(request: HttpRequest, fmt: str, code: int, description: str) -> HttpResponse:
    return _render(request, fmt, "errors", "error", [{"code": code, "description": description}], status=code)


def _user(request: HttpRequest) -> User | None:
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    return api_token_user(key) if key else None


def _service_row(category: Category) -> dict[str, Any]:
    description = f"{category.parent.name if category.parent else ''} / {category.name}"
    if category.tree == CategoryTree.COMPOUND and category.hotline_id:
        description += f" (12345: {category.hotline_path})"
    return {
        "service_code": str(category.pk),
        "service_name": category.name,
        "description": description,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(c.name for c in category.children.all()[:10]),
        "group": category.parent.name if category.parent else category.name,
    }


def _services():
    return (
        Category.objects.filter(level=2, subdistrict__isnull=True, is_active=True)
        .select_related("parent", "hotline__parent__parent")
        .order_by("tree", "parent__name", "name")  # "compound" sorts before "hotline"
    )


def _iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _request_row(appeal: Appeal) -> dict[str, Any]:
    # Open311 speaks WGS-84; Gongzhi stores GCJ-02. Fall back to the compound's location.
    lat: float | None = None
    lng: float | None = None
    if appeal.lat is not None and appeal.lng is not None:
        lat, lng = gcj02_to_wgs84(appeal.lat, appeal.lng)
    elif appeal.node.lat is not None and appeal.node.lng is not None:
        lat, lng = gcj02_to_wgs84(appeal.node.lat, appeal.node.lng)
    service = appeal.category.parent if appeal.category and appeal.category.level == 3 else appeal.category
    return {
        "service_request_id": str(appeal.pk),
        "status": "closed" if appeal.status in CLOSED else "open",
        "status_notes": str(appeal.get_status_display()),
        "service_name": service.name if service else None,
        "service_code": str(service.pk) if service else None,
        "description": appeal.body,
        "agency_responsible": f"{Tier(appeal.tier).label}：{appeal.handling_node.name}",
        "service_notice": appeal.reply or None,
        "requested_datetime": _iso(appeal.created_at),
        "updated_datetime": _iso(appeal.resolved_at or appeal.accepted_at or appeal.created_at),
        "expected_datetime": _iso(appeal.resolve_due or appeal.accept_due),
        "address": appeal.node.name,
        "address_id": appeal.node.code,
        "zipcode": None,
        "lat": round(lat, 6) if lat is not None else None,
        "long": round(lng, 6) if lng is not None else None,
        "media_url": None,
    }


@require_http_methods(["GET"])
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    return _render(request, fmt, "services", "service", [_service_row(c) for c in _services()])


@require_http_methods(["GET"])
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if not code.isdigit() or not _services().filter(pk=int(code)).exists():
        return _error(request, fmt, 404, "service_code not found")
    return _render(
        request, fmt, "service_definition", "attributes", [{"service_code": code, "attributes": ""}]
    )


def _nearest_compound(user: User, lat: float, lng: float) -> Node:
    g_lat, g_lng = wgs84_to_gcj02(lat, lng)
    box = 0.03  # about 3 km: a bounding box first, exact distance second
    candidates = node_list(fetched_by=user).filter(
        kind=NodeKind.COMPOUND, lat__range=(g_lat - box, g_lat + box), lng__range=(g_lng - box, g_lng + box)
    )
    best = min(candidates, key=lambda n: distance_m(g_lat, g_lng, n.lat, n.lng), default=None)
    if best is None or distance_m(g_lat, g_lng, best.lat, best.lng) > NEAREST_LIMIT_M:
        raise Open311Error(400, "no compound you may report for is within 2 km of lat/long")
    return best


def _float(name: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number") from None
    if not math.isfinite(number):
        raise Open311Error(400, f"{name} must be a number")
    return number


def _retry_key(device_id: str, code: str, description: str) -> str:
    if not device_id:
        return ""
    return "open311:" + hashlib.sha256(f"{device_id}|{code}|{description}".encode()).hexdigest()[:48]


def _create(request: HttpRequest) -> Appeal:
    user = _user(request)
    if user is None:
        raise Open311Error(403, "api_key is missing or not valid")
    data = request.POST
    code = data.get("service_code", "")
    if not code.isdigit() or not _services().filter(pk=int(code)).exists():
        raise Open311Error(400, "service_code not found")
    description = (data.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "description is required")
    if data.get("address_id"):
        node = (
            node_list(fetched_by=user)
            .filter(code=data["address_id"], kind__in=["compound", "building"])
            .first()
        )
        if node is None:
            raise Open311Error(400, "address_id not found")
    elif data.get("lat") and data.get("long"):
        node = _nearest_compound(user, _float("lat", data["lat"]), _float("long", data["long"]))
    else:
        raise Open311Error(400, "lat and long, or address_id, are required")
    lat = lng = None
    if data.get("lat") and data.get("long"):
        lat, lng = wgs84_to_gcj02(_float("lat", data["lat"]), _float("long", data["long"]))
    try:
        appeal, _created = services.appeal_submit(
            actor=user,
            node=node,
            title=description.splitlines()[0][:60],
            body=description,
            category=Category.objects.get(pk=int(code)),
            channel=Channel.OPEN311,
            lat=lat,
            lng=lng,
            # A client retrying the same report from the same device gets the same request back.
            client_key=_retry_key(data.get("device_id", ""), code, description),
        )
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc)) from None
    except (ValidationError, AppealError) as exc:
        raise Open311Error(400, "; ".join(getattr(exc, "messages", [str(exc)]))) from None
    return appeal


@csrf_exempt
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    try:
        if request.method == "POST":
            appeal = _create(request)
            row = {
                "service_request_id": str(appeal.pk),
                "service_notice": str(appeal.get_status_display()),
                "account_id": None,
            }
            return _render(request, fmt, "service_requests", "request", [row], status=201)
        user = _user(request)
        if user is None:
            raise Open311Error(403, "api_key is missing or not valid")
        qs = selectors.appeal_list(fetched_by=user).exclude(status=Status.MERGED)
        params = request.GET
        if params.get("service_request_id"):
            ids = [i for i in params["service_request_id"].split(",") if i.strip().isdigit()]
            qs = qs.filter(pk__in=ids)
        else:
            if params.get("service_code"):
                codes = [c for c in params["service_code"].split(",") if c.strip().isdigit()]
                qs = qs.filter(Q(category_id__in=codes) | Q(category__parent_id__in=codes))
            if params.get("status") in ("open", "closed"):
                closed = Q(status__in=CLOSED)
                qs = qs.filter(closed if params["status"] == "closed" else ~closed)
            for name, lookup in (("start_date", "created_at__gte"), ("end_date", "created_at__lte")):
                if params.get(name):
                    moment = parse_datetime(params[name])
                    if moment is None:
                        raise Open311Error(400, f"{name} must be a w3 datetime")
                    qs = qs.filter(**{lookup: moment})
            if not params.get("start_date") and not params.get("end_date"):
                qs = qs.filter(
                    created_at__gte=timezone.now() - timedelta(days=90)
                )  # the spec's default window
        rows = [_request_row(a) for a in qs.select_related("category__parent", "handling_node")[:1000]]
        return _render(request, fmt, "service_requests", "request", rows)
    except Open311Error as exc:
        return _error(request, fmt, exc.code, exc.description)


@require_http_methods(["GET"])
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _error(request, fmt, 403, "api_key is missing or not valid")
    appeal = (
        selectors.appeal_list(fetched_by=user)
        .select_related("category__parent", "handling_node")
        .filter(pk=int(request_id) if request_id.isdigit() else -1)
        .first()
    )
    if appeal is None:
        return _error(request, fmt, 404, "service_request_id not found")
    return _render(request, fmt, "service_requests", "request", [_request_row(appeal)])


@require_http_methods(["GET"])
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    # Requests are created synchronously: the "token" is the request id itself.
    if not token.isdigit():
        return _error(request, fmt, 404, "token not found")
    return _render(
        request, fmt, "service_requests", "request", [{"service_request_id": token, "token": token}]
    )
