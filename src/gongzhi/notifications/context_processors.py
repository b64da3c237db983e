from typing import Any

from gongzhi.notifications.selectors import unread_count


def unread(request: Any) -> dict[str, Any]:
    """The count beside ✉ in the top bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages": unread_count(fetched_by=user)}
