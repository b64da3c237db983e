"""Plans of the appeals requests whose cost grew with the table at 100,000 appeals on SQLite (issue 21, fifth
round in docs/benchmarks.md), on the plan tests' seeded world (tests/core/test_plans.py):

- the neighbours' list and its count read ``appeal_public_open`` alone (its scope tests
  ``hidden_from_neighbours``, which the index lacked: a table row read for each of the compound's open
  appeals, to count them), a page merged from one ordered walk per place, not sorted;
- a queue over more handling nodes than are merged (a subdistrict's hundred) walks ``appeal_open_by_due``
  with each entry's node and status in the index: a middle page steps over index entries, not rows.
"""

import re

import pytest
from django.db import connection

from gongzhi.appeals import selectors
from gongzhi.core.plans import explain, large_tables, plan_problems
from tests.core import test_plans as core_plans

pytestmark = pytest.mark.postgres

plan_world = core_plans.plan_world  # the plan tests' seeded world, as a fixture of this module too


def _selects(client, path: str) -> list[tuple[str, tuple]]:
    """The SELECTs the request ran, with their parameters (SQLite plans a statement before binding them)."""
    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return [(sql, p) for sql, p in captured if sql.lstrip().upper().startswith(("SELECT", "(SELECT"))]


def _problems(selects, **rules) -> tuple[list[str], list[str]]:
    """Every plan line of the appeal reads, and what is wrong with them."""
    lines, problems = [], []
    for sql, params in selects:
        if "appeals_appeal" not in sql:
            continue
        plan = explain(sql, params)
        lines += plan
        limited = re.search(r"\bLIMIT\b", sql, re.IGNORECASE) is not None
        found = plan_problems(plan, large=large_tables(), limited=limited, **rules)
        problems += [f"{sql}\n  {line}" for line in found]
    return lines, problems


@pytest.mark.parametrize("offset", [0, 40])
def test_the_neighbours_list_and_its_count_come_from_the_public_index_alone(plan_world, api_login, offset):
    client = api_login(plan_world.users["resident"])
    selects = _selects(client, f"/api/v1/appeals/neighbours?limit=25&offset={offset}")
    lines, problems = _problems(selects, sorted_ok=False, index_only=("appeals_appeal",))
    assert not problems, "\n".join(problems)
    if connection.vendor == "sqlite":
        # The page merged from ordered walks, and the count, both through the public index.
        assert any("MERGE (UNION ALL)" in line for line in lines), lines
        assert sum("COVERING INDEX appeal_public_open" in line for line in lines) >= 2, lines


def test_the_neighbours_pages_follow_the_lists_order(plan_world):
    from gongzhi.core.pagination import page_by_ids

    appeals = selectors.public_appeals(fetched_by=plan_world.users["resident"], status="open")
    assert getattr(appeals, "page_ids", None) is not None, "the merge serves the list"
    expected = list(appeals.values_list("pk", flat=True))  # one query, sorted by the database
    assert len(expected) > 100
    for offset in (0, 25, 50, len(expected) - 10):
        assert [a.pk for a in page_by_ids(appeals, offset, 25)] == expected[offset : offset + 25]


@pytest.mark.parametrize("page", ["limit=25", "limit=25&offset={queue_middle}"])
def test_a_queue_over_many_handling_nodes_walks_the_due_index_alone(plan_world, api_login, monkeypatch, page):
    # The subdistrict of the test world has fewer handling nodes than a real one (107 in the benchmark's): as
    # many as are merged is made 1 here, so the subdistrict administrator's queue takes the single walk.
    monkeypatch.setattr(selectors, "MERGED_QUEUE_NODES", 1)
    client = api_login(plan_world.users["subdistrict_admin"])
    path = "/api/v1/appeals/queue?" + page.format(**plan_world.values)
    lines, problems = _problems(_selects(client, path), sorted_ok=False, scope_from_index=True)
    assert not problems, "\n".join(problems)
    if connection.vendor == "sqlite":
        assert "SCAN appeals_appeal USING COVERING INDEX appeal_open_by_due" in lines, lines


def _captured(call) -> list[tuple[str, tuple]]:
    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        call()
    return [(sql, p) for sql, p in captured if sql.lstrip().upper().startswith(("SELECT", "(SELECT"))]


def test_whether_staff_have_appeals_of_their_own_reads_only_theirs(plan_world):
    # The appeals menu asks it of every user; a subdistrict administrator's reach holds every appeal.
    admin = plan_world.users["subdistrict_admin"]
    selects = _captured(lambda: selectors.own_appeals(fetched_by=admin).exists())
    lines, problems = _problems(selects, sorted_ok=False, index_only=("appeals_appeal",))
    assert not problems, "\n".join(problems)
    if connection.vendor == "sqlite":
        assert not any("appeals_appeal_node_id" in line for line in lines), lines


def test_the_duplicate_pool_walks_the_open_appeals_newest_first(plan_world):
    from gongzhi.appeals.models import OPEN_STATUS_ORDER, Appeal

    # unscoped: an open appeal of the roles' compound, to look for its duplicates
    appeal = Appeal.objects.filter(node=plan_world.cmp_a1a, status__in=OPEN_STATUS_ORDER).first()
    commissioner = plan_world.users["commissioner"]
    selects = _captured(lambda: selectors.duplicate_candidates(fetched_by=commissioner, appeal=appeal))
    lines, problems = _problems(selects, sorted_ok=False)
    assert not problems, "\n".join(problems)
    if connection.vendor == "sqlite":
        assert any("appeal_open_by_date" in line for line in lines), lines
