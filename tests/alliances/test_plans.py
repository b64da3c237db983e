"""Plan tests of the alliances' hot requests alone (``alliances/hot_queries.py``; tests/core/test_plans.py runs
them with every app's): on a seeded database the lists of needs, resources, projects, proposals and transfers,
a need's candidates and a unit's own items are paged in SQL through an index, neither reading a large table
whole nor sorting its rows in a temporary structure."""

import re

import pytest
from django.db import connection
from django.test import Client

from gongzhi.alliances import hot_queries
from gongzhi.core.plans import explain, plan_problems
from tests.orgs.factories import make_node

pytestmark = pytest.mark.postgres


@pytest.fixture
def alliance_plan_world(transactional_db, world):
    w = world
    w.compounds = [w.cmp_a1a, w.cmp_a1b, w.cmp_a2a, w.cmp_b1a]
    for community in (w.comm_a1, w.comm_a2, w.comm_b1):
        for k in range(3):
            w.compounds.append(make_node(community, "compound", f"{community.name}-小区{k}"))
    w.users = {
        "resident": w.resident,
        "commissioner": w.commissioner,
        "community_staff": w.a1_staff,
        "subdistrict_admin": w.sub_admin,
    }
    w.values = hot_queries.seed(w)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    return w


def _problems(world, hot, client) -> list[str]:
    path = hot.path.format(**world.values)
    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = client.get(path)
    assert response.status_code == 200, (hot, response.content[:300])
    found = []
    for sql, params in captured:
        if not sql.lstrip().upper().startswith(("SELECT", "(SELECT")):
            continue
        plan = explain(sql, params)
        problems = plan_problems(
            plan,
            large=set(hot_queries.LARGE_TABLES),
            sorted_ok=bool(hot.sorted_ok),
            limited=re.search(r"\bLIMIT\b", sql, re.IGNORECASE) is not None,
            reads_all=bool(hot.reads_all),
            scope_from_index=hot.scope_from_index,
            through=hot.through,
        )
        if problems:
            found.append(f"{hot.role} · {hot.name} ({path}):\n  {sql[:600]}\n  " + "\n  ".join(plan))
    return found


def test_the_alliances_hot_requests_page_by_an_index(alliance_plan_world, api_login):
    w = alliance_plan_world
    assert len(hot_queries.HOT_REQUESTS) >= 15
    clients = {}
    for role, user in w.users.items():
        clients[("api", role)] = api_login(user)
        clients[("page", role)] = Client()
        clients[("page", role)].force_login(user)
    failures = []
    for hot in hot_queries.HOT_REQUESTS:
        kind = "api" if hot.path.startswith("/api/") else "page"
        failures += _problems(w, hot, clients[(kind, hot.role)])
    assert not failures, f"{len(failures)} queries read large tables whole or sort them:\n\n" + "\n\n".join(
        failures
    )


def test_the_lists_answer_one_page_and_count_in_sql(alliance_plan_world, api_login):
    """A page of 25 is 25 rows read by id, whatever the size of the list; the count is the list's."""
    w = alliance_plan_world
    staff = api_login(w.sub_admin)
    first = staff.get("/api/v1/needs?limit=25").json()
    second = staff.get("/api/v1/needs?limit=25&offset=25").json()
    assert len(first["items"]) == 25 and first["count"] > 1000
    assert not {n["id"] for n in first["items"]} & {n["id"] for n in second["items"]}
    urgencies = [(n["urgency"], n["id"]) for n in first["items"] + second["items"]]
    assert urgencies == sorted(urgencies, reverse=True)
    unit = api_login(w.users["alliance_unit"])
    mine = unit.get("/api/v1/resources?mine=true&limit=500").json()
    assert mine["count"] == len(mine["items"]) > 0
    assert {r["unit_id"] for r in mine["items"]} == {w.values["alliance_unit_id"]}
