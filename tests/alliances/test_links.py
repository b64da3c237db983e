"""The alliances' links: a wish or a hot issue becomes a need (both ways), a project's activities are
volunteering activities, an appeal goes to a unit, units offer mall items, in-kind gifts become mall stock,
shared venues are venues' rows; a unit account's own menu. Each with who may and who sees (role × scope)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.alliances import donations, links, selectors, services
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.models import AppealTransfer, Need, TransferStatus
from gongzhi.appeals.models import Appeal
from gongzhi.core.audit import AuditEvent
from gongzhi.core.registry import nav_entries, object_actions

pytestmark = pytest.mark.django_db


def _appeal(world, *, accepted=True):
    from gongzhi.appeals.services import appeal_submit
    from gongzhi.appeals.workflow import appeal_transition

    appeal, _created = appeal_submit(
        actor=world.resident,
        node=world.cmp_a1a,
        title="楼道灯坏了",
        body="三单元楼道灯不亮，老人晚上看不见。",
    )
    if accepted:
        appeal = appeal_transition(actor=world.commissioner, appeal=appeal, action="accept")
    return appeal


def _wish(world):
    from gongzhi.wishes.services import wish_post

    return wish_post(
        actor=world.commissioner,
        compound=world.cmp_a1a,
        title="想要一台轮椅",
        body="腿脚不便",
        wisher_name="张三",
    )


def test_a_wish_becomes_a_need_linked_both_ways(world, al, login):
    wish = _wish(world)
    assert wish.status == "published"
    buttons = {a["key"]: a["url"] for a in object_actions(world.commissioner, wish)}
    assert buttons["need"] == f"/alliances/lists/?wish={wish.pk}#post-need" and "on_need" not in buttons
    assert object_actions(world.resident, wish) == [] and object_actions(world.a2_staff, wish) == []

    staff = login(world.commissioner)
    page = staff.get("/alliances/lists/", {"wish": wish.pk}).content.decode()
    assert f'name="wish" value="{wish.pk}"' in page and 'value="想要一台轮椅"' in page
    posted = staff.post(
        "/alliances/lists/",
        {
            "form": "need",
            "node": world.cmp_a1a.pk,
            "wish": wish.pk,
            "category": "elderly",
            "urgency": 2,
            "quantity_kind": "goods",
            "quantity": 1,
        },
    )
    assert posted.status_code == 302
    need = Need.objects.get(wish=wish)
    assert (need.node, need.title, need.source, need.status) == (
        world.cmp_a1a,
        "想要一台轮椅",
        "wish",
        "open",
    )
    assert "张三" not in need.description  # the wisher's name stays with the wish
    # Back from the wish: the "make a need" button is gone, "on the need list" leads to it.
    buttons = {a["key"]: a["url"] for a in object_actions(world.commissioner, wish)}
    assert "need" not in buttons
    assert staff.get(buttons["on_need"]).url.endswith(f"?need={need.pk}")
    assert "想要一台轮椅" in staff.get(f"/wishes/{wish.pk}/").content.decode()
    with pytest.raises(AllianceError) as twice:
        links.need_from_wish(
            actor=world.commissioner, wish=wish, category="elderly", quantity_kind="goods", quantity=1
        )
    assert twice.value.code == "already_a_need"
    # Staff of another subdistrict cannot, and a unit account does not see the "on the need list" link.
    with pytest.raises(AllianceError):
        Need.objects.filter(wish=wish).delete()
        links.need_from_wish(
            actor=world.sub_b_admin, wish=wish, category="elderly", quantity_kind="goods", quantity=1
        )
    assert object_actions(al.bank_user, wish) == []


def test_a_hot_issue_becomes_a_need_from_the_hot_list(world, al, login, monkeypatch):
    appeal = _appeal(world)
    from gongzhi.appeals import selectors as appeal_selectors
    from gongzhi.triage.hot import HotIssue

    now = timezone.now()
    issue = HotIssue("楼道灯坏了", "社区A1", 3, 1, 2, 1.0, "", now, now, [appeal.pk], ["楼道灯坏了"])
    monkeypatch.setattr(appeal_selectors, "hot_issues_for", lambda **kwargs: [issue])
    staff = login(world.commissioner)
    page = staff.get("/appeals/hot/", {"node": world.cmp_a1a.pk}).content.decode()
    assert f"/alliances/lists/?hot={appeal.pk}#post-need" in page
    form = staff.get("/alliances/lists/", {"hot": appeal.pk}).content.decode()
    assert f'name="appeal" value="{appeal.pk}"' in form and 'name="hot" value="True"' in form
    staff.post(
        "/alliances/lists/",
        {
            "form": "need",
            "node": world.cmp_a1a.pk,
            "appeal": appeal.pk,
            "hot": "True",
            "category": "repair",
            "urgency": 3,
            "quantity_kind": "hours",
            "quantity": 4,
        },
    )
    need = Need.objects.get(appeal=appeal)
    assert need.source == "hot"
    assert f"/alliances/lists/?hot={appeal.pk}" not in staff.get("/appeals/hot/").content.decode()
    # The appeal's page now leads to the need; the viewer (counts only) gets no buttons on the hot list.
    keys = [a["key"] for a in object_actions(world.commissioner, appeal)]
    assert "on_need" in keys and "need" not in keys
    assert "/alliances/lists/?hot=" not in login(world.viewer).get("/appeals/hot/").content.decode()


def test_an_appeal_goes_to_a_unit_which_replies_and_staff_resolve(world, al, login):
    appeal = _appeal(world)
    keys = [a["key"] for a in object_actions(world.commissioner, appeal)]
    assert "unit" in keys
    assert "unit" not in [a["key"] for a in object_actions(al.bank_user, appeal)]

    staff = login(world.commissioner)
    page = staff.get("/alliances/transfers/new/", {"appeal": appeal.pk}).content.decode()
    assert "某银行支行" in page and "街道B公司" not in page  # only the appeal's subdistrict's units
    with pytest.raises(AllianceError):
        links.appeal_transfer(actor=world.commissioner, appeal=appeal, unit=al.far_unit)
    response = staff.post(
        "/alliances/transfers/new/", {"appeal": appeal.pk, "unit": al.bank.pk, "note": "请协助更换灯具"}
    )
    transfer = AppealTransfer.objects.get(appeal=appeal)
    assert response.url == f"/alliances/transfers/{transfer.pk}/"
    appeal.refresh_from_db()
    assert (appeal.status, appeal.transferred_to) == ("transferred", "某银行支行")
    assert AuditEvent.objects.filter(action="alliances.appeal_transfer", target_id=str(transfer.pk)).exists()

    # The bank's account sees it (what and where, not who filed it); the hospital's and a resident do not.
    bank = login(al.bank_user)
    mine = bank.get("/alliances/unit/appeals/").content.decode()
    assert "楼道灯坏了" in mine
    detail = bank.get(f"/alliances/transfers/{transfer.pk}/").content.decode()
    assert "三单元楼道灯不亮" in detail and "张三" not in detail
    assert login(al.hospital_user).get(f"/alliances/transfers/{transfer.pk}/").status_code == 404
    assert login(world.resident).get(f"/alliances/transfers/{transfer.pk}/").status_code == 404
    assert login(world.sub_b_admin).get(f"/alliances/transfers/{transfer.pk}/").status_code == 404
    with pytest.raises(AllianceError):
        links.transfer_reply(actor=al.hospital_user, transfer=transfer, reply="不是我们")
    with pytest.raises(AllianceError):
        links.transfer_resolve(actor=world.commissioner, transfer=transfer)  # no reply yet

    assert (
        bank.post(
            f"/alliances/transfers/{transfer.pk}/", {"action": "reply", "reply": "已派员更换灯具"}
        ).status_code
        == 302
    )
    assert (
        bank.post(
            f"/alliances/transfers/{transfer.pk}/", {"action": "reply", "reply": "再说一次"}
        ).status_code
        == 400
    )
    assert (
        bank.post(f"/alliances/transfers/{transfer.pk}/", {"action": "resolve"}).status_code == 400
    )  # not staff
    staff.post(f"/alliances/transfers/{transfer.pk}/", {"action": "resolve", "reply": "已由共建单位更换灯具"})
    appeal.refresh_from_db()
    transfer.refresh_from_db()
    assert (appeal.status, appeal.reply, transfer.status) == (
        "resolved",
        "已由共建单位更换灯具",
        TransferStatus.CLOSED,
    )


def test_a_projects_activities_are_volunteering_activities_with_their_hours(world, al, login):
    from gongzhi.volunteering.models import Signup

    project = services.project_create(
        actor=world.sub_admin, node=world.comm_a1, name="情暖桑榆", publish=True
    )
    start = timezone.now() + timedelta(days=2)
    staff = login(world.sub_admin)
    response = staff.post(
        f"/alliances/projects/{project.pk}/activities/",
        {
            "title": "陪老人聊天",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 5,
        },
    )
    assert response.status_code == 302
    activity = project.activities.get()
    assert (activity.title, activity.node) == ("陪老人聊天", world.comm_a1)
    Signup.objects.create(
        activity=activity,
        user=world.resident,
        status="confirmed",
        hours=Decimal("2.5"),
        confirmed_at=timezone.now(),
        points=25,
    )
    rows = links.project_activity_hours(project)
    assert [(r["activity"].pk, r["services"], r["hours"], r["points"]) for r in rows] == [
        (activity.pk, 1, Decimal("2.5"), 25)
    ]
    page = login(world.resident).get(f"/alliances/projects/{project.pk}/").content.decode()
    assert "陪老人聊天" in page and "2.5" in page and "Publish" not in page and 'name="capacity"' not in page
    # A unit account, a resident and another subdistrict's staff cannot publish one.
    for outsider in (al.bank_user, world.resident, world.sub_b_admin):
        with pytest.raises(AllianceError):
            links.project_activity_create(
                actor=outsider,
                project=project,
                title="x",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                capacity=1,
            )
    bad = staff.post(
        f"/alliances/projects/{project.pk}/activities/",
        {"title": "陪老人", "starts_at": "9999-99-99", "ends_at": "", "capacity": "²"},
    )
    assert bad.status_code == 400 and project.activities.count() == 1


def test_a_unit_offers_mall_items_and_in_kind_gifts_become_stock(world, al, login):
    from gongzhi.ledger.models import MallItem

    staff = login(world.sub_admin)
    staff.post(
        f"/alliances/alliance/{al.alliance.pk}/mall/",
        {"unit": al.bank.pk, "name": "理财讲座名额", "price": 50, "stock": 3},
    )
    item = MallItem.objects.get(name="理财讲座名额")
    assert (item.provider, item.stock, item.node) == ("某银行支行", 3, world.sub_a)
    assert [i.pk for i in links.unit_mall_items(al.bank)] == [item.pk] and links.unit_mall_items(
        al.hospital
    ) == []
    assert "理财讲座名额" in login(al.bank_user).get("/alliances/unit/claims/").content.decode()
    assert "理财讲座名额" not in login(al.hospital_user).get("/alliances/unit/claims/").content.decode()
    with pytest.raises(Exception):  # noqa: B017 - the mall's own refusal (a unit account may not offer items)
        links.unit_mall_item(actor=al.bank_user, unit=al.bank, name="x", price=1)

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
    with pytest.raises(AllianceError) as early:
        links.pledge_place(actor=world.sub_admin, pledge=pledge, mall_item=item)
    assert early.value.code == "wrong_state"
    pledge = donations.pledge_receive(actor=world.sub_admin, pledge=pledge)
    with pytest.raises(AllianceError):
        links.pledge_place(
            actor=al.bank_user, pledge=pledge, mall_item=item
        )  # units do not say where it went
    with pytest.raises(AllianceError):
        links.pledge_place(actor=world.sub_admin, pledge=pledge, node=world.cmp_b1a)  # another subdistrict
    placed = links.pledge_place(actor=world.sub_admin, pledge=pledge, mall_item=item)
    item.refresh_from_db()
    assert (placed.to_mall_item_id, item.stock) == (item.pk, 43)
    assert AuditEvent.objects.filter(action="alliances.pledge_place", target_id=str(pledge.pk)).exists()
    with pytest.raises(AllianceError):
        links.pledge_place(actor=world.sub_admin, pledge=placed, node=world.cmp_a1a)  # once
    item.refresh_from_db()
    assert item.stock == 43


def test_shared_venues_are_venue_rows(world, al, login):
    from gongzhi.venues.models import Venue

    hall = Venue.objects.create(node=world.comm_a1, name="社区A1党群服务中心", level="community")
    far = Venue.objects.create(node=world.comm_b1, name="社区B1活动室", level="community")
    with pytest.raises(AllianceError):
        links.alliance_venues_set(actor=world.sub_admin, alliance=al.alliance, venues=[far])
    with pytest.raises(AllianceError):
        links.alliance_venues_set(actor=al.bank_user, alliance=al.alliance, venues=[hall])
    links.alliance_venues_set(actor=world.sub_admin, alliance=al.alliance, venues=[hall])
    figures = selectors.alliance_figures(al.alliance)
    assert (figures["venues"], figures["venues_linked"]) == (1, 1)
    al.alliance.reported_venues = 120
    al.alliance.save()
    assert selectors.alliance_figures(al.alliance)["venues"] == 120  # the reported total stands
    assert (
        "社区A1党群服务中心"
        in login(world.resident).get(f"/alliances/alliance/{al.alliance.pk}/").content.decode()
    )


def test_a_unit_account_has_its_own_menu(world, al, login):
    keys = {n.key for n in nav_entries(al.bank_user)}
    assert {"unit_claims", "unit_resources", "unit_appeals", "unit_agreements", "unit_donations"} <= keys
    assert not keys & {"wishes", "mall", "volunteering", "venues"}  # no residents' entries
    resident_keys = {n.key for n in nav_entries(world.resident)}
    assert "unit_claims" not in resident_keys and "alliances" in resident_keys
    bank = login(al.bank_user)
    for part in ("claims", "appeals", "agreements"):
        assert bank.get(f"/alliances/unit/{part}/").status_code == 200
        assert login(world.resident).get(f"/alliances/unit/{part}/").status_code == 404
    assert "某银行支行" in bank.get("/alliances/lists/").content.decode()  # lands on its resources


def test_a_round_records_whether_it_is_proven(world, al, clinic, login):
    from gongzhi.alliances.matching import round_propose

    rnd = round_propose(actor=world.sub_admin, subdistrict=world.sub_a)
    assert rnd.optimal is True and rnd.gap == 0 and rnd.optimum >= rnd.greedy
    page = login(world.sub_admin).get("/alliances/matching/").content.decode()
    assert 'id="round-proven"' in page
    assert Appeal.objects.count() == 0  # nothing else touched
