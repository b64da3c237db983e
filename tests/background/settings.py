"""Settings of the processes the kill test starts (consumers and the seeding script): production-like
(no immediate Huey, the real queue and database from the environment), with periods of seconds."""

from gongzhi.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
GONGZHI_SMS_BACKEND = "gongzhi.accounts.sms.HttpSmsBackend"
GONGZHI_SMS_TIMEOUT = 5
GONGZHI_SCHEDULER_TICK = 1
GONGZHI_LEASE_SECONDS = 3
GONGZHI_PERIODS = {"appeals-sla-sweep": 8, "appeals-reconcile": 2, "notifications-reconcile": 2}
GONGZHI_RECONCILE_AFTER_SECONDS = 4
GONGZHI_SMS_CLAIM_SECONDS = 4
