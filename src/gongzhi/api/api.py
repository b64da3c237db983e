"""The JSON API at /api/v1: one NinjaAPI assembling each app's router. OpenAPI at /api/v1/openapi.json."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI

from gongzhi.accounts.api import router as accounts_router
from gongzhi.accounts.errors import SignInError
from gongzhi.api.auth import api_auth
from gongzhi.appeals.api import router as appeals_router
from gongzhi.core.errors import ServiceError
from gongzhi.ledger.api import router as ledger_router
from gongzhi.orgs.api import router as orgs_router
from gongzhi.triage.api import router as triage_router
from gongzhi.volunteering.api import router as volunteering_router
from gongzhi.wishes.api import router as wishes_router

api = NinjaAPI(
    title="Gongzhi API",
    version="1",
    description="Gongzhi (共治) party-building-led community co-governance. "
    "Authenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`.",
    auth=api_auth,
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/", accounts_router)
api.add_router("/", orgs_router)
api.add_router("/", triage_router)  # before appeals: /appeals/hot must not match /appeals/{id}
api.add_router("/", appeals_router)
api.add_router("/", ledger_router)
api.add_router("/", volunteering_router)
api.add_router("/", wishes_router)


# Codes that say the request was sound but the world is not as it needs to be (HTTP 409).
CONFLICT_CODES = frozenset(
    {
        "wrong_state",
        "conflict",
        "top_tier",
        "rating_open",
        "sold_out",
        "insufficient",
        "insufficient_stock",
        "over_limit",
        "not_on_offer",
        "key_reused",
        "already_claimed",
        "full",
    }
)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    status = 403 if exc.code == "forbidden" else 409 if exc.code in CONFLICT_CODES else 422
    return api.create_response(request, {"code": exc.code, "detail": str(exc.message)}, status=status)


@api.exception_handler(SignInError)
def sign_in_error(request, exc: SignInError):
    status = 429 if exc.code in ("locked_out", "code_throttled") else 401
    return api.create_response(request, {"code": exc.code, "detail": str(exc.message)}, status=status)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(
        request,
        {"code": "invalid", "detail": "; ".join(m for ms in fields.values() for m in ms), "fields": fields},
        status=422,
    )


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"code": "forbidden", "detail": str(exc) or "forbidden"}, status=403)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "detail": "Not found."}, status=404)
