import base64
import os
import subprocess
import sys

import pytest


def run_check(env_extra, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_", "DATABASE_URL"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "gongzhi", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env(tmp_path):
    return {
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings.production",
        "GONGZHI_DATA_DIR": str(tmp_path),
        "GONGZHI_SECRET_KEY": base64.b64encode(os.urandom(48)).decode(),
        "GONGZHI_FIELD_KEY": base64.b64encode(os.urandom(32)).decode(),
        "GONGZHI_ALLOWED_HOSTS": "gongzhi.example.org",
        "GONGZHI_TRUSTED_PROXIES": "127.0.0.1,::1",
        "GONGZHI_SMS_BACKEND": "gongzhi.accounts.sms.HttpSmsBackend",
        "GONGZHI_SMS_URL": "https://sms.example.org/send",
        "GONGZHI_SMS_SECRET": base64.b64encode(os.urandom(24)).decode(),
    }


def test_production_settings_pass_the_deploy_check_with_no_warnings(production_env):
    result = run_check(production_env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_proxy_that_is_not_trusted_is_flagged(production_env):
    del production_env["GONGZHI_TRUSTED_PROXIES"]
    result = run_check(production_env, "--deploy")
    assert "gongzhi.accounts.W003" in result.stderr + result.stdout
    production_env["GONGZHI_TRUSTED_PROXIES"] = "127.0.0.1,nginx"
    result = run_check(production_env)
    assert result.returncode != 0 and "gongzhi.accounts.E005" in result.stderr


def test_production_refuses_to_start_without_keys(production_env):
    del production_env["GONGZHI_FIELD_KEY"]
    result = run_check(production_env)
    assert result.returncode != 0
    assert "GONGZHI_FIELD_KEY must be set" in result.stderr


def test_keys_are_generated_once_into_the_data_folder(tmp_path):
    from gongzhi.core.keys import load_or_create_key

    key = load_or_create_key(tmp_path / "keys" / "field.key")
    assert len(base64.b64decode(key)) == 32
    assert load_or_create_key(tmp_path / "keys" / "field.key") == key
    assert oct((tmp_path / "keys" / "field.key").stat().st_mode & 0o777) == "0o600"


def test_database_url_selects_postgres_and_sqlite_uses_wal(monkeypatch):
    from gongzhi.settings import base

    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.internal:5432/gz")
    config = base.database_config()
    assert config["ENGINE"] == "django.db.backends.postgresql" and config["HOST"] == "db.internal"
    monkeypatch.delenv("DATABASE_URL")
    config = base.database_config()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_sqlite_file_database_runs_in_wal_mode(tmp_path, monkeypatch, django_db_blocker):
    from django.db.utils import ConnectionHandler

    from gongzhi.settings import base

    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = {**base.database_config(), "NAME": str(tmp_path / "wal.sqlite3")}
    handler = ConnectionHandler({"default": config})
    with django_db_blocker.unblock():
        try:
            with handler["default"].cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone()[0] == 1
        finally:
            handler.close_all()


def test_static_files_collect_with_the_production_storage(tmp_path):
    """Every asset (including the vendored htmx, ECharts and Leaflet) survives hashed, compressed collection."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGZHI_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "gongzhi.settings.local", "GONGZHI_DATA_DIR": str(tmp_path)})
    result = subprocess.run(
        [sys.executable, "-m", "gongzhi", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    collected = {p.relative_to(tmp_path / "static").as_posix() for p in (tmp_path / "static").rglob("*")}
    for asset in (
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "vendor/leaflet/leaflet.js",
        "gongzhi/app.css",
        "ninja/swagger-ui-bundle.js",
    ):
        assert asset in collected, asset
