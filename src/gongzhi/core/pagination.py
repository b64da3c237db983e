"""API pagination that costs about the same on the last page as on the first, at 100,000 rows.

- On SQLite the page's ids are read first (``values_list("pk")[offset:offset + limit]``): an offset then
  steps over index entries only, never over the joined rows of the pages before it; the page's rows are
  fetched by id.
  Offsets rather than keyset cursors, because the web UI and API clients page by number and the work queue's
  order (due dates that may be empty) makes cursors awkward; the indexes that serve each order keep the
  step over earlier entries cheap (docs/benchmarks.md).
- The count stops at ``COUNT_LIMIT`` + 1 rows: past it the answer says ``count_capped`` ("10,000+").
"""

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination, PaginationBase

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


class IndexedLimitOffsetPagination(PaginationBase):
    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=ninja_settings.PAGINATION_MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    class Output(Schema):
        items: list[Any]
        count: int
        count_capped: bool = Field(False, description=f"more than {COUNT_LIMIT:,} rows: count is a floor")

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ):
        count, capped = bounded_count(queryset)
        return {
            "items": page_by_ids(queryset, pagination.offset, pagination.limit),
            "count": count,
            "count_capped": capped,
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
