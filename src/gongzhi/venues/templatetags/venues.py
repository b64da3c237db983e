from typing import Any

from django import template

register = template.Library()


@register.filter
def pick(value: Any, key: Any) -> Any:
    """``row|pick:key``: a dict's entry (keys of the coverage figures are strings)."""
    if isinstance(value, dict):
        return value.get(str(key), value.get(key))
    return None


@register.filter
def percent(value: Any) -> str:
    if value is None:
        return "—"
    return f"{float(value) * 100:.1f}%"
