import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.orgs.selectors import node_children_with_counts, scope_summary
from tests.accounts.factories import PersonFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_node_browser_shows_children_with_counts(world, login):
    page = login(world.sub_admin).get(f"/nodes/{world.sub_a.pk}/").content.decode()
    assert "社区A1" in page and "社区A2" in page and "街道B" not in page
    rows = {r.node.name: r for r in node_children_with_counts(fetched_by=world.sub_admin, node=world.sub_a)}
    assert (rows["社区A1"].residents, rows["社区A1"].party_members) == (2, 1)
    assert (rows["社区A2"].residents, rows["社区A2"].party_members) == (1, 1)
    assert rows["社区A1"].descendants == {"compound": 2, "building": 1}


def test_node_browser_counts_take_a_fixed_number_of_queries(world, login):
    client = login(world.sub_admin)
    with CaptureQueriesContext(connection) as before:
        client.get(f"/nodes/{world.sub_a.pk}/")
    for i in range(20):
        PersonFactory(node=world.cmp_a2a, name=f"x{i}")
    with CaptureQueriesContext(connection) as after:
        client.get(f"/nodes/{world.sub_a.pk}/")
    assert len(after) == len(before)


def test_node_pages_outside_reach_are_404(world, login):
    staff = login(world.a1_staff)
    assert staff.get(f"/nodes/{world.comm_a1.pk}/").status_code == 200
    for other in (world.comm_a2, world.sub_a, world.district, world.cmp_b1a):
        assert staff.get(f"/nodes/{other.pk}/").status_code == 404
    assert staff.get("/nodes/999999/").status_code == 404


def test_nodes_root_redirects_to_the_single_reach(world, login):
    response = login(world.a1_staff).get("/nodes/")
    assert response.status_code == 302 and response.url == f"/nodes/{world.comm_a1.pk}/"


def test_breadcrumbs_only_show_reachable_ancestors(world, login):
    page = login(world.a1_staff).get(f"/nodes/{world.bld_a1a.pk}/").content.decode()
    assert f'href="/nodes/{world.comm_a1.pk}/"' in page
    assert f'href="/nodes/{world.sub_a.pk}/"' not in page


def test_viewer_sees_counts_but_no_people(world, login):
    client = login(world.viewer)
    page = client.get(f"/nodes/{world.district.pk}/").content.decode()
    assert "街道A" in page and "街道B" in page
    summary = scope_summary(fetched_by=world.viewer)
    assert summary[0]["residents"] == 4 and summary[0]["party_members"] == 2
    assert client.get("/accounts/people/").status_code == 404


def test_resident_sees_no_counts_of_people(world, login):
    summary = scope_summary(fetched_by=world.resident)
    assert [s["node"].name for s in summary] == ["小区A1a"]
    assert "residents" not in summary[0]


def test_party_org_pages(world, login):
    staff = login(world.a1_staff)
    page = staff.get("/party-orgs/").content.decode()
    assert "小区A1a党支部" in page and "小区A2a党支部" not in page
    assert staff.get(f"/party-orgs/{world.branch_a2a.pk}/").status_code == 404
    detail = staff.get(f"/party-orgs/{world.branch_a1a.pk}/").content.decode()
    assert "张三" in detail


def test_navigation_follows_roles(world, login):
    resident_home = login(world.resident).get("/").content.decode()
    assert "/accounts/people/" not in resident_home and "/imports/" not in resident_home
    staff_home = login(world.a1_staff).get("/").content.decode()
    assert "/accounts/people/" in staff_home
    assert "/admin/" in login(world.superuser).get("/").content.decode()


def test_resident_home_shows_who_to_turn_to(world, login):
    from gongzhi.orgs.models import OrgUnit

    OrgUnit.objects.create(node=world.cmp_a1a, kind="property_manager", name="A1a物业")
    page = login(world.resident).get("/").content.decode()
    assert "我的小区：小区A1a" in page
    assert str(world.commissioner) in page and "A1a物业" in page and "小区A1a党支部" in page
    # Party organisations are public by name; their member lists are not.
    detail = login(world.resident).get(f"/party-orgs/{world.branch_a1a.pk}/").content.decode()
    assert "小区A1a党支部" in detail and "张三" not in detail
    assert login(world.resident).get(f"/party-orgs/{world.branch_a2a.pk}/").status_code == 404


def test_the_menu_offers_my_appeals_to_people_who_live_here_only(world, login):
    assert "我的诉求" in login(world.resident).get("/").content.decode()
    viewer_menu = login(world.viewer).get("/").content.decode()
    assert "我的诉求" not in viewer_menu and "诉求数据" in viewer_menu
    staff_menu = login(world.a1_staff).get("/").content.decode()
    assert "诉求办理" in staff_menu and "我的诉求" not in staff_menu
