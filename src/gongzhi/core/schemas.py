"""Shapes every API router shares."""

from datetime import date, time
from typing import Annotated

from ninja import Field, Schema
from pydantic import WithJsonSchema

# Dates the service reckons with: a period reaching past these (0001-01-01, 9999-12-31) would overflow when
# turned into moments in the site's time zone.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY)]
# A time of day on the local clock ("08:30" or "08:30:00"). JSON Schema's format "time" is RFC 3339's, which
# needs an offset ("08:30:00+08:00"): opening hours have none, so the schema says what is sent.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"}
    ),
]


class ErrorOut(Schema):
    """Every error the API answers with (4xx): a stable code, a message in the caller's language and, for
    bad input (422), the message for each field."""

    code: str = Field(
        description="stable, for programs: invalid, forbidden, not_found, conflict, wrong_state …"
    )
    detail: str = Field(description="what went wrong, in the language of the request")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="bad input: the messages per field"
    )


def file_download(description: str, *content_types: str) -> dict:
    """The ``openapi_extra`` of an operation that answers 200 with a file rather than JSON: its 200 is
    documented with the file's types, so clients (and the API fuzz) know not to expect JSON. Declare the 200
    as ``None`` in the operation's ``response=`` (``bytes`` would document a JSON string), errors as usual."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": {t: binary for t in content_types}}}}
