"""Shapes every API router shares."""

from ninja import Field, Schema


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
