"""The JSON API at /api/v1: one NinjaAPI assembling the router every app registers (``GongzhiApp.api_router``).
OpenAPI at /api/v1/openapi.json. Errors are turned into ``core.schemas.ErrorOut`` here, in one place."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

from gongzhi.api.auth import api_auth
from gongzhi.core.errors import ServiceError
from gongzhi.core.registry import api_routers

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
)
for _label, router in api_routers():
    api.add_router("/", router)


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
