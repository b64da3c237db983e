"""Issue 14: one sign-in path, throttled per account and per client address, that cannot be routed around.

Reproductions: the admin login ignored the lockout (eight wrong passwords then the right one → into
/admin/, no failures recorded, while the API answered 429); 40 tries sprayed over 10 accounts gave no
429; behind the nginx set-up every address was 127.0.0.1; anyone could lock a named account out.
"""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from gongzhi.accounts import services
from gongzhi.accounts.models import LoginFailure
from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.core.audit import client_ip
from gongzhi.core.models import AuditEvent
from tests.accounts.factories import PASSWORD, UserFactory, with_phone

pytestmark = pytest.mark.django_db

NGINX = ["127.0.0.1", "::1"]


def token_attempt(client: Client, username: str, password: str, **extra):
    return client.post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password}),
        content_type="application/json",
        **extra,
    )


def admin_attempt(client: Client, username: str, password: str, **extra):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def test_admin_login_counts_failures_and_honours_the_lockout(world):
    client = Client()
    for _ in range(8):
        assert admin_attempt(client, "root", "wrong-password").status_code == 200
    assert LoginFailure.objects.filter(key="u:root").count() >= 5
    # The right password now: no way into the admin, the same 429 as the API, and the reason said.
    page = admin_attempt(client, "root", PASSWORD)
    assert page.status_code == 200
    assert "尝试次数过多" in page.content.decode()
    assert client.get("/admin/").status_code == 302  # still signed out
    assert token_attempt(Client(), "root", PASSWORD).json()["code"] == "locked_out"


def test_admin_login_with_the_right_password_still_works_and_is_audited(world):
    client = Client()
    response = admin_attempt(client, "root", PASSWORD)
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEvent.objects.filter(action="user.sign_in", actor=world.superuser).count() == 1


def test_the_admin_still_refuses_non_staff(world):
    client = Client()
    assert admin_attempt(client, "a1-staff", PASSWORD).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_spraying_many_accounts_from_one_address_is_throttled(world):
    users = [UserFactory(username=f"sprayed{i}").username for i in range(10)]
    client = Client(REMOTE_ADDR="203.0.113.9")
    answers = [token_attempt(client, users[i % 10], f"guess-{i}").status_code for i in range(40)]
    # No account reached its own limit (four tries each), but the address did at its twentieth failure.
    assert answers[:19] == [401] * 19
    assert set(answers[19:]) == {429}
    assert token_attempt(client, users[0], PASSWORD).json()["code"] == "throttled"
    # Another address is not affected, nor is the right password from it.
    assert token_attempt(Client(REMOTE_ADDR="198.51.100.7"), users[0], PASSWORD).status_code == 200


@override_settings(GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT=3, GONGZHI_LOGIN_FAILURE_WINDOW=timedelta(minutes=2))
def test_the_address_limit_and_window_are_settings_and_the_window_slides(world):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for name in ("a", "b"):
            assert token_attempt(client, name, "x").status_code == 401
        clock.shift(timedelta(minutes=3))  # the first two slid out of the window
        for name in ("c", "d"):
            assert token_attempt(client, name, "x").status_code == 401
        assert token_attempt(client, "e", "x").status_code == 429  # three inside two minutes
        clock.shift(timedelta(minutes=16))
        assert token_attempt(client, "a1-staff", PASSWORD).status_code == 200


def test_a_forged_forwarded_for_is_ignored_without_a_trusted_proxy(world):
    client = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    token_attempt(client, "a1-staff", "x")
    assert LoginFailure.objects.get(key="u:a1-staff").ip == "203.0.113.9"


@override_settings(GONGZHI_TRUSTED_PROXIES=NGINX)
def test_behind_a_trusted_proxy_each_client_is_throttled_and_audited_by_its_own_address(world):
    # nginx on the same machine: every connection comes from 127.0.0.1 with the client in X-Forwarded-For.
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for i in range(25):
        token_attempt(attacker, f"nobody{i}", "x")
    assert token_attempt(attacker, "a1-staff", PASSWORD).status_code == 429
    assert not LoginFailure.objects.filter(ip="127.0.0.1").exists()
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert token_attempt(colleague, "a1-staff", PASSWORD).status_code == 200
    event = AuditEvent.objects.get(action="user.sign_in", actor=world.a1_staff)
    assert event.ip == "198.51.100.7"
    # A client that writes its own X-Forwarded-For gets only what nginx appended (its real address).
    forger = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.9")
    assert token_attempt(forger, "a1-staff", PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "expected"),
    [
        ([], "203.0.113.9", "10.0.0.1", "203.0.113.9"),
        (["127.0.0.1"], "203.0.113.9", "10.0.0.1", "203.0.113.9"),  # not from the proxy: header ignored
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "198.51.100.7", "198.51.100.7"),
        (["127.0.0.1"], "127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", "198.51.100.7"),
        (["127.0.0.1"], "127.0.0.1", "not-an-address", "127.0.0.1"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
        (["127.0.0.1"], "::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),
    ],
)
def test_client_address(rf, trusted, peer, forwarded, expected):
    request = rf.get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(GONGZHI_TRUSTED_PROXIES=trusted):
        assert client_ip(request) == expected


def test_a_stranger_cannot_keep_a_locked_account_out(world, django_capture_on_commit_callbacks):
    """The account is locked by someone guessing; its owner signs in with a code sent to their phone."""
    staff = with_phone(world.a1_staff, "13512345678")
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(6):
        token_attempt(stranger, "a1-staff", "guess")
    owner = Client(REMOTE_ADDR="198.51.100.7")
    page = owner.post(
        "/accounts/login/", {"method": "password", "username": "a1-staff", "password": PASSWORD}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "验证码" in body and 'name="code"' in body  # the page offers the code sign-in
    with django_capture_on_commit_callbacks(execute=True):
        assert owner.post("/accounts/login/code/", {"phone": "13512345678"}).status_code == 200
    phone, message = MemorySmsBackend.outbox[-1]
    assert phone == "13512345678"
    code = "".join(ch for ch in message if ch.isdigit())[:6]
    signed_in = owner.post("/accounts/login/", {"method": "code", "phone": "13512345678", "code": code})
    assert signed_in.status_code == 302
    # The code sign-in cleared the account's failures: the password works again, the stranger's address
    # keeps its own record.
    assert services.user_sign_in_with_password(request=None, username="a1-staff", password=PASSWORD) == staff
    assert LoginFailure.objects.filter(key="a:203.0.113.9").count() == 5  # the sixth was refused unheard
    methods = AuditEvent.objects.filter(action="user.sign_in", actor=staff).values_list("detail", "ip")
    assert sorted((d["method"], ip) for d, ip in methods) == [("code", "198.51.100.7"), ("password", None)]


def test_code_guesses_count_against_the_address_too(world, django_capture_on_commit_callbacks):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with override_settings(GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT=4):
        for i in range(4):
            client.post("/accounts/login/", {"method": "code", "phone": f"1350000000{i}", "code": "123456"})
        again = client.post("/accounts/login/", {"method": "code", "phone": "13500000009", "code": "123456"})
    assert again.status_code == 400 and "网络" in again.content.decode()
