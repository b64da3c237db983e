"""How Open311 answers: the spec's JSON and XML shapes, its error list, and one handler for every request
under /open311/ (allowed methods, ``jurisdiction_id``, errors in the requested format, CORS for reads)."""

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger(__name__)

# A list in XML is a parent element holding one child per item, named after the parent in the singular.
ITEM_NAMES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format"}
READ_METHODS = ("GET", "HEAD", "OPTIONS")
_ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only: "²".isdigit() is true but int("²") fails


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def parse_id(value: str, what: str, status: int = 404) -> int:
    """A numeric id from the URL or a parameter, or the spec's error (404 for a path, 400 for a parameter)."""
    if not _ID.fullmatch(value or ""):
        raise Open311Error(status, f"{what} not found" if status == 404 else f"{what} must be a number")
    return int(value)


def format_of(path: str) -> str:
    """The format a client asked for by the path's suffix; JSON when it named none we serve."""
    return "xml" if path.rstrip("/").lower().endswith(".xml") else "json"


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child_value in value.items():
            _fill(ET.SubElement(element, key), child_value)
    elif isinstance(value, list):
        item = ITEM_NAMES.get(element.tag, "item")
        for child_value in value:
            _fill(ET.SubElement(element, item), child_value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, item: str | None, body: Any, status: int = 200) -> HttpResponse:
    """``body`` as JSON, or as XML under ``root`` (a list: one ``item`` element per row)."""
    if fmt == "json":
        return JsonResponse(body, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    top = ET.Element(root)
    if isinstance(body, list):
        for row in body:
            _fill(ET.SubElement(top, item or "item"), row)
    else:
        _fill(top, body)
    xml = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return HttpResponse(xml, content_type="text/xml; charset=utf-8", status=status)


def error(fmt: str, code: int, description: str) -> HttpResponse:
    return render(fmt, "errors", "error", [{"code": code, "description": description}], status=code)


def _cors_origins() -> list[str]:
    return list(getattr(settings, "GONGZHI_OPEN311_CORS_ORIGINS", ["*"]))


def add_cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Browsers may read what anyone may read (GET, HEAD) from the configured origins; no cookies."""
    origin = request.headers.get("Origin")
    origins = _cors_origins()
    if origin and request.method in READ_METHODS and ("*" in origins or origin in origins):
        response["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
        if request.method == "OPTIONS":
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "X-Api-Key"  # a key in a header, not the URL
            response["Access-Control-Max-Age"] = "86400"
    if "*" not in origins:
        patch_vary_headers(response, ["Origin"])
    return response


def _check_jurisdiction(request: HttpRequest) -> None:
    given = request.POST.get("jurisdiction_id") if request.method == "POST" else None
    given = given or request.GET.get("jurisdiction_id")
    if given and given != settings.GONGZHI_OPEN311_JURISDICTION:
        raise Open311Error(
            400,
            f"jurisdiction_id not served here (this endpoint serves only '{settings.GONGZHI_OPEN311_JURISDICTION}')",
        )


def endpoint(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap an Open311 view: answer OPTIONS, refuse other methods with 405, check ``jurisdiction_id``, and
    turn every failure (ours, a bad id, a bug) into the spec's error list in the requested format."""
    allowed = [*methods, "HEAD"] if "GET" in methods else list(methods)
    allowed.append("OPTIONS")

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def handle(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            fmt = kwargs.get("fmt") or format_of(request.path)
            try:
                if request.method == "OPTIONS":
                    response = HttpResponse(status=204)
                elif request.method not in allowed:
                    response = error(
                        fmt, 405, f"method {request.method} not allowed; use {', '.join(allowed)}"
                    )
                else:
                    _check_jurisdiction(request)
                    response = view(request, *args, **kwargs)
            except Open311Error as exc:
                response = error(fmt, exc.code, exc.description)
            except Exception:
                log.exception("open311: %s %s failed", request.method, request.path)
                response = error(fmt, 500, "internal error; the request was not completed")
            if response.status_code in (204, 405):
                response["Allow"] = ", ".join(allowed)
            return add_cors(request, response)

        return handle

    return wrap
