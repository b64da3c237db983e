"""The mall's staff page: offering items, proposing and approving awards; the resident's pages."""

from gongzhi.ledger.models import AccountKind, AwardStatus, EarningPolicy, MallItem, PointsAward
from gongzhi.ledger.services import account_for


def test_an_award_proposed_on_the_page_is_approved_by_someone_else(world, login):
    staff = login(world.a1_staff)
    staff.post(
        "/mall/manage/",
        {
            "form": "propose",
            "node": world.comm_a1.pk,
            "username": "a1a-resident",
            "amount": "20",
            "reason": "扶老人过马路",
        },
    )
    award = PointsAward.objects.get()
    assert (award.recipient_id, award.amount, award.status) == (world.resident.pk, 20, AwardStatus.PENDING)
    staff.post("/mall/manage/", {"form": "award", "award": award.pk, "decision": "approve"})  # own proposal
    assert PointsAward.objects.get().status == AwardStatus.PENDING
    login(world.a1_secretary).post(
        "/mall/manage/", {"form": "award", "award": award.pk, "decision": "approve"}
    )
    assert PointsAward.objects.get().status == AwardStatus.APPROVED
    assert account_for(kind=AccountKind.PERSON, subdistrict=world.sub_a, user=world.resident).balance == 20


def test_bad_award_and_item_forms_change_nothing(world, login):
    staff = login(world.a1_staff)
    for data in (
        {
            "form": "propose",
            "node": world.comm_a1.pk,
            "username": "sub-b-admin",
            "amount": "20",
            "reason": "x",
        },
        {
            "form": "propose",
            "node": world.comm_a1.pk,
            "username": "a1a-resident",
            "amount": "-5",
            "reason": "x",
        },
        {
            "form": "propose",
            "node": world.comm_a1.pk,
            "username": "a1a-resident",
            "amount": "5",
            "reason": " ",
        },
    ):
        page = staff.post("/mall/manage/", data, follow=True)
        assert 'class="msg error"' in page.content.decode()
    assert not PointsAward.objects.exists()
    page = staff.post(
        "/mall/manage/",
        {"form": "item", "node": world.comm_a1.pk, "name": "理发", "price": "abc"},
        follow=True,
    )
    assert 'class="msg error"' in page.content.decode() and not MallItem.objects.exists()
    # A limit that is not a number is refused, not read as "no limit".
    page = staff.post(
        "/mall/manage/",
        {"form": "item", "node": world.comm_a1.pk, "name": "理发", "price": "20", "limit": "两次"},
        follow=True,
    )
    assert 'class="msg error"' in page.content.decode() and not MallItem.objects.exists()


def test_residents_see_the_mall_but_not_the_staff_page(world, login):
    resident = login(world.resident)
    assert resident.get("/mall/").status_code == 200
    assert resident.get("/mall/manage/").status_code == 302
    assert (
        resident.post("/mall/manage/", {"form": "item"}).status_code == 302 and not MallItem.objects.exists()
    )


def _rule(subdistrict, **changes):
    data = {
        "form": "rule",
        "subdistrict": subdistrict.pk,
        "points_per_hour": "12",
        "m_volunteer": "1",
        "m_party_member": "1.2",
        "m_leader": "2",
        "max_award": "300",
    }
    return {**data, **changes}


def test_the_subdistrict_admin_sets_the_earning_rule_on_the_page(world, login):
    admin = login(world.sub_admin)
    page = admin.get("/mall/manage/").content.decode()
    assert 'value="rule"' in page and 'name="m_party_member"' in page and 'value="10"' in page
    admin.post("/mall/manage/", _rule(world.sub_a))
    policy = EarningPolicy.objects.get(subdistrict=world.sub_a)
    assert (policy.points_per_hour, policy.max_award) == (12, 300)
    assert policy.multipliers == {"volunteer": 1.0, "party_member": 1.2, "leader": 2.0}
    assert 'value="1.2"' in admin.get("/mall/manage/").content.decode()  # the form shows the rule in force


def test_bad_or_unauthorised_rules_change_nothing(world, login):
    # A community secretary is not offered the form, and a forged post is refused.
    secretary = login(world.a1_secretary)
    assert 'value="rule"' not in secretary.get("/mall/manage/").content.decode()
    secretary.post("/mall/manage/", _rule(world.sub_a))
    # Another subdistrict's rule is out of reach.
    login(world.sub_b_admin).post("/mall/manage/", _rule(world.sub_a))
    admin = login(world.sub_admin)
    for bad in (
        {"points_per_hour": "-1"},
        {"points_per_hour": "lots"},
        {"m_leader": "11"},
        {"m_volunteer": "nan"},
        {"m_party_member": ""},
        {"max_award": "0"},
    ):
        response = admin.post("/mall/manage/", _rule(world.sub_a, **bad), follow=True)
        assert [m.level_tag for m in response.context["messages"]] == ["error"], bad
    assert not EarningPolicy.objects.exists()


def test_a_refused_item_keeps_what_was_typed(world, login):
    staff = login(world.a1_staff)
    response = staff.post(
        "/mall/manage/",
        {
            "form": "item",
            "node": world.comm_a1.pk,
            "name": "上门修理收音机",
            "price": "abc",
            "provider": "红盟单位",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and 'class="msg error"' in page
    assert 'value="上门修理收音机"' in page and 'value="红盟单位"' in page and not MallItem.objects.exists()
