"""The mall's staff page: offering items, proposing and approving awards; the resident's pages."""

from gongzhi.ledger.models import AccountKind, AwardStatus, MallItem, PointsAward
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


def test_residents_see_the_mall_but_not_the_staff_page(world, login):
    resident = login(world.resident)
    assert resident.get("/mall/").status_code == 200
    assert resident.get("/mall/manage/").status_code == 302
    assert (
        resident.post("/mall/manage/", {"form": "item"}).status_code == 302 and not MallItem.objects.exists()
    )
