"""Hardened settings for a deployment behind HTTPS. Every secret must come from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from gongzhi.settings.base import *  # noqa: F403

for _name in ("GONGZHI_SECRET_KEY", "GONGZHI_FIELD_KEY"):
    if not os.environ.get(_name):
        raise ImproperlyConfigured(f"{_name} must be set in production")

# The console SMS backend sends nothing: sign-in codes and notices would never arrive.
if GONGZHI_SMS_BACKEND == "gongzhi.accounts.sms.ConsoleSmsBackend" and not GONGZHI_SMS_ALLOW_CONSOLE:  # noqa: F405
    raise ImproperlyConfigured(
        "GONGZHI_SMS_BACKEND must name a real SMS gateway in production (docs/deploy.md, SMS gateway); "
        "set GONGZHI_SMS_ALLOW_CONSOLE=1 to run without one (nothing will be sent)"
    )

GONGZHI_SMS_CONSOLE_SHOW_CODES = False
DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("GONGZHI_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("GONGZHI_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("GONGZHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
