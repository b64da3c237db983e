"""Typing for requests that have passed authentication (login_required views, authenticated API handlers)."""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: "User"  # type: ignore[assignment]
