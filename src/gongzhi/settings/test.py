"""Settings for the test suite: fast hashing, immediate Huey, a throw-away data folder."""

import os
import tempfile

os.environ.setdefault("GONGZHI_DATA_DIR", tempfile.mkdtemp(prefix="gongzhi-test-"))
# Parallel test workers (pytest-xdist) each keep a data folder of their own: keys, uploads and exports made
# by one worker's tests are not another's.
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["GONGZHI_DATA_DIR"] = os.path.join(os.environ["GONGZHI_DATA_DIR"], f"xdist-{worker}")
    os.makedirs(os.environ["GONGZHI_DATA_DIR"], exist_ok=True)

from gongzhi.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "immediate": True}  # noqa: F405
GONGZHI_SMS_BACKEND = "gongzhi.accounts.sms.MemorySmsBackend"
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The live training tests' stream host (tests/partywork).
GONGZHI_LIVE_STREAM_HOSTS = ["https://live.example.org"]
CONTENT_SECURITY_POLICY = policy(tile_hosts=GONGZHI_MAP_TILE_HOSTS, stream_hosts=GONGZHI_LIVE_STREAM_HOSTS)  # noqa: F405
