"""API pagination that costs about the same on the last page as on the first, at 100,000 rows.

- On SQLite the page's ids are read first (``values_list("pk")[offset:offset + limit]``): an offset then
  steps over index entries only, never over the joined rows of the pages before it; the page's rows are
  fetched by id.
- An offset still steps over every entry before it, so a page deep in a large list costs more than the
  first. API lists that may grow large also take a cursor (``after``, the ``next`` of the previous page):
  the next rows are found by their order's values (keyset), which the same index seeks to directly, so the
  thousandth page costs what the first does. Clients that walk a whole list (exports, sync) follow ``next``.
  Only lists ordered by columns that are never empty take cursors (the work queue's due dates may be empty
  and sort differently on SQLite and PostgreSQL; it pages by offset through a covering index).
  The web pages page by number: their count stops at ``COUNT_LIMIT``, so no web page walks further.
- The count stops at ``COUNT_LIMIT`` + 1 rows: past it the answer says ``count_capped`` ("10,000+").
"""

import base64
import binascii
import json
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination, PaginationBase

from gongzhi.core.errors import ServiceError

COUNT_LIMIT = 10_000
# An offset past this is refused (422) rather than handed to the database, which takes at most 64 bits.
MAX_OFFSET = 1_000_000_000


class LimitOffset(LimitOffsetPagination):
    """ninja's limit/offset pagination with the offset bounded (the default of ``@paginate``)."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


def bounded_count(queryset: QuerySet[Any], limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many rows, counting at most ``limit`` + 1; and whether there are more than ``limit``."""
    n = queryset.order_by()[: limit + 1].count()
    return min(n, limit), n > limit


def page_by_ids(queryset: QuerySet[Any], offset: int, limit: int) -> list[Any]:
    """Rows ``offset`` to ``offset + limit`` of ``queryset`` in its order: on SQLite ids first, then those
    rows (SQLite joins every skipped row before it counts it off); on PostgreSQL one query measured
    faster than two (bench/run.py), so it reads the page directly. A queryset may carry ``page_ids(offset,
    limit)``, its selector's own way to the page's ids in order (the work queue merges one walk per node)."""
    page_ids = getattr(queryset, "page_ids", None)
    if (
        page_ids is not None
    ):  # the selector knows a cheaper way to the page's ids (e.g. the work queue's merge)
        ids = page_ids(offset, limit)
    elif connections[queryset.db].vendor != "sqlite":
        return list(queryset[offset : offset + limit])
    else:
        ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]


class PageError(ServiceError):
    default_code = "bad_page"


def _keyset_fields(queryset: QuerySet[Any]) -> list[tuple[Any, bool]] | None:
    """The queryset's order as (model field, descending) pairs, when every one is a column of the model
    itself that is never empty (so that "after this row" is one comparison per column); else None."""
    query = queryset.query
    meta = queryset.model._meta
    names = list(query.order_by) or (list(meta.ordering) if query.default_ordering else [])
    if not names or query.extra_order_by:
        return None
    fields = []
    for name in names:
        if not isinstance(name, str) or "__" in name or name.lstrip("-") == "?":
            return None
        try:
            field = meta.pk if name.lstrip("-") == "pk" else meta.get_field(name.lstrip("-"))
        except FieldDoesNotExist:
            return None
        if getattr(field, "null", True) or not getattr(field, "concrete", False) or field.is_relation:
            return None
        fields.append((field, name.startswith("-")))
    if not any(field.primary_key for field, _desc in fields):
        return None  # without the id last, rows with equal values could be skipped or repeated
    return fields


def cursor_of(queryset: QuerySet[Any], row: Any) -> str | None:
    """The cursor that continues ``queryset`` after ``row`` (None when the list cannot take cursors)."""
    fields = _keyset_fields(queryset)
    if fields is None:
        return None
    values = [field.value_to_string(row) for field, _desc in fields]
    data = json.dumps([[f.name for f, _d in fields], values], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def after_cursor(queryset: QuerySet[Any], cursor: str) -> QuerySet[Any]:
    """``queryset``'s rows after the row ``cursor`` was made from, in the same order: for an order (a, b,
    id) descending, ``a <= A and (a < A or (a = A and (b < B or (b = B and id < ID))))`` — the first
    comparison lets the index seek straight to the cursor's place."""
    fields = _keyset_fields(queryset)
    if fields is None:
        raise PageError.invalid(_("This list pages by offset only."), field="after", code="no_cursor")
    bad = PageError.invalid(_("This is not a cursor of this list."), field="after", code="bad_cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        names, raw = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if names != [f.name for f, _d in fields] or not isinstance(raw, list) or len(raw) != len(fields):
            raise bad
        values = [field.to_python(value) for (field, _desc), value in zip(fields, raw, strict=True)]
        if any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in values):
            raise bad  # a database integer is 64 bits: larger ones cannot be a row's
    except (ValueError, TypeError, binascii.Error, ValidationError, UnicodeError) as exc:
        raise bad from exc
    condition = Q()
    for (field, desc), value in reversed(list(zip(fields, values, strict=True))):
        beyond = Q(**{f"{field.attname}__{'lt' if desc else 'gt'}": value})
        condition = beyond if not condition else beyond | (Q(**{field.attname: value}) & condition)
    first, desc = fields[0]
    seek = Q(**{f"{first.attname}__{'lte' if desc else 'gte'}": values[0]})
    return queryset.filter(seek & condition)


class IndexedLimitOffsetPagination(PaginationBase):
    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)
        after: str | None = Field(
            None,
            max_length=2000,
            description="the `next` of the previous page: the rows after it (instead of an offset; a page deep "
            "in a long list then costs what the first does)",
        )

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool = Field(False, description=f"more than {COUNT_LIMIT:,} rows: count is a floor")
        next: str | None = Field(
            None,
            description="pass as `after` for the next page; empty on the last page and on lists that "
            "page by offset only",
        )

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ):
        count, capped = bounded_count(queryset)
        if pagination.after:
            if pagination.offset:
                raise PageError.invalid(
                    _("Give either an offset or a cursor, not both."), field="offset", code="bad_page"
                )
            items = page_by_ids(after_cursor(queryset, pagination.after), 0, pagination.limit)
        else:
            items = page_by_ids(queryset, pagination.offset, pagination.limit)
        full = len(items) == pagination.limit
        return {
            "items": items,
            "count": count,
            "count_capped": capped,
            "next": cursor_of(queryset, items[-1]) if full else None,
        }


class BoundedPaginator(Paginator):
    """Django's ``Paginator`` for the web lists, with the API's costs: the count stops at ``COUNT_LIMIT``
    rows (``count_capped`` then says the last page is not the end) and a page's rows come through
    ``page_by_ids``, so a deep page costs about what the first does."""

    count_capped = False
    count_limit = COUNT_LIMIT

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        n, self.count_capped = bounded_count(self.object_list, self.count_limit)
        return n

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        if not isinstance(self.object_list, QuerySet):
            return super().page(number)
        offset = (number - 1) * self.per_page
        return Page(page_by_ids(self.object_list, offset, self.per_page), number, self)
