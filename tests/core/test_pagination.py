"""API pages: counts stop at a limit and say so; a page by ids keeps the list's order."""

import pytest

from gongzhi.core.pagination import bounded_count, page_by_ids
from gongzhi.orgs.models import Node

pytestmark = pytest.mark.postgres


def test_a_count_stops_at_its_limit_and_says_there_are_more(world):
    nodes = Node.objects.all()
    total = nodes.count()
    assert bounded_count(nodes, limit=total) == (total, False)
    assert bounded_count(nodes, limit=3) == (3, True)
    assert bounded_count(nodes.none(), limit=3) == (0, False)


def test_a_page_keeps_the_order_and_the_offset(world):
    nodes = Node.objects.order_by("-path")
    expected = list(nodes.values_list("pk", flat=True))
    assert [n.pk for n in page_by_ids(nodes, 0, 4)] == expected[:4]
    assert [n.pk for n in page_by_ids(nodes, 4, 4)] == expected[4:8]
    assert page_by_ids(nodes, len(expected), 4) == []


def test_the_appeals_list_says_whether_its_count_is_complete(world, api_login):
    body = api_login(world.sub_admin).get("/api/v1/appeals?limit=5").json()
    assert body["count_capped"] is False
    assert body["count"] == len(body["items"]) == 0
