"""The thin view layer's shared pieces: who may open a page (else 404), and running a service with its
error turned into a message in the user's language (or into the form, which keeps what was typed).

    @role_required(is_caseworker)
    def appeal_export(request): ...

    with service_call(request, success=_("Done.")) as call:
        services.appeal_transition(actor=request.user, appeal=appeal, action=form.cleaned_data["action"])
    if call.ok: return redirect(...)
"""

from collections.abc import Callable
from functools import wraps
from types import TracebackType
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from gongzhi.core.errors import ServiceError


def _holds(predicate: Callable[..., Any], *args: Any) -> bool:
    test = getattr(predicate, "test", None)
    return bool(test(*args) if test is not None else predicate(*args))


def require(predicate: Callable[..., Any], user: Any, obj: Any = None) -> None:
    """404 unless ``predicate`` holds for the user (and the object): what is not yours does not exist."""
    if not (_holds(predicate, user) if obj is None else _holds(predicate, user, obj)):
        raise Http404


def role_required(predicate: Callable[[Any], Any]) -> Callable[[Callable[..., HttpResponse]], Any]:
    """The page needs a signed-in user for whom ``predicate`` holds (e.g. ``is_caseworker``); else 404."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(predicate, request.user)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


class service_call:
    """Run services inside ``with``; a ``ServiceError`` becomes a message (or the form's errors) instead of a
    crash. ``ok`` says whether it went through; ``error`` holds what went wrong."""

    def __init__(self, request: HttpRequest, *, success: Any = None, form: forms.Form | None = None) -> None:
        self.request, self.success, self.form = request, success, form
        self.ok = False
        self.error: ServiceError | None = None

    def __enter__(self) -> "service_call":
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        if exc is None:
            self.ok = True
            if self.success:
                messages.success(self.request, self.success)
            return False
        if not isinstance(exc, ServiceError):
            return False
        self.error = exc
        if self.form is not None:
            # An error about a field the user can see goes beside it; anything else above the form.
            shown = {
                name: errors
                for name, errors in exc.fields.items()
                if name in self.form.fields and not self.form.fields[name].widget.is_hidden
            }
            for name, errors in shown.items():
                for error in errors:
                    self.form.add_error(name, error)
            rest = [e for name, errors in exc.fields.items() if name not in shown for e in errors]
            for error in rest or ([] if shown else [str(exc.message)]):
                self.form.add_error(None, error)
        else:
            messages.error(self.request, str(exc.message))
        return True


def form_errors_message(form: forms.Form) -> str:
    """Every error of a form in one line, each after its field's label (for a page that redirects instead
    of showing the form again)."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else ""
        parts += [f"{label}：{error}" if label else str(error) for error in errors]
    return "；".join(part.rstrip("。.") for part in parts)
