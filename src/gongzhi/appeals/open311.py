"""Open311 GeoReport v2 at /open311/v2/, for city systems and civic apps written to the spec.

- services: the second level of the category trees grouped by the first (the compound tree first, each
  entry naming its 12345 hotline entry, then the hotline's taxonomy) and "other"; each definition lists
  the attributes a report of that kind takes (``open311_catalog``);
- requests: appeals, status "open" or "closed"; the tier now in charge is ``agency_responsible`` (an
  escalation shows as internal referral), the Gongzhi status is in ``status_notes``. Without ``api_key``:
  the appeals filers left open to neighbours, personal data removed (``open311_public``); with one: what
  the key's user may read;
- POST requests: form-encoded with ``api_key`` (a Gongzhi API token) and a place (``open311_places``);
  ``media_url`` is kept as a link in the appeal's details (never fetched);
- tokens: requests are created at once; the token a POST returns resolves to its request id;
- discovery: the endpoint, its formats and the date of its last change.
Every answer under /open311/, errors included, has the spec's shape in the requested format
(``open311_format``).
"""

import hashlib
import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from gongzhi.accounts.models import User
from gongzhi.accounts.services import api_token_user
from gongzhi.appeals import selectors, services
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, Channel, Status, Tier
from gongzhi.appeals.open311_catalog import (
    OTHER_CODE,
    ServiceIndex,
    read_attributes,
    service_get,
    service_row,
)
from gongzhi.appeals.open311_catalog import definition as service_definition_of
from gongzhi.appeals.open311_catalog import services as service_categories
from gongzhi.appeals.open311_format import (
    Open311Error,
    add_cors,
    endpoint,
    error,
    format_of,
    parse_id,
    render,
)
from gongzhi.appeals.open311_places import compounds_of, locate, place_label
from gongzhi.appeals.open311_public import public_appeals, public_enabled, public_row
from gongzhi.core.geo import gcj02_to_wgs84

CLOSED = {Status.CLOSED, Status.MERGED, Status.RESOLVED}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint last changed in a way clients can see (the discovery document's changeset).
CHANGESET = "2026-12-03T00:00:00+08:00"
MEDIA_PREFIX = "Open311 media_url: "
_MEDIA_LINE = re.compile(r"^" + re.escape(MEDIA_PREFIX) + r"(https?://\S+)$", re.MULTILINE)
_TOKENS = signing.Signer(salt="gongzhi.open311.token", sep=".")
MAX_ROWS = 1000
MAX_BODY = Appeal._meta.get_field("body").max_length or 5000


def api_key_of(request: HttpRequest) -> str:
    """The API key, from the ``X-Api-Key`` header, ``Authorization: Bearer``, or the spec's ``api_key``
    parameter. A header keeps the key out of URLs (and so out of proxies' logs and browser histories)."""
    header = request.headers.get("X-Api-Key", "").strip()
    if not header:
        scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
        header = value.strip() if scheme.lower() == "bearer" else ""
    return header or request.POST.get("api_key") or request.GET.get("api_key") or ""


def _user(request: HttpRequest) -> User | None:
    """The key's user; a key that is given but not valid is refused rather than read as no key."""
    key = api_key_of(request)
    if not key:
        return None
    user = api_token_user(key)
    if user is None:
        raise Open311Error(403, "api_key is not valid (expired or unknown)")
    return user


def _iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _media_url(body: str) -> str | None:
    found = _MEDIA_LINE.search(body)
    return found.group(1) if found else None


def _request_row(appeal: Appeal, index: ServiceIndex) -> dict[str, Any]:
    # Open311 speaks WGS-84; Gongzhi stores GCJ-02. Fall back to the compound's location.
    lat: float | None = None
    lng: float | None = None
    if appeal.lat is not None and appeal.lng is not None:
        lat, lng = gcj02_to_wgs84(appeal.lat, appeal.lng)
    elif appeal.node.lat is not None and appeal.node.lng is not None:
        lat, lng = gcj02_to_wgs84(appeal.node.lat, appeal.node.lng)
    service = index.row_for(appeal)
    return {
        "service_request_id": str(appeal.pk),
        "status": "closed" if appeal.status in CLOSED else "open",
        "status_notes": str(appeal.get_status_display()),
        "service_name": service["service_name"],
        "service_code": service["service_code"],
        "description": _MEDIA_LINE.sub("", appeal.body).rstrip(),
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
        "media_url": _media_url(appeal.body),
    }


def _related(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    return qs.select_related("node", "category", "handling_node", "resident", "suggested_category")


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri(reverse("open311:services", kwargs={"fmt": fmt})).rsplit("/", 1)[0]
    body = {
        "changeset": CHANGESET,
        "contact": settings.GONGZHI_OPEN311_CONTACT or _("Ask your subdistrict's Gongzhi administrator."),
        "key_service": _(
            "Reading public appeals needs no key. To post, or to read what your account may see, get an API "
            "token with POST %(url)s (your Gongzhi username and password) and send it as api_key."
        )
        % {"url": request.build_absolute_uri("/api/v1/auth/token")},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(fmt, "discovery", None, body)


@endpoint("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    rows = [service_row(c) for c in service_categories()] + [service_row(None)]
    return render(fmt, "services", "service", rows)


@endpoint("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    return render(fmt, "service_definition", None, service_definition_of(code))


def _retry_key(device_id: str, code: str, description: str) -> str:
    if not device_id:
        return ""
    return "open311:" + hashlib.sha256(f"{device_id}|{code}|{description}".encode()).hexdigest()[:48]


def _media_link(data) -> str:
    url = (data.get("media_url") or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise Open311Error(400, "media_url must be an http or https link") from None
    if len(url) > 500:
        raise Open311Error(400, "media_url is longer than 500 characters")
    return url


def _create(request: HttpRequest) -> Appeal:
    user = _user(request)
    if user is None:
        raise Open311Error(403, "api_key is required to post a request")
    data = request.POST
    code = (data.get("service_code") or "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    category = service_get(code, status=400)
    answers = read_attributes(category, data)
    description = (data.get("description") or "").strip()
    if not description:
        raise Open311Error(400, "description is required")
    media = _media_link(data)
    node, lat, lng = locate(user, data)
    body = description + (f"\n\n{MEDIA_PREFIX}{media}" if media else "")
    if len(body) > MAX_BODY:
        raise Open311Error(400, f"description is too long: at most {MAX_BODY} characters, media_url included")
    try:
        appeal, _created = services.appeal_submit(
            actor=user,
            node=node,
            title=(answers.title or description.splitlines()[0])[:60],
            body=body,
            category=answers.category,
            channel=Channel.OPEN311,
            lat=lat,
            lng=lng,
            hidden_from_neighbours=not answers.public,
            open_data=answers.open_data,
            # A client retrying the same report from the same device gets the same request back.
            client_key=_retry_key(data.get("device_id", ""), code, description),
        )
    except PermissionDenied as exc:
        raise Open311Error(403, str(exc)) from None
    except (ValidationError, AppealError) as exc:
        raise Open311Error(400, "; ".join(getattr(exc, "messages", [str(exc)]))) from None
    return appeal


def _filtered(qs: QuerySet[Appeal], request: HttpRequest) -> QuerySet[Appeal]:
    params = request.GET
    if params.get("service_request_id"):
        ids = [
            parse_id(i.strip(), "service_request_id", 400)
            for i in params["service_request_id"].split(",")
            if i.strip()
        ]
        return qs.filter(pk__in=ids)
    if params.get("service_code"):
        codes = [c.strip() for c in params["service_code"].split(",") if c.strip()]
        wanted = Q(pk__in=[])
        for code in codes:
            if code == OTHER_CODE:
                wanted |= Q(category__isnull=True)
            else:
                pk = parse_id(code, "service_code", 400)
                wanted |= Q(category_id=pk) | Q(category__parent_id=pk)
        qs = qs.filter(wanted)
    if params.get("status"):
        if params["status"] not in ("open", "closed"):
            raise Open311Error(400, "status must be open or closed")
        closed = Q(status__in=CLOSED)
        qs = qs.filter(closed if params["status"] == "closed" else ~closed)
    for name, lookup in (("start_date", "created_at__gte"), ("end_date", "created_at__lte")):
        if params.get(name):
            qs = qs.filter(**{lookup: _moment(params[name], name)})
    if not params.get("start_date") and not params.get("end_date"):
        qs = qs.filter(created_at__gte=timezone.now() - timedelta(days=90))  # the spec's default window
    return qs


def _moment(value: str, name: str) -> datetime:
    """A w3 datetime within the years the database holds in every time zone (1900 to 2999)."""
    try:
        moment = parse_datetime(value)  # None when not in the format; ValueError for 2026-13-45
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(400, f"{name} must be a w3 datetime")
    if not 1900 <= moment.year <= 2999:
        raise Open311Error(400, f"{name} must lie between the years 1900 and 2999")
    return moment


def _readable(user: User | None) -> QuerySet[Appeal]:
    if user is None:
        if not public_enabled():
            raise Open311Error(403, "api_key is required to read requests here")
        return public_appeals()
    return selectors.appeal_list(fetched_by=user).exclude(status=Status.MERGED)


def _rows(user: User | None, appeals) -> list[dict[str, Any]]:
    appeals = list(appeals)
    index = ServiceIndex()
    if user is not None:
        return [_request_row(a, index) for a in appeals]
    # Without a key the place is the compound, or its building: fetch the buildings' compounds at once.
    compounds = compounds_of([a.node for a in appeals])
    return [public_row(a, _request_row(a, index), place_label(a.node, compounds)) for a in appeals]


@endpoint("GET", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        appeal = _create(request)
        row = {
            "service_request_id": str(appeal.pk),
            "token": _TOKENS.sign(str(appeal.pk)),
            "service_notice": str(appeal.get_status_display()),
            "account_id": None,
        }
        return render(fmt, "service_requests", "request", [row], status=201)
    user = _user(request)
    qs = _related(_filtered(_readable(user), request))
    return render(fmt, "service_requests", "request", _rows(user, qs[:MAX_ROWS]))


@endpoint("GET")
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    pk = parse_id(request_id, "service_request_id")
    user = _user(request)
    appeal = _related(_readable(user)).filter(pk=pk).first()
    if appeal is None:
        raise Open311Error(404, "service_request_id not found")
    return render(fmt, "service_requests", "request", _rows(user, [appeal]))


@endpoint("GET")
def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    try:
        pk = int(_TOKENS.unsign(token))
    except (signing.BadSignature, ValueError):
        raise Open311Error(404, "token not found") from None
    # unscoped: a valid token was handed to whoever posted this request; it names only its id
    if not Appeal.objects.filter(pk=pk).exists():
        raise Open311Error(404, "token not found")
    return render(fmt, "service_requests", "request", [{"service_request_id": str(pk), "token": token}])


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /open311/: the spec's 404, in XML when the path asks for it."""
    return add_cors(request, error(format_of(request.path), 404, "no such endpoint; see discovery.json"))
