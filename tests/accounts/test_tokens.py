"""Issue 14: API tokens can be listed and revoked, and die with a password change or a deactivation.

Reproductions: no way to revoke (`DELETE /api/v1/auth/token` → 405, no page, no admin); a token survived a
password change, and came back when a deactivated user was reactivated.
"""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from gongzhi.accounts.models import ApiToken
from gongzhi.accounts.services import api_token_issue, api_token_user
from gongzhi.core.models import AuditEvent
from tests.accounts.factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR="198.51.100.7")


def test_a_token_is_named_and_listed_with_its_last_use(world):
    issued = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "a1-staff", "password": PASSWORD, "name": "热线对接"}),
        content_type="application/json",
    )
    assert issued.status_code == 200
    body = issued.json()
    assert body["name"] == "热线对接" and body["token"].startswith("gz_")
    older = api_token_issue(user=world.a1_staff, name="手机")
    api_token_issue(user=world.a2_staff, name="someone else's")
    client = bearer(body["token"])
    listed = client.get("/api/v1/auth/tokens").json()
    assert listed["count"] == 2
    rows = {row["name"]: row for row in listed["items"]}
    assert set(rows) == {"热线对接", "手机"}
    assert rows["热线对接"]["current"] is True and rows["手机"]["current"] is False
    assert rows["热线对接"]["last_used_at"] is not None and rows["手机"]["last_used_at"] is None
    assert "token" not in rows["手机"] and "key_hash" not in rows["手机"]
    assert api_token_user(older) == world.a1_staff


def test_revoke_one_token_by_id(world):
    keep = api_token_issue(user=world.a1_staff, name="keep")
    drop = api_token_issue(user=world.a1_staff, name="drop")
    drop_id = ApiToken.objects.get(name="drop").pk
    client = bearer(keep)
    assert client.delete(f"/api/v1/auth/tokens/{drop_id}").status_code == 204
    assert bearer(drop).get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200
    assert client.delete(f"/api/v1/auth/tokens/{drop_id}").status_code == 204  # twice is fine
    row = ApiToken.objects.get(pk=drop_id)
    assert row.revoked_reason == "by_user" and row.revoked_at is not None
    event = AuditEvent.objects.get(action="token.revoke", target_id=str(drop_id))
    assert event.actor == world.a1_staff and event.ip == "198.51.100.7"


def test_someone_elses_token_is_not_found_and_stays_alive(world):
    theirs = api_token_issue(user=world.a2_staff)
    their_id = ApiToken.objects.get(user=world.a2_staff).pk
    mine = bearer(api_token_issue(user=world.a1_staff))
    answer = mine.delete(f"/api/v1/auth/tokens/{their_id}")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert mine.delete("/api/v1/auth/tokens/999999").status_code == 404
    assert bearer(theirs).get("/api/v1/me").status_code == 200


def test_revoke_the_current_token(world):
    token = api_token_issue(user=world.a1_staff)
    client = bearer(token)
    assert client.delete("/api/v1/auth/token").status_code == 204
    assert client.get("/api/v1/me").status_code == 401
    assert client.delete("/api/v1/auth/token").status_code == 401
    # Signed in with the session only, there is no current token to revoke.
    session = Client()
    session.force_login(world.a1_staff)
    assert session.delete("/api/v1/auth/token").status_code == 401


def test_a_password_change_revokes_every_token(world):
    tokens = [api_token_issue(user=world.a1_staff) for _ in range(2)]
    world.a1_staff.set_password("a-new-long-password")
    world.a1_staff.save()
    assert [api_token_user(t) for t in tokens] == [None, None]
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {"password_changed"}
    # A token issued after the change works.
    assert api_token_user(api_token_issue(user=world.a1_staff)) == world.a1_staff


def test_the_changepassword_command_revokes_too(world, monkeypatch):
    token = api_token_issue(user=world.a1_staff)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "another-long-password-9")
    call_command("changepassword", "a1-staff", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert api_token_user(token) is None


def test_saving_other_fields_keeps_the_tokens(world):
    token = api_token_issue(user=world.a1_staff)
    world.a1_staff.display_name = "新名字"
    world.a1_staff.save()
    world.a1_staff.save(update_fields=["last_login"])
    assert api_token_user(token) == world.a1_staff


def test_deactivation_revokes_and_reactivation_does_not_bring_them_back(world):
    token = api_token_issue(user=world.a1_staff)
    world.a1_staff.is_active = False
    world.a1_staff.save()
    assert api_token_user(token) is None
    world.a1_staff.is_active = True
    world.a1_staff.save()
    assert api_token_user(token) is None
    assert bearer(token).get("/api/v1/me").status_code == 401
    assert ApiToken.objects.get().revoked_reason == "deactivated"


def test_the_tokens_page_issues_lists_and_revokes(world, login):
    client = login(world.a1_staff)
    other = api_token_issue(user=world.a2_staff)
    created = client.post("/accounts/tokens/", {"name": "我的脚本"})
    assert created.status_code == 200
    page = created.content.decode()
    token = page.split('id="issued-token">', 1)[1].split("<", 1)[0]
    assert "我的脚本" in page
    # Shown once: the list shows names and dates only ("never used" until a program uses it).
    listing = client.get("/accounts/tokens/").content.decode()
    assert "我的脚本" in listing and token not in listing and "从未" in listing
    assert api_token_user(token) == world.a1_staff
    row = ApiToken.objects.get(user=world.a1_staff)
    assert client.post(f"/accounts/tokens/{row.pk}/revoke/").status_code == 302
    assert api_token_user(token) is None
    assert "已于" in client.get("/accounts/tokens/").content.decode()
    their = ApiToken.objects.get(user=world.a2_staff)
    assert client.post(f"/accounts/tokens/{their.pk}/revoke/").status_code == 404
    assert api_token_user(other) == world.a2_staff
    assert client.get(f"/accounts/tokens/{row.pk}/revoke/").status_code == 405
    assert client.post("/accounts/tokens/", {"name": ""}).status_code == 400
    assert Client().get("/accounts/tokens/").status_code == 302


def test_the_admin_lists_tokens_by_hash_and_revokes_them(world, login):
    token = api_token_issue(user=world.a1_staff, name="脚本")
    row = ApiToken.objects.get()
    admin = login(world.superuser)
    listing = admin.get("/admin/accounts/apitoken/").content.decode()
    assert row.key_hash in listing and token not in listing and "脚本" in listing
    assert token not in admin.get(f"/admin/accounts/apitoken/{row.pk}/change/").content.decode()
    assert admin.get("/admin/accounts/apitoken/add/").status_code == 403
    answer = admin.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [row.pk]}, follow=True
    )
    assert answer.status_code == 200
    assert api_token_user(token) is None
    assert ApiToken.objects.get().revoked_reason == "by_admin"


@pytest.mark.parametrize("token_id", ["0", "9223372036854775808", "99999999999999999999999"])
def test_ids_no_token_can_have_are_not_found(world, login, token_id):
    client = bearer(api_token_issue(user=world.a1_staff))
    answer = client.delete(f"/api/v1/auth/tokens/{token_id}")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert login(world.a1_staff).post(f"/accounts/tokens/{token_id}/revoke/").status_code == 404
