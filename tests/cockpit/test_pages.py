"""Who sees which cockpit and which panels, on the page and through the API; bad periods get a clear
error and the figures are aggregates only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.appeals.models import Appeal, AppealEvent
from gongzhi.cockpit.figures import modules_for, period_of
from gongzhi.cockpit.rollups import MARGIN, rollups_rebuild, rollups_refresh
from gongzhi.core.registry import measure_sources
from gongzhi.core.roles import Role
from gongzhi.wishes.models import Wish

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def counted(world):
    """Two appeals in 社区A1, one in 社区A2, one in 街道B; a wish in 小区A1a; rollups built."""
    for node in (world.cmp_a1a, world.cmp_a1b, world.cmp_a2a, world.cmp_b1a):
        Appeal.objects.create(node=node, handling_node=node, title="张三家漏水", body="13812341234 漏水")
    Wish.objects.create(node=world.cmp_a1a, wisher_name="张三", posted_by=world.resident, title="想要轮椅")
    rollups_rebuild()
    return world


def collected(panels):
    appeals = next(p for p in panels if p["app"] == "appeals")
    return next(t["value"] for t in appeals["tiles"] if t["key"] == "collected")


def test_each_role_sees_exactly_its_own_aggregates(counted, api_login):
    w = counted
    cases = [
        (w.viewer, w.district, 4),
        (w.sub_admin, w.sub_a, 3),
        (w.a1_staff, w.comm_a1, 2),
        (w.a1_secretary, w.comm_a1, 2),
        (w.a2_staff, w.comm_a2, 1),
        (w.commissioner, w.cmp_a1a, 1),
    ]
    for user, node, expected in cases:
        body = api_login(user).get(f"/api/v1/cockpit/nodes/{node.pk}").json()
        assert collected(body["panels"]) == expected, user.username
        ranked = next(p for p in body["panels"] if p["app"] == "appeals")["ranking"]["rows"]
        assert {r["node"] for r in ranked} == {c.pk for c in node.get_children()}
    # Out of reach: not found, on the page and in the API.
    for user, node in [
        (w.a1_staff, w.comm_a2),
        (w.a1_staff, w.sub_a),
        (w.sub_admin, w.sub_b),
        (w.commissioner, w.comm_a1),
        (w.resident, w.cmp_a1a),
    ]:
        assert api_login(user).get(f"/api/v1/cockpit/nodes/{node.pk}").status_code == 404, user.username


def test_nothing_personal_reaches_the_district_viewer(counted, login, api_login):
    body = api_login(counted.viewer).get(f"/api/v1/cockpit/nodes/{counted.district.pk}").content.decode()
    page = login(counted.viewer).get(reverse("cockpit:node", args=[counted.district.pk])).content.decode()
    for text in (body, page):
        assert "张三" not in text and "13812341234" not in text
    appeals = next(
        p
        for p in api_login(counted.viewer)
        .get(f"/api/v1/cockpit/nodes/{counted.district.pk}")
        .json()["panels"]
        if p["app"] == "appeals"
    )
    assert all(set(point) == {"name", "lat", "lng", "open", "late"} for point in appeals["map"])


def test_hot_issues_come_on_their_own_scoped(counted, login, api_login):
    """The page fetches the hot issues after it shows (hot.json; the API has its own call): the residents'
    words for the staff handling the appeals there, the category for the district viewer, 404 out of reach."""
    w = counted
    Appeal.objects.create(
        node=w.cmp_a1a, handling_node=w.cmp_a1a, title="张三家漏水", body="13812341234 漏水"
    )
    page = login(w.a1_staff).get(reverse("cockpit:node", args=[w.comm_a1.pk])).content.decode()
    assert "ck-hot-box" in page and "张三家漏水" not in page  # not in the page itself
    staff = login(w.a1_staff).get(reverse("cockpit:hot", args=[w.comm_a1.pk])).json()["hot"]
    assert staff and staff[0]["title"] == "张三家漏水" and staff[0]["size"] == 3
    assert staff[0]["size_text"]
    viewer = api_login(w.viewer).get(f"/api/v1/cockpit/nodes/{w.district.pk}/hot")
    assert viewer.status_code == 200 and viewer.json()
    assert "张三" not in viewer.content.decode() and "13812341234" not in viewer.content.decode()
    assert api_login(w.a1_staff).get(f"/api/v1/cockpit/nodes/{w.comm_a2.pk}/hot").status_code == 404
    assert login(w.a1_staff).get(reverse("cockpit:hot", args=[w.comm_a2.pk])).status_code == 404
    bad = api_login(w.a1_staff).get(f"/api/v1/cockpit/nodes/{w.comm_a1.pk}/hot", {"period": "week"})
    assert bad.status_code == 422


def test_the_default_period_is_the_last_30_days(counted, login, api_login):
    """Opened on any day of a month, the cockpit shows the 30 days up to today beside the 30 days before
    (not "this month", which on the 3rd holds three days)."""
    today = timezone.localdate()
    body = api_login(counted.sub_admin).get(f"/api/v1/cockpit/nodes/{counted.sub_a.pk}").json()
    assert body["period"] == {
        "kind": "recent",
        "first": (today - timedelta(days=29)).isoformat(),
        "last": today.isoformat(),
    }
    assert body["previous"]["last"] == (today - timedelta(days=30)).isoformat()
    page = login(counted.sub_admin).get(reverse("cockpit:node", args=[counted.sub_a.pk]))
    assert page.context["period"] == period_of("recent", today)
    assert collected(body["panels"]) == 3


def test_a_module_the_user_may_not_count_has_no_panel(counted, login, monkeypatch):
    """The panels follow each module's own "count" scope: a module that does not let community staff count
    its rows shows them no panel, on the page or in the figures."""
    from gongzhi.core.roles import Role
    from gongzhi.wishes.models import Wish as WishModel

    w = counted
    assert "wishes" in modules_for(w.a1_staff, w.comm_a1)
    policy = WishModel.scope
    narrowed = type(policy)(
        node_field=policy.node_field,
        actions={**policy.actions, "count": frozenset({Role.SUBDISTRICT_ADMIN})},
        owner_rule=policy.owner_rule,
    )
    monkeypatch.setattr(WishModel, "scope", narrowed)
    assert "wishes" not in modules_for(w.a1_staff, w.comm_a1)
    assert "wishes" in modules_for(w.sub_admin, w.comm_a1)
    page = login(w.a1_staff).get(reverse("cockpit:node", args=[w.comm_a1.pk])).content.decode()
    assert 'id="panel-appeals"' in page and 'id="panel-wishes"' not in page
    assert set(modules_for(w.superuser, w.district)) == set(measure_sources())


def test_period_selector_and_errors(counted, login, api_login):
    w = counted
    client = login(w.sub_admin)
    url = reverse("cockpit:node", args=[w.sub_a.pk])
    page = client.get(url, {"period": "quarter"})
    assert page.status_code == 200 and "cockpit-data" in page.content.decode()
    assert (
        client.get(url, {"period": "custom", "from": "2026-13-01"}).status_code == 200
    )  # this month instead
    assert client.get(url, {"screen": "big"}).status_code == 200
    assert client.get(reverse("cockpit:data", args=[w.sub_a.pk])).json()["node"]["id"] == w.sub_a.pk
    api = api_login(w.sub_admin)
    for params in (
        {"period": "custom", "from": "2026-02-01", "to": "2026-01-01"},
        {"period": "custom", "from": "2001-01-01", "to": "2026-01-01"},
        {"period": "year", "on": "0001-01-01"},
        {"period": "week"},
    ):
        response = api.get(f"/api/v1/cockpit/nodes/{w.sub_a.pk}", params)
        assert response.status_code == 422, params
        assert "code" in response.json()
    assert api.get("/api/v1/cockpit/nodes/99999999999999999999").status_code in (404, 422)
    nodes = api.get("/api/v1/cockpit/nodes").json()
    assert [n["id"] for n in nodes["items"]] == [w.sub_a.pk]
    assert api_login(w.resident).get("/api/v1/cockpit/nodes").status_code == 403


def test_previous_period_is_beside_each_figure(counted):
    month = period_of("month", timezone.localdate())
    assert month.previous().after == month.first
    year = period_of("year", timezone.localdate())
    assert (year.previous().first.year, year.previous().after) == (year.first.year - 1, year.first)


def test_the_assembled_cockpit_is_kept_until_the_rollups_change(counted, api_login, monkeypatch):
    """The second viewer of a cockpit reads no rollups (the figures are kept under the rollups' version);
    a refresh that changes a figure moves the version, and the next viewer sees the new figure; a viewer
    with other panels never gets the kept ones."""
    w = counted
    rollups_refresh()  # sets the mark (the fixture built the rollups without one)
    url = f"/api/v1/cockpit/nodes/{w.comm_a1.pk}"
    first = api_login(w.a1_staff).get(url).json()
    assert collected(first["panels"]) == 2
    with CaptureQueriesContext(connection) as queries:
        again = api_login(w.a1_secretary).get(url).json()
    assert collected(again["panels"]) == 2
    assert not [q for q in queries.captured_queries if 'cockpit_rollup"' in q["sql"]]
    assert not [q for q in queries.captured_queries if "cockpit_rollupmonth" in q["sql"]]
    # A new appeal is taken in by the refresh: the kept figures are not served any more.
    Appeal.objects.create(node=w.cmp_a1b, handling_node=w.cmp_a1b, title="新", body="新")
    AppealEvent.objects.create(
        appeal=Appeal.objects.latest("pk"), action="submit", to_status="submitted", to_tier="compound"
    )
    assert rollups_refresh(now=timezone.now() + MARGIN * 3) > 0
    assert collected(api_login(w.a1_secretary).get(url).json()["panels"]) == 3
    # Panels differ by who looks: a viewer who may not count wishes never gets the kept cockpit of one who
    # may (the panels are part of what it is kept under).
    policy = Wish.scope
    narrowed = type(policy)(
        node_field=policy.node_field,
        actions={**policy.actions, "count": frozenset({Role.SUBDISTRICT_ADMIN})},
        owner_rule=policy.owner_rule,
    )
    monkeypatch.setattr(Wish, "scope", narrowed)
    wider = api_login(w.sub_admin).get(url).json()
    narrower = api_login(w.a1_staff).get(url).json()
    assert "wishes" in {p["app"] for p in wider["panels"]}
    assert "wishes" not in {p["app"] for p in narrower["panels"]}


def test_a_user_with_several_areas_chooses_among_them_by_their_figures(counted, login):
    """Someone overseeing two subdistricts gets a card per subdistrict with its appeals of the last 30 days
    (from the rollups: 3 in 街道A, 1 in 街道B), each opening that cockpit; one area opens straight away."""
    from gongzhi.accounts.models import RoleBinding
    from tests.accounts.factories import UserFactory

    both = UserFactory()
    for node in (counted.sub_a, counted.sub_b):
        RoleBinding.objects.create(user=both, role=Role.SUBDISTRICT_ADMIN, node=node)
    response = login(both).get(reverse("cockpit:index"))
    assert response.status_code == 200
    cards = {c["node"].name: c for c in response.context["cards"]}
    assert set(cards) == {"街道A", "街道B"}
    for name, collected in (("街道A", "3"), ("街道B", "1")):
        figures = {str(f["label"]): f["text"] for f in cards[name]["figures"]}
        assert figures["诉求受理数"] == collected, figures
    page = response.content.decode()
    assert reverse("cockpit:node", args=[counted.sub_b.pk]) in page and "按期办结率" in page
    single = login(counted.sub_admin).get(reverse("cockpit:index"))
    assert single.status_code == 302 and single["Location"] == reverse(
        "cockpit:node", args=[counted.sub_a.pk]
    )
