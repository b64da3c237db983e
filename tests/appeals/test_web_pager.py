"""The web list of appeals pages like the API: the pager keeps the tab and filter it was opened with, a page
is the list's own rows in order, and the count stops at a limit ("more than N pages")."""

import re

from gongzhi.appeals.models import Appeal, Status, Tier
from gongzhi.appeals.selectors import appeal_list
from gongzhi.core.pagination import BoundedPaginator


def _seed(world, n=65):
    Appeal.objects.bulk_create(
        Appeal(
            node=world.cmp_a1a,
            handling_node=world.cmp_a1a,
            tier=Tier.COMPOUND,
            status=Status.CLOSED,
            title=f"诉求{i}",
            body="楼道照明",
        )
        for i in range(n)
    )


def test_next_page_keeps_the_tab_and_the_status(client, world):
    _seed(world)
    client.force_login(world.a1_staff)
    first = client.get("/appeals/", {"view": "all", "status": "closed"})
    assert first.status_code == 200
    links = re.findall(r'href="(\?[^"]*page=2[^"]*)"', first.content.decode())
    assert links, "a second page is offered"
    nxt = links[0].replace("&amp;", "&")
    assert "view=all" in nxt and "status=closed" in nxt
    second = client.get("/appeals/" + nxt)
    assert second.context["view"] == "all"
    shown = [a.pk for a in second.context["page"].object_list]
    expected = list(appeal_list(fetched_by=world.a1_staff, status="closed").values_list("pk", flat=True))
    assert shown == expected[30:60]


def test_the_count_stops_at_its_limit(world):
    _seed(world, n=12)

    class Small(BoundedPaginator):
        count_limit = 5

    queryset = appeal_list(fetched_by=world.a1_staff, status="closed")
    paginator = Small(queryset, 2)
    assert paginator.count == 5 and paginator.count_capped
    assert paginator.num_pages == 3
    assert [a.pk for a in paginator.page(2).object_list] == list(queryset.values_list("pk", flat=True))[2:4]
    whole = BoundedPaginator(queryset, 2)
    assert whole.count == 12 and not whole.count_capped
