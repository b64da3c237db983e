"""Issue 14: text messages for real. The HTTP gateway client signs and retries (against a fake gateway
started here); the console backend masks numbers and codes; production refuses the console backend unless
allowed, and ``check --deploy`` says what is wrong with the SMS set-up."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import override_settings

from gongzhi.accounts.sms import (
    ConsoleSmsBackend,
    HttpSmsBackend,
    SmsMaybeSent,
    SmsNotSent,
    sign,
)
from tests.core.test_settings import run_check

SECRET = "a-shared-secret-of-some-length"


class FakeGateway(ThreadingHTTPServer):
    """Answers from a script (one status per request, then 200); checks every signature; keeps messages
    once per idempotency key."""

    daemon_threads = True

    def __init__(self, *statuses: int, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = list(statuses)
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.delivered: dict[str, tuple[str, str]] = {}
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"


class _Handler(BaseHTTPRequestHandler):
    server: FakeGateway

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        key = self.headers.get("Idempotency-Key", "")
        stamp = self.headers.get("X-Gongzhi-Timestamp", "")
        signed = self.headers.get("X-Gongzhi-Signature", "")
        good = bool(stamp) and signed == sign(SECRET, stamp, key, raw) and abs(time.time() - int(stamp)) < 300
        gateway = self.server
        gateway.requests.append({"key": key, "signature_ok": good})
        status = gateway.script.pop(0) if gateway.script else 200
        if not good:
            status = 401
        elif status == 200:
            body = json.loads(raw)
            gateway.delivered.setdefault(key, (body["phone"], body["message"]))
        time.sleep(gateway.delay)
        try:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway_settings():
    def _settings(gateway: FakeGateway, **extra: Any):
        values = {
            "GONGZHI_SMS_URL": gateway.url,
            "GONGZHI_SMS_SECRET": SECRET,
            "GONGZHI_SMS_RETRY_DELAY": 0.01,
            "GONGZHI_SMS_TIMEOUT": 2,
        }
        return override_settings(**(values | extra))

    yield _settings


def test_a_signed_message_is_retried_with_the_same_key_until_the_gateway_takes_it(gateway_settings):
    gateway = FakeGateway(503, 429)
    with gateway_settings(gateway):
        HttpSmsBackend().send("13812341234", "【共治】您的诉求已受理", key="gongzhi-7-1")
    gateway.shutdown()
    assert [r["key"] for r in gateway.requests] == ["gongzhi-7-1"] * 3
    assert all(r["signature_ok"] for r in gateway.requests)
    assert gateway.delivered == {"gongzhi-7-1": ("13812341234", "【共治】您的诉求已受理")}


def test_a_code_without_a_key_gets_one_for_its_retries(gateway_settings):
    gateway = FakeGateway(502)
    with gateway_settings(gateway):
        HttpSmsBackend().send("13812341234", "验证码 123456")
    gateway.shutdown()
    keys = [r["key"] for r in gateway.requests]
    assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32


def test_a_refusal_is_final_and_not_retried(gateway_settings):
    gateway = FakeGateway(400)
    with gateway_settings(gateway), pytest.raises(SmsNotSent):
        HttpSmsBackend().send("13812341234", "x", key="k")
    gateway.shutdown()
    assert len(gateway.requests) == 1 and not gateway.delivered


def test_a_wrong_secret_is_refused_by_the_gateway(gateway_settings):
    gateway = FakeGateway()
    with gateway_settings(gateway, GONGZHI_SMS_SECRET="not-the-gateway-secret"), pytest.raises(SmsNotSent):
        HttpSmsBackend().send("13812341234", "x", key="k")
    gateway.shutdown()
    assert [r["signature_ok"] for r in gateway.requests] == [False] and not gateway.delivered


def test_a_gateway_that_keeps_failing_after_it_may_have_taken_the_message(gateway_settings):
    gateway = FakeGateway(500, 500, 500, 500)
    with gateway_settings(gateway, GONGZHI_SMS_RETRIES=2), pytest.raises(SmsMaybeSent):
        HttpSmsBackend().send("13812341234", "x", key="k")
    gateway.shutdown()
    assert len(gateway.requests) == 3


def test_a_gateway_that_does_not_answer_in_time(gateway_settings):
    gateway = FakeGateway(delay=1.0)
    slow = gateway_settings(gateway, GONGZHI_SMS_TIMEOUT=0.2, GONGZHI_SMS_RETRIES=1)
    with slow, pytest.raises(SmsMaybeSent):
        HttpSmsBackend().send("13812341234", "x", key="k")
    gateway.shutdown()
    assert len(gateway.requests) == 2 and set(gateway.delivered) == {"k"}  # once, whatever the tries


def test_an_unreachable_gateway_is_certainly_not_sent():
    gateway = FakeGateway()
    url = gateway.url
    gateway.shutdown()
    gateway.server_close()
    closed = override_settings(GONGZHI_SMS_URL=url, GONGZHI_SMS_SECRET=SECRET, GONGZHI_SMS_RETRY_DELAY=0.01)
    with closed, pytest.raises(SmsNotSent):
        HttpSmsBackend().send("13812341234", "x", key="k")


def test_nothing_is_sent_unsigned():
    gateway = FakeGateway()
    with override_settings(GONGZHI_SMS_URL=gateway.url, GONGZHI_SMS_SECRET=""), pytest.raises(SmsNotSent):
        HttpSmsBackend().send("13812341234", "x", key="k")
    gateway.shutdown()
    assert gateway.requests == []


def test_the_console_backend_masks_numbers_and_codes(capsys):
    ConsoleSmsBackend().send("13812341234", "您的共治登录验证码是 482913，5 分钟内有效。")
    printed = capsys.readouterr().out
    assert "13812341234" not in printed and "482913" not in printed
    assert "138****1234" in printed and "******" in printed and "5 分钟" in printed


@pytest.fixture
def production_env(tmp_path):
    from tests.core.test_settings import production_env as make

    return make.__wrapped__(tmp_path)


def test_production_refuses_the_console_backend_unless_allowed(production_env):
    del production_env["GONGZHI_SMS_BACKEND"]
    refused = run_check(production_env)
    assert refused.returncode != 0 and "GONGZHI_SMS_BACKEND must name a real SMS gateway" in refused.stderr
    production_env["GONGZHI_SMS_ALLOW_CONSOLE"] = "1"
    allowed = run_check(production_env, "--deploy")
    assert "gongzhi.accounts.W001" in allowed.stderr + allowed.stdout
    assert run_check(production_env, "--deploy", "--fail-level", "WARNING").returncode != 0


def test_the_deploy_check_finds_an_incomplete_gateway(production_env):
    production_env["GONGZHI_SMS_SECRET"] = ""
    production_env["GONGZHI_SMS_URL"] = "http://sms.internal/send"
    found = run_check(production_env, "--deploy")
    output = found.stderr + found.stdout
    assert found.returncode != 0
    assert "gongzhi.accounts.E004" in output and "gongzhi.accounts.W002" in output
    production_env["GONGZHI_SMS_BACKEND"] = "gongzhi.accounts.sms.MemorySmsBackend"
    assert "gongzhi.accounts.E002" in run_check(production_env, "--deploy").stderr


def test_the_demo_settings_show_codes_and_still_mask_numbers(capsys):
    with override_settings(GONGZHI_SMS_CONSOLE_SHOW_CODES=True):
        ConsoleSmsBackend().send("13812341234", "验证码 482913")
    printed = capsys.readouterr().out
    assert "482913" in printed and "13812341234" not in printed
