"""Pages: a unit's account lands on its unit's home; the project board filters by category and charts it."""

import pytest

from gongzhi.alliances import services
from gongzhi.alliances.models import ProjectCategory

pytestmark = pytest.mark.django_db


def test_a_unit_account_home_and_the_boards_category_filter(world, al, clinic, login):
    safety = ProjectCategory.objects.create(node=world.sub_a, name="安全提升", order=5)
    service = ProjectCategory.objects.create(node=world.sub_a, name="服务提档", order=3)
    services.project_create(
        actor=world.sub_admin, node=world.comm_a1, name="城消保安", category=safety, publish=True
    )
    services.project_create(
        actor=world.sub_admin, node=world.comm_a1, name="情暖桑榆", category=service, publish=True
    )

    home = login(al.bank_user).get("/").content.decode()
    assert "某银行支行" in home and "城消保安" in home and "老人义诊" in home  # unit, open project, open need
    assert "中医义诊进小区" not in home  # another unit's resource is not "your unit's"
    hospital_home = login(al.hospital_user).get("/").content.decode()
    assert "中医义诊进小区" in hospital_home
    assert "某银行支行" not in login(world.resident).get("/").content.decode()  # no unit card for residents

    staff = login(world.sub_admin)
    board = staff.get("/alliances/", {"view": "board", "category": safety.pk}).content.decode()
    assert "城消保安" in board and "情暖桑榆" not in board
    assert 'id="alliance-board-chart-data"' in board and "安全提升" in board
    assert staff.get("/alliances/", {"view": "board", "category": "²"}).status_code == 200


def test_co_building_agreements_through_the_api_and_the_page(world, al, api_login, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/api/v1/alliances/{al.alliance.pk}/agreements"
    staff = api_login(world.sub_admin)
    pdf = SimpleUploadedFile("协议.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    term = {"starts_on": "2026-01-01", "ends_on": "2027-12-31", "content": "共建楼道微改造"}
    made = staff.post(url, {"unit_id": al.bank.pk, **term, "document": pdf})
    assert made.status_code == 201 and made.json()["has_document"], made.content
    no_file = staff.post(url, {"unit_id": al.hospital.pk, **term})
    assert no_file.status_code == 201 and not no_file.json()["has_document"]
    backwards = staff.post(url, {"unit_id": al.bank.pk, **term, "ends_on": "2025-01-01"})
    assert backwards.status_code == 422 and backwards.json()["fields"].get("ends_on")
    not_member = staff.post(url, {"unit_id": al.far_unit.pk, **term})
    assert not_member.status_code in (404, 422)  # another subdistrict's unit: out of reach or not a member
    bad_file = SimpleUploadedFile("x.pdf", b"not a pdf nor a photo")
    assert staff.post(url, {"unit_id": al.bank.pk, **term, "document": bad_file}).status_code == 422
    assert api_login(al.bank_user).post(url, {"unit_id": al.bank.pk, **term}).status_code == 403
    # The bank's account sees its own agreement only; a resident sees none.
    assert [a["unit_id"] for a in api_login(al.bank_user).get(url).json()] == [al.bank.pk]
    assert api_login(world.resident).get(url).json() == []
    agreement_id = made.json()["id"]
    page = login(world.sub_admin).get(f"/alliances/alliance/{al.alliance.pk}/").content.decode()
    assert "共建楼道微改造" in page and 'enctype="multipart/form-data"' in page
    document = f"/alliances/agreements/{agreement_id}/document/"
    assert b"".join(login(al.bank_user).get(document).streaming_content).startswith(b"%PDF")
    assert login(al.hospital_user).get(document).status_code == 404


def test_a_drive_page_records_a_units_pledge_and_staffs_receipt(world, al, login):
    from datetime import date

    from gongzhi.alliances.donations import donation_balance

    drive = services.drive_create(
        actor=world.sub_admin,
        node=world.sub_a,
        title="爱心助学",
        kind="cash",
        goal=50_000,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        receiver="街道A社会工作站",
    )
    page = f"/alliances/donations/{drive.pk}/"
    bank = login(al.bank_user)
    assert bank.post(page, {"form": "pledge", "unit": al.bank.pk, "amount": 20_000}).status_code == 302
    # The bank's account cannot pledge for the hospital (not in its list), nor confirm a receipt.
    refused = bank.post(page, {"form": "pledge", "unit": al.hospital.pk, "amount": 1})
    assert refused.status_code == 400
    pledge = drive.pledges.get()
    assert bank.post(page, {"form": "receive", "pledge": pledge.pk}).status_code == 400
    staff = login(world.sub_admin)
    assert (
        staff.post(page, {"form": "receive", "pledge": pledge.pk, "destination": "社区A1"}).status_code == 302
    )
    pledge.refresh_from_db()
    assert pledge.status == "received" and pledge.destination == "社区A1"
    assert donation_balance(f"drive:{drive.pk}") == 20_000
    html = staff.get(page).content.decode()
    assert "某银行支行" in html and "20000" in html
    assert staff.post(page, {"form": "receive", "pledge": "²"}).status_code == 400


def test_the_unit_page_and_its_accounts_form(world, al, login):
    from gongzhi.accounts.models import User
    from gongzhi.alliances.models import UnitStaff

    url = f"/alliances/units/{al.hospital.pk}/"
    staff = login(world.sub_admin)
    page = staff.get(url).content.decode()
    assert "某中医医院" in page and 'name="phone"' in page
    # A resident near it sees the unit, not its accounts or the form; another subdistrict does not see it.
    resident = login(world.resident).get(url).content.decode()
    assert "某中医医院" in resident and 'name="phone"' not in resident
    assert login(world.sub_b_admin).get(url).status_code == 404
    assert login(al.bank_user).post(url, {"name": "x", "phone": "13900003333"}).status_code == 404
    before = User.objects.count()
    bad = staff.post(url, {"name": "王医生", "phone": "123"})
    assert bad.status_code == 400 and User.objects.count() == before
    assert "有效的手机号" in bad.content.decode() or "valid mobile" in bad.content.decode()
    assert staff.post(url, {"name": "王医生", "phone": "13900003333"}).status_code == 302
    made = User.objects.get(display_name="王医生")
    assert UnitStaff.objects.filter(unit=al.hospital, user=made).exists()
    assert "139****3333" in staff.get(url).content.decode()
    # The alliance page links each unit to its page.
    assert url in login(world.resident).get(f"/alliances/alliance/{al.alliance.pk}/").content.decode()


def test_the_drive_page_records_where_goods_went(world, al, login):
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.alliances import donations
    from gongzhi.alliances.models import Pledge

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
    url = f"/alliances/donations/{drive.pk}/"
    staff = login(world.sub_admin)
    assert 'value="place"' not in staff.get(url).content.decode()  # not received yet
    donations.pledge_receive(actor=world.sub_admin, pledge=pledge)
    page = staff.get(url).content.decode()
    assert 'value="place"' in page and f'value="node:{world.cmp_a1a.pk}"' in page
    assert f'value="node:{world.cmp_b1a.pk}"' not in page  # another subdistrict's places are not offered
    assert 'value="place"' not in login(al.bank_user).get(url).content.decode()
    bad = staff.post(url, {"form": "place", "pledge": pledge.pk, "to": f"node:{world.cmp_b1a.pk}"})
    assert bad.status_code == 400 and Pledge.objects.get(pk=pledge.pk).to_node_id is None
    done = staff.post(url, {"form": "place", "pledge": pledge.pk, "to": f"node:{world.cmp_a1a.pk}"})
    assert done.status_code == 302
    assert Pledge.objects.get(pk=pledge.pk).to_node_id == world.cmp_a1a.pk
    assert 'value="place"' not in staff.get(url).content.decode()  # once
