"""What the plan tests (tests/core/test_plans.py) count as a plan that grows with the data, on SQLite's
EXPLAIN QUERY PLAN lines: checked on fixed plans, on the test database's indexes."""

import pytest
from django.db import connection

from gongzhi.core.plans import plan_problems

# The rules read the unique indexes of the tables a plan names (PRAGMA index_list).
pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan lines"),
    pytest.mark.django_db,
]

LARGE = {"appeals_appeal"}


def problems(plan: list[str], *, limited: bool = True, sorted_ok: bool = False) -> list[str]:
    return plan_problems(plan, large=LARGE, sorted_ok=sorted_ok, limited=limited)


def test_a_sort_of_rows_from_a_large_table_fails():
    plan = ["SEARCH appeals_appeal USING INDEX appeal_queue (status=?)", "USE TEMP B-TREE FOR ORDER BY"]
    assert problems(plan) == ["USE TEMP B-TREE FOR ORDER BY"]
    assert problems(plan, sorted_ok=True) == []


def test_a_sort_of_small_tables_only_passes():
    # One appeal's photos, a node's staff: few rows whatever the size of the data.
    plan = [
        "SEARCH appeals_appealphoto USING INDEX appeals_appealphoto_appeal_id (appeal_id=?)",
        "USE TEMP B-TREE FOR ORDER BY",
    ]
    assert problems(plan) == []


def test_a_subquery_alias_counts_as_a_large_table():
    plan = ["SEARCH U0 USING INDEX appeal_queue (status=?)", "USE TEMP B-TREE FOR ORDER BY"]
    assert problems(plan) == ["USE TEMP B-TREE FOR ORDER BY"]


def test_sorting_the_rest_of_an_ordered_walk_passes_only_under_a_limit():
    plan = [
        "SCAN appeals_appeal USING INDEX appeal_by_month",
        "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY",
    ]
    assert problems(plan) == []
    assert problems(plan, limited=False) == plan


def test_a_whole_read_of_a_large_table_fails():
    assert problems(["SCAN appeals_appeal"]) == ["SCAN appeals_appeal"]
    assert problems(["SCAN appeals_appeal USING INDEX appeal_by_date"]) == []
    assert problems(["SCAN appeals_appeal USING INDEX appeal_by_date"], limited=False) != []


def test_a_large_table_looked_up_by_a_key_is_not_read_in_bulk():
    # One node by its unique path and a row by its id: the sort is of the small table's rows.
    plan = [
        "SEARCH orgs_node USING COVERING INDEX sqlite_autoindex_orgs_node_1 (path=?)",
        "SEARCH accounts_rolebinding USING INDEX accounts_rolebinding_node_id_4ae71731 (node_id=?)",
        "SEARCH appeals_appeal USING INTEGER PRIMARY KEY (rowid=?)",
        "USE TEMP B-TREE FOR ORDER BY",
    ]
    large = {"orgs_node", "appeals_appeal"}
    assert plan_problems(plan, large=large, sorted_ok=False, limited=True) == []
    # A range of the same unique index reads many nodes.
    plan[0] = "SEARCH orgs_node USING COVERING INDEX sqlite_autoindex_orgs_node_1 (path>? AND path<?)"
    assert plan_problems(plan, large=large, sorted_ok=False, limited=True) == ["USE TEMP B-TREE FOR ORDER BY"]
