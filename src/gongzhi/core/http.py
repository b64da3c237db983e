"""Small HTTP helpers: Excel downloads and numbers typed into forms."""

import math

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel download."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def posted_int(value: object, default: int) -> int:
    """A whole number typed into a form, or ``default`` when it is not one."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def posted_number(value: object) -> float | None:
    """A finite number typed into a form (a multiplier, a coordinate), or None."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
