"""Neighbours and their compound's appeals: the public ones are listed and mapped for the people who live
there (without the filer's name), each may add their support once and withdraw it, follow an appeal, and is
offered support instead of filing the same problem again. Private appeals stay with the filer and the
handlers. And the small things of filing: pins, photos, long titles, merged appeals, menus by role."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.appeals import selectors
from gongzhi.appeals.errors import AppealError
from gongzhi.appeals.models import Appeal, AppealSubscription, Status
from gongzhi.appeals.services import appeal_support, appeal_transition, appeal_unsupport
from gongzhi.core.models import AuditEvent
from gongzhi.core.roles import Role
from gongzhi.orgs.models import Node
from tests.accounts.factories import PersonFactory, UserFactory, bind, with_phone
from tests.appeals.test_photos import jpeg_with_exif

pytestmark = pytest.mark.django_db

LEAK = {"title": "地下车库渗漏", "body": "下雨后地下车库B区顶板一直滴水，车顶都是水渍。"}


@pytest.fixture
def neighbours(world):
    w = world
    w.neighbour = UserFactory(username="neighbour", display_name="邻居")
    bind(w.neighbour, Role.RESIDENT, w.cmp_a1a)
    PersonFactory(node=w.bld_a1a, name="邻居甲", user=w.neighbour)
    w.far = UserFactory(username="far")
    bind(w.far, Role.RESIDENT, w.cmp_a2a)
    PersonFactory(node=w.bld_a2a, name="远处乙", user=w.far)
    return w


def test_neighbours_see_their_compounds_public_appeals_and_support_them(neighbours, file_appeal, login):
    public = file_appeal(**LEAK)
    private = file_appeal(title="家里的事", body="不想让邻居知道。", hidden_from_neighbours=True)
    n = neighbours.neighbour
    listed = set(selectors.public_appeals(fetched_by=n).values_list("pk", flat=True))
    assert listed == {public.pk}
    client = login(n)
    page = client.get("/appeals/?view=neighbours").content.decode()
    assert "地下车库渗漏" in page and "家里的事" not in page
    detail = client.get(f"/appeals/{public.pk}/").content.decode()
    assert "张三" not in detail  # the filer is not named to neighbours
    assert client.get(f"/appeals/{private.pk}/").status_code == 404
    assert login(neighbours.far).get(f"/appeals/{public.pk}/").status_code == 404  # another compound
    # Support: once per person, withdrawable; it follows the appeal too.
    client.post(f"/appeals/{public.pk}/support/")
    client.post(f"/appeals/{public.pk}/support/")
    public.refresh_from_db()
    assert public.support_up == 1
    assert AppealSubscription.objects.filter(appeal=public, user=n).exists()
    assert "您已支持" in client.get(f"/appeals/{public.pk}/").content.decode()
    client.post(f"/appeals/{public.pk}/support/", {"on": "0"})
    public.refresh_from_db()
    assert public.support_up == 0
    with pytest.raises(AppealError):  # the filer does not support their own
        appeal_support(actor=neighbours.resident, appeal=public)
    with pytest.raises(PermissionDenied):
        appeal_support(actor=neighbours.far, appeal=public)
    assert appeal_unsupport(actor=n, appeal=public) is False  # nothing to withdraw: nothing changes


def test_support_counts_in_hot_issues(neighbours, file_appeal):
    first = file_appeal(**LEAK)
    file_appeal(title="车库漏水", body="地下车库顶板漏水，车上都是水渍，下雨就滴水。")
    appeal_support(actor=neighbours.neighbour, appeal=first)
    now = timezone.now()
    hot = selectors.hot_issues_for(
        fetched_by=neighbours.sub_admin, node=neighbours.sub_a, start=now - timedelta(days=1), end=now
    )
    assert hot and hot[0].size == 2 and hot[0].support == 1


def test_filing_the_same_problem_offers_support_instead(neighbours, file_appeal, login):
    existing = file_appeal(**LEAK)
    client = login(neighbours.neighbour)
    data = {
        "title": "车库顶板渗漏",
        "body": "地下车库B区顶板滴水，车顶都是水渍。",
        "node": neighbours.bld_a1a.pk,
    }
    offered = client.post("/appeals/new/", data)
    page = offered.content.decode()
    assert offered.status_code == 200 and f"/appeals/{existing.pk}/support/" in page
    assert "邻居已反映过类似的问题" in page and Appeal.objects.count() == 1  # nothing filed yet
    live = client.get(
        "/appeals/similar/", {"title": data["title"], "body": data["body"], "node": data["node"]}
    )
    assert f"/appeals/{existing.pk}/support/" in live.content.decode()
    # A different problem after all: filed on the second send.
    sent = client.post("/appeals/new/", {**data, "file_anyway": "1"})
    assert sent.status_code == 302 and Appeal.objects.count() == 2
    # Private appeals are never offered.
    Appeal.objects.filter(pk=existing.pk).update(hidden_from_neighbours=True)
    assert (
        selectors.similar_public_appeals(
            fetched_by=neighbours.neighbour, node=neighbours.bld_a1a, title=data["title"], body=data["body"]
        )
        == []
    )


def test_a_merged_appeal_links_to_the_one_it_joined(neighbours, file_appeal, login):
    first = appeal_transition(actor=neighbours.commissioner, appeal=file_appeal(**LEAK), action="accept")
    second = file_appeal(actor=neighbours.neighbour, title="车库漏水", body="车库顶板漏水。")
    appeal_transition(actor=neighbours.commissioner, appeal=second, action="merge", merge_into=first)
    page = login(neighbours.neighbour).get(f"/appeals/{second.pk}/").content.decode()
    assert f'href="/appeals/{first.pk}/"' in page
    first.refresh_from_db()
    assert first.support_up == 1  # the duplicate's filer adds their weight and hears the outcome
    assert AppealSubscription.objects.filter(appeal=first, user=neighbours.neighbour).exists()


def test_a_pin_far_from_the_place_is_refused(neighbours, login):
    Node.objects.filter(pk=neighbours.cmp_a1a.pk).update(lat=30.317, lng=120.151)  # Hangzhou
    client = login(neighbours.resident)
    base = {"title": "路灯坏了", "body": "3幢门口路灯不亮。", "node": neighbours.bld_a1a.pk}
    beijing = client.post("/appeals/new/", {**base, "lat": "39.904", "lng": "116.407"})
    assert beijing.status_code == 400 and "公里" in beijing.content.decode()
    broken = client.post("/appeals/new/", {**base, "lat": "999", "lng": "120.15"})
    assert broken.status_code == 400 and "地图上标记的位置无法识别" in broken.content.decode()
    assert not Appeal.objects.exists()
    near = client.post("/appeals/new/", {**base, "lat": "30.318", "lng": "120.152"})
    assert near.status_code == 302 and Appeal.objects.count() == 1


def test_too_many_photos_and_too_long_a_title_are_explained(neighbours, login):
    client = login(neighbours.resident)
    base = {"title": "楼道灯坏了", "body": "3单元楼道灯不亮。", "node": neighbours.bld_a1a.pk}
    ten = client.post("/appeals/new/", {**base, "photos": [jpeg_with_exif(f"{i}.jpg") for i in range(10)]})
    page = ten.content.decode()
    assert ten.status_code == 400 and "最多 9 张照片，您选了 10 张" in page
    long = client.post("/appeals/new/", {**base, "title": "长" * 10000})
    page = long.content.decode()
    assert "最多 120 个字，现在有 10000 个字" in page and "确保该变量" not in page
    assert not Appeal.objects.exists()


def test_the_export_names_filers_only_when_asked_and_logs_full_numbers(neighbours, file_appeal, login):
    with_phone(neighbours.resident, "13812341234")
    file_appeal(**LEAK)
    client = login(neighbours.commissioner)

    def sheet(query):
        response = client.get(f"/appeals/export.xlsx?{query}")
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        return rows[0], rows[1]

    header, row = sheet("status=open")
    assert "反映人" not in header and "张三" not in row
    header, row = sheet("status=open&contact=1")
    assert row[header.index("反映人")] == "张三" and row[header.index("联系电话")] == "138****1234"
    header, row = sheet("status=open&reveal=1")
    assert row[header.index("联系电话")] == "13812341234"
    assert (
        AuditEvent.objects.filter(action="appeal.export.reveal", actor=neighbours.commissioner).count() == 1
    )


def test_menus_follow_what_each_role_may_do(neighbours, login):
    viewer = login(neighbours.viewer)
    home = viewer.get("/").content.decode()
    assert "诉求数据" in home and "积分兑换" not in home and "微心愿墙" not in home and "我要反映" not in home
    assert viewer.get("/appeals/new/").status_code == 404
    assert 'class="primary">兑换' not in viewer.get("/mall/").content.decode()
    resident_home = login(neighbours.neighbour).get("/").content.decode()
    assert "我的诉求" in resident_home and "积分兑换" in resident_home
    forbidden = login(neighbours.neighbour).post(f"/appeals/{0}/contact/")
    assert forbidden.status_code == 404


def test_a_private_appeal_stays_with_its_filer_and_handlers(neighbours, file_appeal, login):
    private = file_appeal(title="家里的事", body="不想让邻居知道。", hidden_from_neighbours=True)
    assert login(neighbours.commissioner).get(f"/appeals/{private.pk}/").status_code == 200
    assert login(neighbours.resident).get(f"/appeals/{private.pk}/").status_code == 200
    for outsider in (neighbours.neighbour, neighbours.far, neighbours.a2_staff, neighbours.viewer):
        assert login(outsider).get(f"/appeals/{private.pk}/").status_code == 404
    closed = appeal_transition(actor=neighbours.commissioner, appeal=file_appeal(**LEAK), action="accept")
    Appeal.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    assert not selectors.public_appeals(fetched_by=neighbours.neighbour).exists()  # open ones by default


def test_a_figures_only_viewer_takes_no_part(neighbours):
    from types import SimpleNamespace

    from gongzhi.volunteering.errors import VolunteeringError
    from gongzhi.volunteering.services import signup_join
    from gongzhi.wishes.rules import is_volunteer

    wish = SimpleNamespace(wisher_id=None)
    assert is_volunteer(neighbours.neighbour, wish) and not is_volunteer(neighbours.viewer, wish)
    with pytest.raises(VolunteeringError):
        signup_join(actor=neighbours.viewer, activity=SimpleNamespace(status="open"))
