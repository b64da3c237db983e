"""The web topic lists (议事协商: topics near me, one state) read a page by the place index: each council
place's topics newest first from ``topic_by_node`` / ``topic_by_place``, merged, then those rows by key; no
statement reads the topic table whole or sorts its rows (core.plans, the rules of tests/core/test_plans.py).
On SQLite here, on PostgreSQL too with ``-m postgres``."""

import re

import pytest
from django.db import connection
from django.test import Client

from gongzhi.core.plans import explain, plan_problems
from gongzhi.deliberation import hot_queries
from gongzhi.deliberation.models import Topic, TopicStatus
from tests.orgs.factories import make_node

pytestmark = pytest.mark.postgres


@pytest.fixture
def many_topics(transactional_db, world):
    """5,000 topics over five years in the councils of 24 compounds and their communities."""
    world.compounds = [world.cmp_a1a, world.cmp_a1b, world.cmp_a2a, world.cmp_b1a]
    for community in (world.comm_a1, world.comm_a2, world.comm_b1):
        for k in range(6):
            world.compounds.append(make_node(community, "compound", f"{community.name}-小区{k}"))
    world.community_of = {}
    for compound in world.compounds:
        compound.refresh_from_db()
        world.community_of[compound.pk] = compound.get_parent()
    hot_queries.seed(world, count=5_000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    return world


def _page_sql(user, path: str) -> tuple[str, list[tuple[str, tuple]]]:
    client = Client()
    client.force_login(user)
    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), captured


@pytest.mark.parametrize(
    ("who", "path", "leave_out", "only"),
    [
        ("resident", "/deliberation/", {TopicStatus.DECLINED}, None),
        ("a1_staff", "/deliberation/", {TopicStatus.DECLINED}, None),
        ("a1_staff", "/deliberation/?status=proposed", set(), TopicStatus.PROPOSED),
        ("sub_admin", "/deliberation/?status=done", set(), TopicStatus.DONE),
    ],
)
def test_the_topic_list_pages_walk_the_place_index(many_topics, who, path, leave_out, only):
    user = getattr(many_topics, who)
    html, captured = _page_sql(user, path)
    # The topic list (the overdue action items beside it are few: hot_queries says why they may be sorted).
    reads = [(sql, params) for sql, params in captured if 'FROM "deliberation_topic"' in sql]
    assert reads, "the page read no topics"
    failures = []
    for sql, params in reads:
        if not sql.lstrip().upper().startswith(("SELECT", "(SELECT")):
            continue
        plan = explain(sql, params)
        limited = re.search(r"\bLIMIT\b", sql, re.IGNORECASE) is not None
        found = plan_problems(
            plan, large=set(hot_queries.LARGE_TABLES), sorted_ok=False, limited=limited, reads_all=False
        )
        if found:
            failures.append(f"{sql}\n  " + "\n  ".join(plan))
    assert not failures, "\n\n".join(failures)

    # The page lists the newest 100 of what the user sees, in order.
    seen = Topic.objects.visible_to(user, "view").order_by("-id")
    if only:
        seen = seen.filter(status=only)
    if leave_out:
        seen = seen.exclude(status__in=leave_out)
    expected = list(seen.values_list("pk", flat=True)[:100])
    topic_list = html.split('<ul class="topics">', 1)[1].split("</ul>", 1)[0]
    listed = [int(pk) for pk in re.findall(r'href="/deliberation/topics/(\d+)/"', topic_list)]
    assert len(expected) == 100 and listed == expected
