"""The "my roles" card on the home page."""

from typing import Any

from gongzhi.accounts.selectors import user_role_bindings


def roles_card(request: Any) -> dict[str, Any]:
    return {"bindings": user_role_bindings(user=request.user)}
