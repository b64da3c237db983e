"""Checks of what staff and units type, shared by the services: each refusal names its field."""

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from gongzhi.alliances.errors import AllianceError

MAX_CAPACITY = 100_000_000  # the largest capacity or quantity a list accepts (yuan, hours, items …)


def _text(value: Any, field: str, limit: int, *, required: bool = True, what: str = "") -> str:
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        raise AllianceError.invalid(what or _("This field is required."), field=field)
    if len(text) > limit:
        raise AllianceError.invalid(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return text


def _choice(value: Any, choices: Any, field: str) -> Any:
    if value not in choices.values:
        raise AllianceError.invalid(_("Choose one of the listed values."), field=field)
    return value


def _amount(value: Any, field: str, *, low: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_CAPACITY:
        raise AllianceError.invalid(
            _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": MAX_CAPACITY},
            field=field,
        )
    return value


def _window(start: date | None, end: date | None, field: str) -> None:
    if start and end and end < start:
        raise AllianceError.invalid(_("The end comes before the start."), field=field)
    for d in (start, end):
        if d is not None and not date(2000, 1, 1) <= d <= date(2100, 12, 31):
            raise AllianceError.invalid(_("Give a date between 2000 and 2100."), field=field)
