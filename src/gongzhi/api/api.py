"""The JSON API at /api/v1: one NinjaAPI assembling the router every app registers (``GongzhiApp.api_router``).
OpenAPI at /api/v1/openapi.json. Errors are turned into ``core.schemas.ErrorOut`` here, in one place."""

import json
import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.constants import NOT_SET
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.operation import Operation
from ninja.params.models import BodyModel, FileModel, FormModel
from ninja.parser import Parser
from ninja.security import APIKeyCookie

from gongzhi.api.auth import api_auth
from gongzhi.core.errors import ServiceError
from gongzhi.core.registry import api_routers
from gongzhi.core.schemas import ErrorOut
from gongzhi.core.text import fields_with_control_characters, may_hold_control_characters

log = logging.getLogger(__name__)


class ControlCharacters(Exception):
    """A JSON body whose strings hold control characters (``core.text``): refused, naming the fields."""

    def __init__(self, fields: list[str]):
        super().__init__(", ".join(fields))
        self.fields = fields


class TextParser(Parser):
    """JSON bodies as ninja parses them, refusing control characters in any string (query strings and forms
    reach the API already stripped of them by ``core.middleware.ControlCharactersMiddleware``)."""

    def parse_body(self, request: HttpRequest):
        raw = request.body
        data = json.loads(raw)
        if may_hold_control_characters(raw):
            found = list(fields_with_control_characters(data))
            if found:
                raise ControlCharacters(found)
        return data


api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description="Gongzhi (共治) party-building-led community co-governance. "
    "Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. "
    'Every error is `{"code": …, "detail": …, "fields": {…}}`: 403 forbidden, 404 not_found (also for what '
    "lies outside your reach), 409 for a state that does not allow the request, 422 for bad input.",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
    parser=TextParser(),
)
for _label, router in api_routers():
    api.add_router("/", router)


def declare_errors(api: NinjaAPI) -> None:
    """Declare on every operation the errors this module answers for it, whichever app it comes from:
    401 when it needs a sign-in; 404 and 422 when it takes any input (a path, query or body may name
    something out of reach, or not match the schema); 400 (not JSON) and 413 (too large) when it reads a
    body; 403 when a browser session may call it without its CSRF token (a write). An operation declares
    itself what its services add (403, 409, …)."""

    def walk(router: Router, inherited: object) -> None:
        auth = router.auth if router.auth is not NOT_SET else inherited
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                _declare(operation, auth if operation.auth_param is NOT_SET else operation.auth_param)
        for _prefix, child, *_tags in router._routers:
            walk(child, auth)

    for _prefix, router in api._routers:
        walk(router, api.auth)


def _declare(operation: Operation, auth: object) -> None:
    declared = operation.response_models
    if len(declared) == 1 and 200 not in declared:
        # ninja answers a lone non-200 status by default; another status would change that
        raise TypeError(f"{operation.view_func.__name__}: declare 200 or return Status(...)")
    added = set()
    if auth not in (None, NOT_SET):
        added.add(401)
        # A signed-in browser's session (cookie) must also send its CSRF token on a write: 403 without it.
        schemes = auth if isinstance(auth, list | tuple) else [auth]
        cookie = any(isinstance(s, APIKeyCookie) and getattr(s, "csrf", False) for s in schemes)
        if cookie and set(operation.methods) - {"GET", "HEAD", "OPTIONS"}:
            added.add(403)
    if operation.models:
        added |= {404, 422}
    if any(issubclass(m, BodyModel | FormModel | FileModel) for m in operation.models):
        added |= {400, 413}
    for status in sorted(added - set(declared)):
        declared[status] = operation._create_response_model(ErrorOut)


declare_errors(api)


def _error(request, status: int, code: str, detail: str, fields: dict | None = None):
    body = {"code": code, "detail": detail} | ({"fields": fields} if fields else {})
    return api.create_response(request, body, status=status)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return _error(request, exc.status, exc.code, str(exc.message), exc.fields)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc: AuthenticationError):
    return _error(request, 401, "unauthorized", "Sign in: send Authorization: Bearer <token>.")


@api.exception_handler(SchemaValidationError)
def schema_error(request, exc: SchemaValidationError):
    """The request did not match the schema (a missing field, a string for a number): the same 422 body."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "form")
        ]
        name = ".".join(
            location[1:] if len(location) > 1 and location[0] in ("payload", "data") else location
        )
        fields.setdefault(name or "__all__", []).append(str(error.get("msg", "invalid")))
    detail = "; ".join(f"{name}: {'; '.join(messages)}" for name, messages in fields.items())
    return _error(request, 422, "invalid", detail, fields)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """ninja's own refusals (a body that is not JSON; throttling) in the same contract."""
    if isinstance(exc.__cause__, ControlCharacters):
        message = _("Control characters (such as NUL) are not allowed in text.")
        fields = {name: [message] for name in exc.__cause__.fields}
        return _error(request, 422, "invalid", message, fields)
    codes = {400: "bad_request", 429: "throttled"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc: RequestDataTooBig):
    return _error(request, 413, "too_large", _("The request is too large."))


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc: SuspiciousOperation):
    """A malformed request (too many fields, a broken multipart body): 400, never Django's HTML page."""
    log.warning("api: refused %s %s: %s", request.method, request.path, exc)
    return _error(request, 400, "bad_request", _("The request could not be read."))


# A ServiceError of the forbidden, invalid or not-found kind is also Django's PermissionDenied,
# ValidationError or Http404, and ninja picks the handler by the exception's class order: each of these
# handlers hands a ServiceError back to ``service_error`` so that its own code is kept.


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    if isinstance(exc, ServiceError):
        return service_error(request, exc)
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 422, "invalid", "; ".join(m for ms in fields.values() for m in ms), fields)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    if isinstance(exc, ServiceError):
        return service_error(request, exc)
    return _error(request, 403, "forbidden", str(exc) or "forbidden")


@api.exception_handler(Http404)
def not_found(request, exc):
    if isinstance(exc, ServiceError):
        return service_error(request, exc)
    return _error(request, 404, "not_found", "Not found.")
