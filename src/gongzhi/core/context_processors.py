"""What every page shows: the navigation the user's roles open, and what the apps add (registry)."""

from typing import Any

from django.urls import reverse

from gongzhi.core.registry import (
    NAV_BAR_UP_TO,
    NAV_FLAT_UP_TO,
    NAV_MORE,
    NAV_SECTIONS,
    extra_context,
    nav_entries,
)
from gongzhi.core.rules import is_viewer_only


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = nav_entries(user)
    items = [(entry.key, entry.label, reverse(entry.url_name)) for entry in entries]
    # The current section is the one whose link is the longest prefix of the path.
    matches = [(len(url), key) for key, _label, url in items if request.path.startswith(url) and url != "/"]
    current = max(matches)[1] if matches else ("home" if request.path == "/" else "")
    menu = _menu(entries, items, current)
    return {
        "nav_items": items,
        "nav_menu": menu,
        "nav_grouped": len(menu) < len(items),
        "nav_bar": len(menu) < len(items) <= NAV_FLAT_UP_TO,
        "nav_current": current,
        # Pages leave out what a figures-only viewer cannot do (exchange, claim, post).
        "viewer_only": is_viewer_only.test(user),
        **extra_context(request),
    }


def _menu(entries: list[Any], items: list[tuple[str, Any, str]], current: str) -> list[dict[str, Any]]:
    """The main menu as shown. A short menu (a resident's) keeps its ``bar`` entries on the bar and the
    others under "More" (all of it flat when it fits); a long one shows the entries without a section on the
    top row and folds the others into their section (a section holding one entry shows that entry itself)."""
    links = [{"key": key, "label": label, "url": url} for key, label, url in items]
    if len(links) <= NAV_BAR_UP_TO + 1:
        return links
    if len(links) <= NAV_FLAT_UP_TO:
        on_bar = [link for entry, link in zip(entries, links, strict=True) if entry.bar][:NAV_BAR_UP_TO]
        on_bar = on_bar or links[:NAV_BAR_UP_TO]
        more = [link for link in links if link not in on_bar]
        return [
            *on_bar,
            {
                "key": "more",
                "label": NAV_MORE,
                "entries": more,
                "current": any(m["key"] == current for m in more),
            },
        ]
    top: list[dict[str, Any]] = []
    folded: dict[str, list[dict[str, Any]]] = {section: [] for section in NAV_SECTIONS}
    for entry, link in zip(entries, links, strict=True):
        folded.get(entry.section, top).append(link)
    for section, members in folded.items():
        if len(members) == 1:
            top.append(members[0])
        elif members:
            top.append(
                {
                    "key": section,
                    "label": NAV_SECTIONS[section],
                    "entries": members,
                    "current": any(m["key"] == current for m in members),
                }
            )
    return top
