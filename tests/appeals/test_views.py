import pytest
from django.utils import timezone

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
    due = timezone.localtime(appeal.accept_due).strftime("%Y-%m-%d %H:%M")
    assert f"<dt>受理期限</dt><dd>{due}</dd>" in page  # the resident sees by when it will be taken up
    assert "电梯坏了" in client.get("/appeals/").content.decode()


def test_bad_input_is_explained_and_changes_nothing(world, login):
    client = login(world.resident)
    response = client.post("/appeals/new/", {"title": "", "body": "", "node": world.cmp_a2a.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写" in page and "这个字段是必填项" not in page  # our words, not the framework's
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


def test_kpi_table_sorts_by_a_column(world, login, file_appeal):
    for _ in range(2):
        file_appeal(actor=world.a2_staff, node=world.bld_a2a, channel="phone")
    file_appeal()
    admin = login(world.sub_admin)

    def order(query):
        page = admin.get(f"/appeals/kpis/?node={world.sub_a.pk}{query}").content.decode()
        return sorted(["社区A1", "社区A2"], key=lambda name: page.index(f">{name}</a>"))

    assert order("&sort=collected") == ["社区A2", "社区A1"]  # most first
    assert order("") == order("&sort=nonsense") == ["社区A1", "社区A2"]  # the tree's order
    page = admin.get(f"/appeals/kpis/?node={world.sub_a.pk}&sort=collected").content.decode()
    assert 'aria-sort="descending"' in page and "days=30&amp;sort=collected" in page


def test_bulk_accept_and_assign_from_the_queue(world, login, file_appeal):
    first, second = file_appeal(), file_appeal(title="第二件")
    client = login(world.commissioner)
    assert 'name="ids"' in client.get("/appeals/").content.decode()
    # The subdistrict can hand work to the staff bound inside its reach.
    assert str(world.a1_staff) in login(world.sub_admin).get("/appeals/").content.decode()
    response = client.post("/appeals/bulk/", {"ids": [first.pk, second.pk], "action": "accept"}, follow=True)
    assert "2" in response.content.decode()
    assert set(Appeal.objects.values_list("status", flat=True)) == {Status.ACCEPTED}
    client.post(
        "/appeals/bulk/", {"ids": [first.pk], "action": "assign", "assignee": f"user:{world.a1_staff.pk}"}
    )
    assert Appeal.objects.get(pk=first.pk).assignee_user == world.a1_staff
    # An appeal out of reach is simply not touched; a bad request changes nothing.
    other = file_appeal(actor=world.sub_b_admin, node=world.cmp_b1a, channel="phone")
    client.post("/appeals/bulk/", {"ids": [other.pk], "action": "accept"})
    client.post("/appeals/bulk/", {"ids": [second.pk], "action": "delete"})
    assert Appeal.objects.get(pk=other.pk).status == Status.SUBMITTED
    assert Appeal.objects.get(pk=second.pk).status == Status.ACCEPTED


def test_map_and_export(world, login, file_appeal):
    import io

    from openpyxl import load_workbook

    world.cmp_a1a.lat, world.cmp_a1a.lng = 30.3352, 120.1287
    world.cmp_a1a.save(update_fields=["lat", "lng"])
    file_appeal(node=world.cmp_a1a)
    page = login(world.commissioner).get("/appeals/map/").content.decode()
    assert 'id="appeal-points"' in page and "30.3352" in page and "vendor/leaflet/leaflet.js" in page
    # Residents get the map of their compound's appeals open to neighbours (the filer sees theirs there).
    mine = login(world.resident).get("/appeals/map/").content.decode()
    # "位邻居支持", as JSON writes it
    assert "30.3352" in mine and "\\u4f4d\\u90bb\\u5c45\\u652f\\u6301" in mine
    assert login(world.viewer).get("/appeals/map/").status_code == 404
    response = login(world.sub_admin).get("/appeals/export.xlsx?status=open")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "提交时间", "标题") and rows[1][2] == "楼道堆放杂物"
    assert "张三" not in str(rows)  # residents are not named in the export
    assert login(world.resident).get("/appeals/export.xlsx").status_code == 404


def test_resident_home_starts_with_reporting_and_what_waits(world, login, file_appeal):
    from gongzhi.appeals.services import appeal_transition

    home = login(world.resident).get("/").content.decode()
    assert 'href="/appeals/new/"' in home and "我要反映" in home
    assert "需要补充材料" not in home and "请评价" not in home
    assert "楼栋" not in home  # place statistics are for staff

    asked = appeal_transition(
        actor=world.commissioner, appeal=file_appeal(), action="request_info", note="照片?"
    )
    done = appeal_transition(actor=world.commissioner, appeal=file_appeal(), action="accept")
    appeal_transition(actor=world.commissioner, appeal=done, action="resolve", reply="已修好")
    file_appeal(actor=world.commissioner, channel="phone")  # staff filed for someone else: not the resident's
    home = login(world.resident).get("/").content.decode()
    assert "您有 1 件诉求需要补充材料" in home and "您有 1 件诉求已办结，请评价" in home
    to_rate = (
        login(world.resident).get("/appeals/?status=resolved").content.decode()
    )  # where the notice leads
    assert f"/appeals/{done.pk}/" in to_rate and f"/appeals/{asked.pk}/" not in to_rate
    assert asked.status == "info_requested"

    # Staff start with their work, not with this card.
    staff_home = login(world.a1_staff).get("/").content.decode()
    assert 'class="card start"' not in staff_home and "楼栋" in staff_home


def test_resident_marks_the_exact_spot(world, login):
    client = login(world.resident)
    world.cmp_a1a.lat, world.cmp_a1a.lng = 30.3151, 120.1432
    world.cmp_a1a.save(update_fields=["lat", "lng"])
    form = client.get("/appeals/new/").content.decode()
    # The map opens on the chosen place: the compound's point, also for its building.
    assert f'"{world.bld_a1a.pk}": [30.3151, 120.1432]' in form and 'name="lat"' in form
    sent = {"title": "路灯不亮", "body": "小区东门第三盏路灯不亮", "node": world.bld_a1a.pk}
    response = client.post("/appeals/new/", sent | {"lat": "30.31532", "lng": "120.14351", "client_key": "a"})
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and (appeal.lat, appeal.lng) == (30.31532, 120.14351)
    for reader in (world.resident, world.commissioner):  # the resident and the handler see the spot
        page = login(reader).get(f"/appeals/{appeal.pk}/").content.decode()
        assert 'id="spot-map"' in page and 'data-lat="30.315320" data-lng="120.143510"' in page

    # Half a point, a point off the globe, or not a number: explained, and nothing is filed.
    for bad in ({"lat": "30.3"}, {"lat": "95", "lng": "120.1"}, {"lat": "nan", "lng": "120.1"}):
        refused = client.post("/appeals/new/", sent | bad | {"client_key": str(bad)})
        assert refused.status_code == 400, bad
    assert Appeal.objects.count() == 1


def test_a_refused_action_keeps_the_reply_that_was_typed(world, login, file_appeal):
    appeal = file_appeal()
    staff = login(world.commissioner)
    reply = "已联系物业清理楼道，明早八点前完成。"
    # Not accepted yet: resolving is refused, and the page comes back with the reply still in its box.
    response = staff.post(f"/appeals/{appeal.pk}/act/", {"action": "resolve", "reply": reply})
    page = response.content.decode()
    assert response.status_code == 400 and 'class="msg error"' in page
    assert Appeal.objects.get(pk=appeal.pk).status == Status.SUBMITTED
    staff.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"})
    too_long = staff.post(f"/appeals/{appeal.pk}/act/", {"action": "comment", "note": "很" * 5001})
    assert too_long.status_code == 400 and ("很" * 5001) in too_long.content.decode()
