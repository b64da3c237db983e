"""Typing for requests that have passed authentication (login_required views, authenticated API handlers)."""

from django.http import HttpRequest

from gongzhi.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]
