import pytest
from django.test import Client

from gongzhi.core.models import AuditEvent
from tests.accounts.factories import PASSWORD, UserFactory, with_phone

pytestmark = pytest.mark.django_db


def test_password_login_and_logout(world):
    client = Client()
    response = client.post(
        "/accounts/login/", {"method": "password", "username": "a1-staff", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/"
    assert "社区A1" in client.get("/").content.decode()
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_explained_in_chinese(world):
    response = Client().post(
        "/accounts/login/", {"method": "password", "username": "a1-staff", "password": "x"}
    )
    assert response.status_code == 400
    assert "用户名或密码错误" in response.content.decode()


def test_login_ignores_offsite_next(world):
    response = Client().post(
        "/accounts/login/?next=https://evil.example/",
        {"method": "password", "username": "a1-staff", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == "/"


def test_phone_code_login_through_the_pages(db, django_capture_on_commit_callbacks):
    from gongzhi.accounts.sms import MemorySmsBackend

    with_phone(UserFactory(username="resident-x"), "13812341234")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/login/code/", {"phone": "13812341234"})
    assert sent.status_code == 200 and "验证码即将发送" in sent.content.decode()
    code = "".join(ch for ch in MemorySmsBackend.outbox[-1][1] if ch.isdigit())[:6]
    again = client.post("/accounts/login/code/", {"phone": "13812341234"})
    assert again.status_code == 429
    bad = client.post("/accounts/login/code/", {"phone": "123"})
    assert bad.status_code == 400 and "11 位手机号" in bad.content.decode()
    response = client.post("/accounts/login/", {"method": "code", "phone": "13812341234", "code": code})
    assert response.status_code == 302


def test_people_pages_are_scoped(world, login):
    staff = login(world.a1_staff)
    page = staff.get("/accounts/people/").content.decode()
    assert "张三" in page and "李四" in page and "王五" not in page
    assert "138****1234" in page and "13812341234" not in page
    assert staff.get(f"/accounts/people/{world.p_a2a.pk}/").status_code == 404
    assert staff.get(f"/accounts/people/?node={world.comm_a2.pk}").status_code == 404
    assert login(world.viewer).get("/accounts/people/").status_code == 404
    assert login(world.resident).get("/accounts/people/").status_code == 404
    # A resident may open their own register entry, and nobody else's.
    assert login(world.resident).get(f"/accounts/people/{world.p_a1a.pk}/").status_code == 200
    assert login(world.resident).get(f"/accounts/people/{world.p_a1b.pk}/").status_code == 404


def test_search_by_full_number_and_name(world, login):
    staff = login(world.sub_admin)
    assert "张三" in staff.get("/accounts/people/?q=138-1234-1234").content.decode()
    page = staff.get("/accounts/people/?q=李").content.decode()
    assert "李四" in page and "张三" not in page


def test_reveal_shows_the_number_and_writes_the_audit_log(world, login):
    staff = login(world.a1_staff)
    response = staff.post(f"/accounts/people/{world.p_a1a.pk}/reveal/phone/")
    assert response.status_code == 200 and "13812341234" in response.content.decode()
    assert AuditEvent.objects.filter(action="person.reveal.phone", actor=world.a1_staff).count() == 1
    assert staff.get(f"/accounts/people/{world.p_a1a.pk}/reveal/phone/").status_code == 405
    assert staff.post(f"/accounts/people/{world.p_a1a.pk}/reveal/password/").status_code == 404
    assert staff.post(f"/accounts/people/{world.p_a2a.pk}/reveal/phone/").status_code == 404
    # A resident cannot reveal even their own entry through the staff action.
    assert login(world.resident).post(f"/accounts/people/{world.p_a1a.pk}/reveal/phone/").status_code == 404
    assert AuditEvent.objects.filter(action__startswith="person.reveal").count() == 1


def test_export_is_masked(world, login):
    import io

    from openpyxl import load_workbook

    response = login(world.a1_staff).get("/accounts/people/export.xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("姓名", "所在节点编码")
    assert {r[0] for r in rows[1:]} == {"张三", "李四"}
    assert all("*" in (r[4] or "*") for r in rows[1:])
    assert AuditEvent.objects.filter(action="person.export", actor=world.a1_staff).get().detail == {"rows": 2}
