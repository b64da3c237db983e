"""Query plans of the hot requests: what each role asks for most (lists, queues, details, counts), read with
``EXPLAIN QUERY PLAN`` on SQLite and ``EXPLAIN`` on PostgreSQL, so that a plan which scans a large table or
sorts its rows in a temporary structure fails a test instead of slowing a sub-district down at 100,000 rows.

Each app that has large tables keeps a ``hot_queries`` module beside its selectors with:

- ``LARGE_TABLES``: its tables that grow with the population or with time (appeals, residents, entries …);
- ``HOT_REQUESTS``: ``HotRequest`` entries, one per API request or web page a role asks for often;
- ``seed(world)``: bulk rows for those tables in the plan test's world, returning the values the requests'
  placeholders name (e.g. ``{"appeal": 42}`` for ``/api/v1/appeals/{appeal}``).

``tests/core/test_plans.py`` runs every request as its role, captures the SQL it ran and checks each plan.
``bench/sqlite.py`` times the same requests.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.db import connection


@dataclass(frozen=True)
class HotRequest:
    """A request a role makes often: an API call, or a web page (a path outside /api/, fetched signed in,
    its whole page with menu and counts). ``path`` may name seeded values in braces ({appeal}, {node}).

    ``sorted_ok`` says why a sort in a temporary structure is fine for this request (its rows are bounded
    by something small, e.g. one resident's own appeals); empty means none is allowed."""

    name: str
    role: str
    path: str
    sorted_ok: str = ""
    kind: str = "first page"  # first page, middle page, detail, KPI (the benchmark's budgets differ)
    # Why reading the large table whole is accepted for now (a known gap, named so it is not forgotten).
    reads_all: str = ""
    # The page is found without reading rows of the table it does not return: an index walked in the
    # page's order (SQLite's "SCAN t USING INDEX") must hold the scope's columns too ("USING COVERING
    # INDEX"), or it reads the table for every entry it steps over (other places' rows, closed ones).
    scope_from_index: bool = False
    # "table.index": the only indexes (besides the primary key) the request may read that table by, where
    # another would read many rows the request drops (e.g. every closed appeal of a compound for its open ones).
    through: tuple[str, ...] = ()
    # Tables whose every read through one of their indexes is answered from the index (SQLite's "USING
    # COVERING INDEX"), the primary key and one-row lookups aside: a list or count whose scope tests a column
    # the index lacks reads a table row for each entry it looks at, those it then drops or only counts too.
    index_only: tuple[str, ...] = ()


def hot_query_modules() -> list[ModuleType]:
    """The ``hot_queries`` module of every installed Gongzhi app that has one."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        try:
            modules.append(import_module(f"{config.name}.hot_queries"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.hot_queries":
                raise
    return modules


def large_tables() -> set[str]:
    return {t for m in hot_query_modules() for t in getattr(m, "LARGE_TABLES", ())}


def explain(sql: str, params: Iterable[Any] = ()) -> list[str]:
    """The plan of ``sql`` as lines: SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's plan nodes as
    "Node Type on relation (rows=…)" with their nesting shown by indentation."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", list(params))
            return [row[3] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", list(params))
        raw = cursor.fetchone()[0]
        plan = json.loads(raw) if isinstance(raw, str) else raw
        cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
        sizes = {name: int(n) for name, n in cursor.fetchall()}
        lines: list[str] = []
        _pg_lines(plan[0]["Plan"], 0, lines, sizes)
        return lines


def _pg_lines(node: dict[str, Any], depth: int, out: list[str], sizes: dict[str, int]) -> None:
    relation = node.get("Relation Name")
    index = node.get("Index Name")
    text = node["Node Type"] + (f" on {relation}" if relation else "") + (f" using {index}" if index else "")
    table = f", of {sizes.get(relation, 0)}" if relation else ""
    out.append("  " * depth + f"{text} (rows={node.get('Plan Rows', 0)}{table})")
    for child in node.get("Plans", []):
        _pg_lines(child, depth + 1, out, sizes)


# PostgreSQL reads small tables whole and sorts a few thousand index tuples in memory by choice (a top-N
# sort of one compound's appeals is well under a millisecond); these are the sizes from which a whole read
# or a sort is a plan that grows with the table. The seeded tables hold 20,000 rows, so a sort of a large
# share of them still fails. SQLite gives no estimate: any temporary sort fails there.
PG_LARGE_ROWS = 5_000
PG_SORT_ROWS = 5_000


def _one_row(words: list[str]) -> bool:
    """Whether a SQLite ``SEARCH`` step finds at most one row: by the primary key, or by equality on every
    column of a unique index."""
    text = " ".join(words)
    if "USING INTEGER PRIMARY KEY (rowid=?)" in text:
        return True
    if "INDEX" not in words or "(" not in text:
        return False
    index = words[words.index("INDEX") + 1]
    terms = text[text.index("(") + 1 : text.rindex(")")].split(" AND ")
    if not all(re.fullmatch(r"\w+=\?", term) for term in terms):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA index_list({words[1]})")
        unique = {row[1] for row in cursor.fetchall() if row[2]}
        if index not in unique:
            return False
        cursor.execute(f"PRAGMA index_info({index})")
        return len(cursor.fetchall()) == len(terms)


def plan_problems(
    plan: list[str],
    *,
    large: set[str],
    sorted_ok: bool,
    limited: bool,
    reads_all: bool = False,
    scope_from_index: bool = False,
    through: tuple[str, ...] = (),
    index_only: tuple[str, ...] = (),
) -> list[str]:
    """What is wrong with ``plan`` (lines from ``explain``) at scale: a large table read whole, or rows
    sorted in a temporary structure where an index should give them in order (unless ``sorted_ok``).

    ``limited``: the statement has a LIMIT, so an index walked in the requested order stops at the page.
    ``reads_all``: a whole read is accepted for this request (a known gap).
    ``scope_from_index``: an ordered walk must be answered from the index (SQLite; PostgreSQL's plan
    lines do not say which columns a filter reads).
    ``through``: "table.index" entries, the only indexes (besides the primary key) the table may be read by
    (SQLite).
    ``index_only``: tables whose every index read is covering (SQLite)."""
    problems = []
    # A temporary sort matters where the statement reads a large table: rows of small ones (one appeal's
    # photos, a node's staff, the categories) stay few whatever the size of the data. A subquery's alias
    # (U0, T4) may stand for a large table, so it counts as one.
    # A large table looked up by a key (one row: its primary key, or every column of a unique index) is not
    # read in bulk either.
    steps = [line.split() for line in plan]
    tables = {
        words[1]
        for words in steps
        if words[:1] == ["SCAN"] or (words[:1] == ["SEARCH"] and len(words) > 1 and not _one_row(words))
    }
    reads_large = any(t in large or re.fullmatch(r"[TU]\d+", t) for t in tables)
    for line in plan:
        text = line.strip()
        if connection.vendor == "sqlite":
            words = text.split()
            if words[:1] == ["SCAN"] and len(words) > 1 and words[1] in large:
                # A bare SCAN reads the whole table; a SCAN USING INDEX walks it in an index's order, which
                # stops early only under a LIMIT.
                whole = ("USING" not in words or not limited) and not reads_all
                # A walk that is not covering reads the table for each entry, those it steps over too.
                reads_table = scope_from_index and "USING" in words and "COVERING" not in words
                if whole or reads_table:
                    problems.append(text)
            elif (
                "TEMP B-TREE" in text
                and not sorted_ok
                and reads_large
                and not (limited and "RIGHT PART" in text)
            ):
                # (A "RIGHT PART OF ORDER BY" under a LIMIT sorts rows already in the order's leading key, from
                # an index walked in order, a group at a time: PostgreSQL's incremental sort.)
                problems.append(text)
            if words[:1] in (["SCAN"], ["SEARCH"]) and len(words) > 1:
                allowed = [i.partition(".")[2] for i in through if i.partition(".")[0] == words[1]]
                index = words[words.index("INDEX") + 1] if "INDEX" in words else ""
                if allowed and index not in allowed and "PRIMARY KEY" not in text:
                    problems.append(text)
                if (
                    words[1] in index_only
                    and "INDEX" in words
                    and "COVERING" not in words
                    and "PRIMARY" not in words
                    and not _one_row(words)
                    and text not in problems
                ):
                    problems.append(text)
        else:
            node, _sep, figures = text.partition(" (rows=")
            relation = node.split(" on ")[1].split(" using ")[0] if " on " in node else ""
            rows, _sep, size = figures.rstrip(")").partition(", of ")
            whole = node.startswith("Seq Scan") and relation in large and int(size or 0) >= PG_LARGE_ROWS
            # An incremental sort orders rows already grouped by an index prefix, a group at a time.
            sort = node.startswith("Sort") and float(rows) >= PG_SORT_ROWS and not sorted_ok
            if (whole and not limited and not reads_all) or sort:
                problems.append(text)
    return problems
