"""Settings of the processes the kill test starts (consumers and the seeding script): production-like
(no immediate Huey, the real queue and database from the environment), with periods of seconds."""

from gongzhi.settings.base import *  # noqa: F403
from tests.background import periods

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GONGZHI_SMS_BACKEND = "gongzhi.accounts.sms.HttpSmsBackend"
GONGZHI_SMS_TIMEOUT = 5
GONGZHI_SMS_SECRET = "kill-test-gateway-secret"  # the fake gateway does not check it
GONGZHI_SCHEDULER_TICK = 1
GONGZHI_LEASE_SECONDS = periods.LEASE
GONGZHI_PERIODS = {
    "appeals-sla-sweep": periods.SWEEP,
    "appeals-reconcile": periods.RECONCILE,
    "notifications-reconcile": periods.RECONCILE,
}
GONGZHI_RECONCILE_AFTER_SECONDS = periods.RECONCILE_AFTER
GONGZHI_SMS_CLAIM_SECONDS = periods.RECONCILE_AFTER
