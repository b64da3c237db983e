"""What every page shows: the navigation the user's roles open, and what the apps add (registry)."""

from typing import Any

from django.urls import reverse

from gongzhi.core.registry import extra_context, nav_entries
from gongzhi.core.rules import is_viewer_only


def navigation(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(entry.key, entry.label, reverse(entry.url_name)) for entry in nav_entries(user)]
    # The current section is the one whose link is the longest prefix of the path.
    matches = [(len(url), key) for key, _label, url in items if request.path.startswith(url) and url != "/"]
    current = max(matches)[1] if matches else ("home" if request.path == "/" else "")
    return {
        "nav_items": items,
        "nav_current": current,
        # Pages leave out what a figures-only viewer cannot do (exchange, claim, post).
        "viewer_only": is_viewer_only.test(user),
        **extra_context(request),
    }
