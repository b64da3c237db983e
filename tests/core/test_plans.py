"""Plan tests: every hot request of every app (``<app>/hot_queries.py``), run as its role on a seeded database,
must not read a large table whole nor sort its rows in a temporary structure where an index should serve.
Plans, not timings: they fail the same on a busy machine, and on SQLite as on PostgreSQL (``-m postgres``)."""

import re

import pytest
from django.db import connection
from django.test import Client

from gongzhi.core.plans import explain, hot_query_modules, large_tables, plan_problems
from gongzhi.core.roles import Role
from tests.accounts.factories import UserFactory, bind
from tests.orgs.factories import make_node

pytestmark = pytest.mark.postgres


@pytest.fixture
def plan_world(transactional_db, world):
    """The shared world with a sub-district's worth of compounds around the roles' compound, a property
    manager, and every app's large tables seeded (committed, so that PostgreSQL can VACUUM them)."""
    w = world
    w.compounds = [w.cmp_a1a, w.cmp_a1b, w.cmp_a2a, w.cmp_b1a]
    for community in (w.comm_a1, w.comm_a2, w.comm_b1):
        for k in range(6):
            w.compounds.append(make_node(community, "compound", f"{community.name}-小区{k}"))
    w.community_of, w.subdistrict_of = {}, {}
    for compound in w.compounds:
        compound.refresh_from_db()
        community = compound.get_parent()
        w.community_of[compound.pk] = community
        w.subdistrict_of[compound.pk] = community.get_parent()
    w.property_manager = UserFactory(username="a1a-property")
    bind(w.property_manager, Role.PROPERTY_MANAGER, w.cmp_a1a)
    w.resident_person = w.p_a1a
    w.users = {
        "resident": w.resident,
        "commissioner": w.commissioner,
        "property_manager": w.property_manager,
        "community_staff": w.a1_staff,
        "subdistrict_admin": w.sub_admin,
        "district_viewer": w.viewer,
    }
    w.values = {}
    for module in hot_query_modules():
        if hasattr(module, "seed"):
            w.values.update(module.seed(w))
    with connection.cursor() as cursor:
        # What the deployment does after loading data: gongzhi.core.sqlite on SQLite, autovacuum on
        # PostgreSQL (whose index-only scans count on the visibility map that VACUUM keeps).
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    return w


def test_hot_requests_neither_scan_large_tables_nor_sort_them(plan_world, api_login):
    large = large_tables()
    requests = [r for m in hot_query_modules() for r in getattr(m, "HOT_REQUESTS", ())]
    assert len(requests) >= 10 and large
    clients = {role: api_login(user) for role, user in plan_world.users.items()}
    # Web pages (paths outside /api/) are fetched as a signed-in browser would.
    pages = {}
    for role, user in plan_world.users.items():
        pages[role] = Client()
        pages[role].force_login(user)
    failures = []
    for hot in requests:
        path = hot.path.format(**plan_world.values)
        # The statements as the database prepares them, parameters bound: SQLite plans a statement before
        # it sees its parameters (a partial index may serve a literal and not a bound value).
        captured: list[tuple[str, tuple]] = []

        def capture(execute, sql, params, many, context, into=captured):
            into.append((sql, tuple(params or ())))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(capture):
            client = clients[hot.role] if path.startswith("/api/") else pages[hot.role]
            response = client.get(path)
        assert response.status_code == 200, (hot, response.content[:300])
        for sql, params in captured:
            # PostgreSQL's UNION branches come in parentheses.
            if not sql.lstrip().upper().startswith(("SELECT", "(SELECT")):
                continue
            limited = re.search(r"\bLIMIT\b", sql, re.IGNORECASE) is not None
            plan = explain(sql, params)
            problems = plan_problems(
                plan,
                large=large,
                sorted_ok=bool(hot.sorted_ok),
                limited=limited,
                reads_all=bool(hot.reads_all),
                scope_from_index=hot.scope_from_index,
                through=hot.through,
                index_only=hot.index_only,
            )
            if problems:
                failures.append(f"{hot.role} · {hot.name} ({path}):\n  {sql}\n  " + "\n  ".join(plan))
    assert not failures, f"{len(failures)} queries read large tables whole or sort them:\n\n" + "\n\n".join(
        failures
    )
