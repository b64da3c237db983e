"""The links' API (issue 15, §6 and §8): a need from an appeal, a hot issue or a wish in one call; a project's
volunteering activities; an appeal transferred to a unit and the unit's answer; a unit's mall items; where an
in-kind gift went; a unit's accounts. Role × node for each: an outsider gets 404, a wrong state 409, bad input
422, and a refused call changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from gongzhi.accounts.models import RoleBinding, User
from gongzhi.alliances import donations, services
from gongzhi.alliances.models import AppealTransfer, MallOffer, Need, Pledge, UnitStaff
from gongzhi.appeals.models import Appeal
from gongzhi.core.roles import Role
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_login(api_login):
    """The JSON API client, posting ``json=`` bodies."""

    class Json:
        def __init__(self, client):
            self.client = client

        def get(self, url):
            return self.client.get(url)

        def post(self, url, json):
            return self.client.post(url, json, content_type="application/json")

    return lambda user: Json(api_login(user))


NEED = {"category": "repair", "quantity_kind": "hours", "quantity": 4, "urgency": 3}


def _appeal(world, *, accept=True):
    from gongzhi.appeals.services import appeal_submit
    from gongzhi.appeals.workflow import appeal_transition

    appeal, _created = appeal_submit(
        actor=world.resident,
        node=world.cmp_a1a,
        title="楼道灯坏了",
        body="三单元楼道灯不亮，老人晚上看不见。",
    )
    if accept:
        appeal = appeal_transition(actor=world.commissioner, appeal=appeal, action="accept")
    return appeal


def _told(user, kind="alliances.need"):
    return Notification.objects.filter(recipient=user, kind=kind).count()


def test_an_appeal_becomes_a_need_in_one_call_and_its_filer_is_told(world, al, api_login):
    appeal = _appeal(world)
    # Another subdistrict's staff and a unit's account do not see the appeal; a resident may not post needs.
    assert (
        api_login(world.sub_b_admin)
        .post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, **NEED})
        .status_code
        == 404
    )
    assert (
        api_login(al.bank_user)
        .post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, **NEED})
        .status_code
        == 404
    )
    assert (
        api_login(world.resident)
        .post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, **NEED})
        .status_code
        == 403
    )
    staff = api_login(world.commissioner)
    for bad in ({"quantity": 0}, {"category": "cooking"}, {"urgency": 9}):
        answer = staff.post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, **NEED, **bad})
        assert answer.status_code == 422 and {"code", "detail", "fields"} <= set(answer.json())
    assert Need.objects.count() == 0 and _told(world.resident) == 0

    made = staff.post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, **NEED})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["appeal_id"], body["source"], body["node_id"], body["title"], body["urgency"]) == (
        appeal.pk,
        "appeal",
        world.cmp_a1a.pk,
        "楼道灯坏了",
        3,
    )
    assert _told(world.resident) == 1 and _told(world.commissioner) == 0
    again = staff.post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, **NEED})
    assert (again.status_code, again.json()["code"]) == (409, "already_a_need")
    assert Need.objects.count() == 1 and _told(world.resident) == 1


def test_a_closed_appeal_becomes_a_need_only_as_a_hot_issue(world, al, api_login):
    appeal = _appeal(world)
    Appeal.objects.filter(pk=appeal.pk).update(status="closed")
    staff = api_login(world.commissioner)
    closed = staff.post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, **NEED})
    assert (closed.status_code, closed.json()["code"]) == (409, "wrong_state")
    assert Need.objects.count() == 0
    hot = staff.post("/api/v1/needs/from-appeal", json={"appeal_id": appeal.pk, "hot": True, **NEED})
    assert hot.status_code == 201 and hot.json()["source"] == "hot"
    assert _told(world.resident) == 1


def test_a_wish_becomes_a_need_in_one_call_and_the_wisher_is_told(world, al, api_login):
    from gongzhi.wishes.models import Wish
    from gongzhi.wishes.services import wish_post

    wish = wish_post(
        actor=world.commissioner,
        compound=world.cmp_a1a,
        title="想要一台轮椅",
        body="腿脚不便",
        wisher=world.resident,
    )
    wish_body = {"wish_id": wish.pk, "category": "elderly", "quantity_kind": "goods", "quantity": 1}
    assert api_login(world.sub_b_admin).post("/api/v1/needs/from-wish", json=wish_body).status_code == 404
    staff = api_login(world.commissioner)
    bad = staff.post("/api/v1/needs/from-wish", json={**wish_body, "quantity_kind": "cups"})
    assert bad.status_code == 422 and Need.objects.count() == 0
    made = staff.post("/api/v1/needs/from-wish", json=wish_body)
    assert made.status_code == 201, made.content
    assert (made.json()["wish_id"], made.json()["source"], made.json()["appeal_id"]) == (
        wish.pk,
        "wish",
        None,
    )
    assert _told(world.resident) == 1
    assert staff.post("/api/v1/needs/from-wish", json=wish_body).json()["code"] == "already_a_need"
    # A fulfilled wish is done: 409, nothing made.
    other = wish_post(actor=world.commissioner, compound=world.cmp_a1a, title="修门锁", wisher_name="李四")
    Wish.objects.filter(pk=other.pk).update(status="fulfilled")
    done = staff.post("/api/v1/needs/from-wish", json={**wish_body, "wish_id": other.pk})
    assert (done.status_code, done.json()["code"]) == (409, "wrong_state")
    assert Need.objects.count() == 1


def _activity_body(days=2, **extra):
    start = timezone.now() + timedelta(days=days)
    return {
        "title": "陪老人聊天",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 5,
        **extra,
    }


def test_a_projects_volunteering_activities(world, al, api_login):
    from gongzhi.volunteering.models import Activity

    project = services.project_create(
        actor=world.sub_admin, node=world.comm_a1, name="情暖桑榆", publish=True
    )
    url = f"/api/v1/projects/{project.pk}/activities"
    staff = api_login(world.sub_admin)
    assert api_login(world.sub_b_admin).post(url, json=_activity_body()).status_code == 404
    assert api_login(al.bank_user).post(url, json=_activity_body()).status_code == 403
    for bad in ({"capacity": 0}, {"title": ""}, {"ends_at": timezone.now().isoformat()}):
        answer = staff.post(url, json=_activity_body(**bad))
        assert answer.status_code == 422, (bad, answer.content)
    assert Activity.objects.count() == 0
    made = staff.post(url, json=_activity_body())
    assert made.status_code == 201, made.content
    assert (made.json()["title"], made.json()["node_id"], made.json()["services"]) == (
        "陪老人聊天",
        world.comm_a1.pk,
        0,
    )
    listed = api_login(world.resident).get(url)
    assert [a["id"] for a in listed.json()] == [made.json()["id"]]
    assert api_login(world.sub_b_admin).get(url).status_code == 404

    # An activity published in volunteering, listed on the project; one of another subdistrict is not seen.
    from gongzhi.volunteering.services import activity_create

    start = timezone.now() + timedelta(days=3)
    kept = activity_create(
        actor=world.a1_staff,
        node=world.comm_a1,
        title="义诊",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=3,
    )
    far = activity_create(
        actor=world.sub_b_admin,
        node=world.comm_b1,
        title="远处",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=3,
    )
    assert staff.post(f"{url}/link", json={"activity_id": far.pk}).status_code == 404
    assert staff.post(f"{url}/link", json={"activity_id": kept.pk}).status_code == 201
    assert {a["id"] for a in staff.get(url).json()} == {made.json()["id"], kept.pk}

    # A finished project gets no new activities.
    project.status = "done"
    project.save(update_fields=["status"])
    late = staff.post(url, json=_activity_body())
    assert (late.status_code, late.json()["code"]) == (409, "wrong_state")
    assert project.activities.count() == 2 and Activity.objects.count() == 3


def test_an_appeal_transferred_to_a_unit_and_its_answer(world, al, api_login):
    appeal = _appeal(world)
    staff = api_login(world.commissioner)
    # The far unit is out of the staff's sight; a unit account and another subdistrict cannot transfer.
    assert (
        staff.post("/api/v1/transfers", json={"appeal_id": appeal.pk, "unit_id": al.far_unit.pk}).status_code
        == 404
    )
    assert (
        api_login(world.sub_b_admin)
        .post("/api/v1/transfers", json={"appeal_id": appeal.pk, "unit_id": al.bank.pk})
        .status_code
        == 404
    )
    bad = staff.post(
        "/api/v1/transfers", json={"appeal_id": appeal.pk, "unit_id": al.bank.pk, "note": "x" * 301}
    )
    assert bad.status_code == 422
    submitted = _appeal(world, accept=False)
    early = staff.post("/api/v1/transfers", json={"appeal_id": submitted.pk, "unit_id": al.bank.pk})
    assert early.status_code == 409, early.content
    assert AppealTransfer.objects.count() == 0 and Appeal.objects.get(pk=appeal.pk).status == "accepted"

    made = staff.post(
        "/api/v1/transfers", json={"appeal_id": appeal.pk, "unit_id": al.bank.pk, "note": "请协助"}
    )
    assert made.status_code == 201, made.content
    t = made.json()
    assert (t["unit_id"], t["status"], t["title"], t["note"]) == (al.bank.pk, "sent", "楼道灯坏了", "请协助")
    assert Appeal.objects.get(pk=appeal.pk).status == "transferred"

    bank = api_login(al.bank_user)
    assert [x["id"] for x in bank.get("/api/v1/transfers").json()["items"]] == [t["id"]]
    assert bank.get("/api/v1/transfers?status=replied").json()["items"] == []
    hospital = api_login(al.hospital_user)
    assert hospital.get("/api/v1/transfers").json()["items"] == []
    assert hospital.get(f"/api/v1/transfers/{t['id']}").status_code == 404
    assert api_login(world.sub_b_admin).get(f"/api/v1/transfers/{t['id']}").status_code == 404
    assert hospital.post(f"/api/v1/transfers/{t['id']}/reply", json={"reply": "不是我们"}).status_code == 404
    # Staff cannot resolve before the unit answers; an empty answer is refused.
    assert staff.post(f"/api/v1/transfers/{t['id']}/resolve", json={}).status_code == 409
    assert bank.post(f"/api/v1/transfers/{t['id']}/reply", json={"reply": "  "}).status_code == 422
    replied = bank.post(f"/api/v1/transfers/{t['id']}/reply", json={"reply": "已派员更换灯具"})
    assert (replied.status_code, replied.json()["status"], replied.json()["reply"]) == (
        200,
        "replied",
        "已派员更换灯具",
    )
    twice = bank.post(f"/api/v1/transfers/{t['id']}/reply", json={"reply": "再说一次"})
    assert twice.status_code == 409 and AppealTransfer.objects.get().reply == "已派员更换灯具"
    assert bank.post(f"/api/v1/transfers/{t['id']}/resolve", json={}).status_code == 403
    resolved = staff.post(f"/api/v1/transfers/{t['id']}/resolve", json={})
    assert (resolved.status_code, resolved.json()["status"]) == (200, "closed")
    appeal.refresh_from_db()
    assert (appeal.status, appeal.reply) == ("resolved", "已派员更换灯具")


def test_a_units_mall_items(world, al, api_login):
    url = f"/api/v1/units/{al.bank.pk}/mall-items"
    staff = api_login(world.sub_admin)
    assert api_login(world.sub_b_admin).post(url, json={"name": "x", "price": 5}).status_code == 404
    assert api_login(al.bank_user).post(url, json={"name": "x", "price": 5}).status_code == 403
    assert staff.post(url, json={"name": "理财讲座名额", "price": 0}).status_code == 422
    assert MallOffer.objects.count() == 0
    made = staff.post(url, json={"name": "理财讲座名额", "price": 50, "stock": 3})
    assert made.status_code == 201, made.content
    assert (made.json()["provider"], made.json()["stock"], made.json()["node_id"]) == (
        "某银行支行",
        3,
        world.sub_a.pk,
    )
    assert [i["name"] for i in api_login(world.resident).get(url).json()] == ["理财讲座名额"]
    assert api_login(al.hospital_user).get(f"/api/v1/units/{al.hospital.pk}/mall-items").json() == []
    assert api_login(world.sub_b_admin).get(url).status_code == 404


def test_where_an_in_kind_gift_went(world, al, api_login):
    from gongzhi.ledger.mall import item_create

    item = item_create(actor=world.sub_admin, node=world.sub_a, name="大米兑换", price=10, stock=2)
    drive = donations.drive_create(
        actor=world.sub_admin,
        node=world.sub_a,
        title="爱心物资",
        kind="in_kind",
        goal=10000,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=30),
        receiver="街道A慈善分会",
    )
    pledge = donations.pledge_make(
        actor=al.bank_user, drive=drive, unit=al.bank, amount=2000, item="大米", quantity=40
    )
    url = f"/api/v1/donations/pledges/{pledge.pk}/place"
    staff = api_login(world.sub_admin)
    early = staff.post(url, json={"mall_item_id": item.pk})
    assert (early.status_code, early.json()["code"]) == (409, "wrong_state")
    donations.pledge_receive(actor=world.sub_admin, pledge=pledge)
    assert api_login(world.sub_b_admin).post(url, json={"node_id": world.cmp_a1a.pk}).status_code == 404
    assert api_login(al.hospital_user).post(url, json={"node_id": world.cmp_a1a.pk}).status_code == 404
    assert api_login(al.bank_user).post(url, json={"node_id": world.cmp_a1a.pk}).status_code == 403
    for bad in ({}, {"node_id": world.cmp_a1a.pk, "mall_item_id": item.pk}, {"node_id": world.sub_a.pk}):
        answer = staff.post(url, json=bad)
        assert (answer.status_code, answer.json()["fields"].keys()) == (422, {"destination"}), bad
    assert Pledge.objects.get(pk=pledge.pk).to_node_id is None
    placed = staff.post(url, json={"mall_item_id": item.pk})
    assert placed.status_code == 200, placed.content
    assert (placed.json()["to_mall_item_id"], placed.json()["destination"]) == (item.pk, "积分兑换：大米兑换")
    item.refresh_from_db()
    assert item.stock == 42
    again = staff.post(url, json={"node_id": world.cmp_a1a.pk})
    assert again.status_code == 409
    item.refresh_from_db()
    assert item.stock == 42 and Pledge.objects.get(pk=pledge.pk).to_node_id is None
    # The pledging unit sees where its gift went.
    mine = api_login(al.bank_user).get(f"/api/v1/donations/{drive.pk}/pledges").json()
    assert [p["to_mall_item_id"] for p in mine] == [item.pk]

    cash = donations.drive_create(
        actor=world.sub_admin,
        node=world.sub_a,
        title="助学",
        kind="cash",
        goal=10000,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=30),
        receiver="街道A慈善分会",
    )
    money = donations.pledge_make(actor=al.bank_user, drive=cash, unit=al.bank, amount=500)
    donations.pledge_receive(actor=world.sub_admin, pledge=money)
    answer = staff.post(f"/api/v1/donations/pledges/{money.pk}/place", json={"node_id": world.cmp_a1a.pk})
    assert answer.status_code == 422


def test_a_units_accounts_made_by_its_subdistricts_staff(world, al, api_login):
    url = f"/api/v1/units/{al.hospital.pk}/accounts"
    body = {"name": "王医生", "phone": "13900001111"}
    before = User.objects.count()
    assert api_login(world.sub_b_admin).post(url, json=body).status_code == 404
    for refused in (al.bank_user, al.hospital_user, world.commissioner):
        assert api_login(refused).post(url, json=body).status_code == 403
    staff = api_login(world.sub_admin)
    bad = staff.post(url, json={**body, "phone": "12345"})
    assert (bad.status_code, list(bad.json()["fields"])) == (422, ["phone"])
    assert User.objects.count() == before
    made = staff.post(url, json=body)
    assert made.status_code == 201, made.content
    user = User.objects.get(pk=made.json()["user_id"])
    assert (user.display_name, made.json()["phone"], user.has_usable_password()) == (
        "王医生",
        "139****1111",
        False,
    )
    assert UnitStaff.objects.filter(unit=al.hospital, user=user).exists()
    assert RoleBinding.objects.filter(user=user, role=Role.ALLIANCE_UNIT, node=world.sub_a).exists()
    again = staff.post(url, json={**body, "phone": "+86 139-0000-1111"})
    assert (again.status_code, again.json()["code"]) == (409, "already_an_account")
    # The same number for another unit: that account acts for both; the list shows each unit's.
    assert staff.post(f"/api/v1/units/{al.bank.pk}/accounts", json=body).json()["user_id"] == user.pk
    assert [a["user_id"] for a in staff.get(url).json()] == [al.hospital_user.pk, user.pk]
    assert api_login(al.hospital_user).get(url).status_code == 403
    # The new account sees its unit's things: the hospital's own draft resource, not the bank's.
    services.resource_post(
        actor=al.bank_user,
        unit=al.bank,
        category="funds",
        title="助学金",
        capacity_kind="money",
        capacity=1,
        publish=False,
    )
    seen = {r["title"] for r in api_login(user).get("/api/v1/resources").json()["items"]}
    assert "助学金" in seen  # it acts for the bank too now
