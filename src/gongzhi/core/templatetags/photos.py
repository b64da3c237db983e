"""``{% photo obj %}``: an object's photo, or its kind's drawn placeholder (``core.photos``);
``{% photo_edit_url obj %}``: where staff change it."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from gongzhi.core.photos import may_manage_photo, photo_url, slot_for, stored_photo

register = template.Library()


@register.simple_tag
def photo(obj: Any, size: str = "card", alt: str = "") -> str:
    """A lazily loaded picture of 4:3 (``size`` "card" in lists, "wide" on an object's page); a placeholder is
    decorative (no alternative text), a real photo is described by ``alt`` (default: the object's name)."""
    slot = slot_for(obj)
    if slot is None:
        return ""
    real = bool(stored_photo(obj, slot))
    width, height = (320, 240) if size == "card" else (960, 720)
    return format_html(
        '<img class="photo photo-{}{}" src="{}" alt="{}" width="{}" height="{}" loading="lazy" decoding="async">',
        size,
        "" if real else " placeholder",
        photo_url(obj, thumb=real and size == "card"),
        (alt or str(obj)) if real else "",
        width,
        height,
    )


@register.simple_tag
def photo_edit_url(obj: Any) -> str:
    slot = slot_for(obj)
    return reverse("core:photo_edit", args=[slot.kind, obj.pk]) if slot else ""


@register.simple_tag(takes_context=True)
def photo_editable(context: template.Context, obj: Any) -> bool:
    """Whether the signed-in user may change ``obj``'s photo (one query)."""
    user = context.get("user")
    return bool(user is not None and user.is_authenticated and may_manage_photo(user, obj))
