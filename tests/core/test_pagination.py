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


def _appeals_with_ties(world, n=40):
    """Appeals in the sub-admin's reach, several filed at the same moment and with the same support (the id
    breaks the tie), so that a cursor must carry every column of the order to continue at the right row."""
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.appeals.models import Appeal, Status, Tier

    now = timezone.now().replace(microsecond=123456)
    Appeal.objects.bulk_create(
        Appeal(
            node=world.cmp_a1a,
            handling_node=world.cmp_a1a,
            tier=Tier.COMPOUND,
            status=Status.SUBMITTED,
            title=f"诉求{i}",
            body="楼道照明",
            created_at=now - timedelta(minutes=i // 4),  # four at each moment
            support_up=i % 3,
        )
        for i in range(n)
    )


def _walk(client, url):
    """Every row of a list, following ``next`` from the first page; and the pages' sizes."""
    ids, sizes = [], []
    body = client.get(url).json()
    while True:
        ids += [row["id"] for row in body["items"]]
        sizes.append(len(body["items"]))
        if not body["next"]:
            return ids, sizes
        body = client.get(f"{url}&after={body['next']}").json()


@pytest.mark.parametrize("url", ["/api/v1/appeals?limit=7", "/api/v1/appeals?limit=7&status=open"])
def test_following_next_gives_every_row_once_in_the_lists_order(world, api_login, url):
    _appeals_with_ties(world)
    client = api_login(world.sub_admin)
    by_offset = [row["id"] for row in client.get(url.replace("limit=7", "limit=100")).json()["items"]]
    assert len(by_offset) == 40
    ids, sizes = _walk(client, url)
    assert ids == by_offset
    assert sizes == [7, 7, 7, 7, 7, 5]


def test_the_neighbours_list_continues_by_support_then_date(world, api_login):
    """Ordered by support, then filing time, then id (descending): a cursor made on a page's last row."""
    from gongzhi.appeals.selectors import public_appeals
    from gongzhi.core.pagination import after_cursor, cursor_of

    _appeals_with_ties(world)
    lst = public_appeals(fetched_by=world.resident, status=None)
    expected = list(lst.values_list("pk", flat=True))
    assert len(expected) == 40
    for cut in (0, 5, 13, 39):
        row = lst.get(pk=expected[cut])
        rest = after_cursor(lst, cursor_of(lst, row))
        assert list(rest.values_list("pk", flat=True)) == expected[cut + 1 :]


def test_a_cursor_from_elsewhere_or_with_an_offset_is_refused_and_named(world, api_login):
    _appeals_with_ties(world, n=5)
    client = api_login(world.sub_admin)
    first = client.get("/api/v1/appeals?limit=2").json()
    huge_id = "W1siY3JlYXRlZF9hdCIsICJpZCJdLCBbIjIwMjYtMDEtMDFUMDA6MDA6MDArMDA6MDAiLCAiMTE4MDU5MTYyMDcxNzQxMTMwMzQyNCJdXQ"
    for bad in ("not-a-cursor", "W1siaWQiXSxbIjEiXV0", first["next"][:-3] + "xyz", huge_id):
        reply = client.get(f"/api/v1/appeals?limit=2&after={bad}")
        assert reply.status_code == 422, bad
        assert reply.json()["code"] == "bad_cursor"
        assert "after" in reply.json()["fields"]
    both = client.get(f"/api/v1/appeals?limit=2&offset=2&after={first['next']}")
    assert both.status_code == 422 and both.json()["code"] == "bad_page"
    # The queue's due dates may be empty: it pages by offset and says so, never gives a cursor.
    queue = client.get("/api/v1/appeals/queue?limit=2").json()
    assert queue["next"] is None and len(queue["items"]) == 2
    refused = client.get(f"/api/v1/appeals/queue?limit=2&after={first['next']}")
    assert refused.status_code == 422 and refused.json()["code"] == "no_cursor"
