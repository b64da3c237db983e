"""The one error contract: every service raises a ``ServiceError`` that carries a stable ``code`` for API
clients, the HTTP ``status`` that code answers with, a ``message`` in the user's language and, for input
errors, the ``fields`` it concerns. The API (``gongzhi/api/api.py``) and the web views
(``gongzhi.core.web.service_call``) each turn it into a response in one place.

Each app has one error class (``class AppealError(ServiceError)``) and raises it in one of five kinds:

    raise AppealError.invalid(_("Say what the problem is."), field="title")     # 422
    raise AppealError.forbidden(_("This appeal is handled at another level."))  # 403
    raise AppealError.conflict("top_tier", _("The subdistrict is the last level."))  # 409
    raise AppealError.not_found()                                              # 404
    raise AppealError("no_tier", _("This place has no community above it."))  # 422, a code of its own

A forbidden error is also Django's ``PermissionDenied``, an invalid one also Django's ``ValidationError`` and
a not-found one also ``Http404``, so Django's own machinery (and ``pytest.raises``) recognises them.
"""

from typing import Any, ClassVar, Self

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A request that cannot be done. ``code`` is stable for API clients; ``message`` is translated."""

    status: ClassVar[int] = 422
    default_code: ClassVar[str] = "invalid"
    default_message: ClassVar[Any] = _("This cannot be done.")

    def __init__(
        self,
        code: str | None = None,
        message: Any = None,
        *,
        status: int | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        if status is not None:
            self.status = status  # type: ignore[misc]
        self.fields = fields or {}
        Exception.__init__(self, str(self.message))

    def __str__(self) -> str:
        return str(self.message)

    # --- the five kinds ------------------------------------------------------------------------------

    @classmethod
    def invalid(
        cls, message: Any = None, *, field: str | None = None, code: str = "invalid", **fields: Any
    ) -> Self:
        """Bad input (422): ``field`` names the input the message is about."""
        named = {field: [str(message)]} if field else {}
        for name, value in fields.items():
            named[name] = [str(m) for m in value] if isinstance(value, list | tuple) else [str(value)]
        return _kind(cls, _Invalid)(code, message or _("Please check what you entered."), fields=named)

    @classmethod
    def from_validation(cls, exc: ValidationError) -> Self:
        """A Django ``ValidationError`` (from ``full_clean``, a form field) in this contract."""
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        message = "; ".join(m for ms in fields.values() for m in ms)
        return _kind(cls, _Invalid)("invalid", message, fields=fields)

    @classmethod
    def forbidden(cls, message: Any = None) -> Self:
        """The actor may not do this (403)."""
        return _kind(cls, _Forbidden)("forbidden", message or _("You cannot do this."))

    @classmethod
    def conflict(cls, code: str = "conflict", message: Any = None) -> Self:
        """The request is sound but the world is not as it needs to be (409): a wrong state, sold out …"""
        return _kind(cls, _Conflict)(code, message or _("Someone else changed this just now; look again."))

    @classmethod
    def wrong_state(cls, message: Any = None) -> Self:
        return cls.conflict("wrong_state", message or _("This cannot be done in the current state."))

    @classmethod
    def not_found(cls, message: Any = None) -> Self:
        """Nothing of that id within the user's reach (404: never says whether it exists elsewhere)."""
        return _kind(cls, _NotFound)("not_found", message or _("Not found."))


class _Invalid(ValidationError):
    status = 422

    def __init__(self, code: str, message: Any, *, fields: dict[str, list[str]]) -> None:
        ServiceError.__init__(self, code, message, fields=fields)  # type: ignore[arg-type]
        # What Django's ValidationError.__init__ would set (it cannot be called here: its super() is ours).
        self.params = None
        if fields:
            self.error_dict = {
                name: [ValidationError(m) for m in messages] for name, messages in fields.items()
            }
        else:
            self.error_list = [self]


class _Forbidden(PermissionDenied):
    status = 403


class _Conflict(Exception):
    status = 409


class _NotFound(Http404):
    status = 404


_KINDS: dict[tuple[type, type], Any] = {}


def _kind(base: type, kind: type) -> Any:
    """``base`` in one of the kinds: e.g. an AppealError that is also Django's PermissionDenied (one class
    per pair, made on first use)."""
    made = _KINDS.get((base, kind))
    if made is not None:
        return made
    # The kind comes first so that its status and Django's handling win; the message reads as ours.
    made = _KINDS[(base, kind)] = type(
        f"{base.__name__}{kind.__name__}",
        (kind, base),
        {"status": kind.status, "__str__": ServiceError.__str__},  # type: ignore[attr-defined]
    )
    return made
