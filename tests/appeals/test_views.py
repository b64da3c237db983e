import pytest

from gongzhi.appeals.models import Appeal, Status

pytestmark = pytest.mark.django_db


def test_resident_files_and_follows(world, login):
    client = login(world.resident)
    form = client.get("/appeals/new/").content.decode()
    assert "楼A1a-1" in form and "小区A2a" not in form and 'name="channel"' not in form
    response = client.post(
        "/appeals/new/",
        {"title": "电梯坏了", "body": "2号电梯停运三天", "node": world.bld_a1a.pk, "client_key": "abc"},
    )
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response.url == f"/appeals/{appeal.pk}/"
    again = client.post(
        "/appeals/new/",
        {"title": "电梯坏了", "body": "2号电梯停运三天", "node": world.bld_a1a.pk, "client_key": "abc"},
    )
    assert again.status_code == 302 and Appeal.objects.count() == 1  # a double tap is one appeal
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "待受理" in page and "电梯坏了" in page and 'value="accept"' not in page
    assert "电梯坏了" in client.get("/appeals/").content.decode()


def test_bad_input_is_explained_and_changes_nothing(world, login):
    client = login(world.resident)
    response = client.post("/appeals/new/", {"title": "", "body": "", "node": world.cmp_a2a.pk})
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert not Appeal.objects.exists()


def test_staff_act_from_the_detail_page(world, login, file_appeal):
    appeal = file_appeal()
    staff = login(world.commissioner)
    assert "楼道堆放杂物" in staff.get("/appeals/").content.decode()
    page = staff.get(f"/appeals/{appeal.pk}/").content.decode()
    assert 'value="accept"' in page
    staff.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"})
    assert Appeal.objects.get().status == Status.ACCEPTED
    response = staff.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"}, follow=True)
    assert "当前状态下不能进行此操作" in response.content.decode()
    staff.post(f"/appeals/{appeal.pk}/act/", {"action": "escalate", "note": "需社区协调"})
    assert "小区 → 社区" in staff.get(f"/appeals/{appeal.pk}/").content.decode()
    response = staff.post(
        f"/appeals/{appeal.pk}/act/", {"action": "escalate"}, follow=True
    )  # no reason given
    assert "此项必填" in response.content.decode()
    assert login(world.a2_staff).get(f"/appeals/{appeal.pk}/").status_code == 404
    assert (
        login(world.a2_staff)
        .post(f"/appeals/{appeal.pk}/act/", {"action": "resolve", "reply": "x"})
        .status_code
        == 404
    )


def test_kpi_page_for_oversight_roles_only(world, login, file_appeal):
    file_appeal()
    page = login(world.sub_admin).get("/appeals/kpis/").content.decode()
    assert "社区A1" in page and "满意率" in page
    assert login(world.resident).get("/appeals/kpis/").status_code == 404
    assert login(world.a2_staff).get(f"/appeals/kpis/?node={world.comm_a1.pk}").status_code == 404
