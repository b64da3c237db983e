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
