"""Typing for requests that have passed authentication (login_required views, authenticated API handlers)."""

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from gongzhi.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: "User"  # type: ignore[assignment]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel download."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
