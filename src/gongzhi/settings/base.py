"""Settings shared by every environment. Everything site-specific comes from the environment:

GONGZHI_DATA_DIR   folder for the SQLite database, uploads and generated keys (default ./var)
DATABASE_URL       PostgreSQL (or any dj-database-url URL); SQLite in WAL mode when unset
REDIS_URL          Redis for the Huey queue and the cache; SQLite queue and local cache when unset
GONGZHI_FIELD_KEY  base64 of 32 bytes: the key for personal data at rest
GONGZHI_SECRET_KEY Django's SECRET_KEY
GONGZHI_OPEN311_* Open311's jurisdiction, key-less reads, their location grid, CORS origins, contact (below)
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

from gongzhi.core.csp import policy, tile_sources
from gongzhi.core.keys import load_or_create_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("GONGZHI_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("GONGZHI_SECRET_KEY") or load_or_create_key(DATA_DIR / "keys" / "secret.key")
# AES-256-GCM key for phone and ID numbers; the blind-index key is derived from it.
FIELD_KEY = os.environ.get("GONGZHI_FIELD_KEY") or load_or_create_key(DATA_DIR / "keys" / "field.key")

DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("GONGZHI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "ninja",
    "huey.contrib.djhuey",
    # Gongzhi: each app declares in its AppConfig what it adds (menu, pages, API, Excel, demo, figures).
    "gongzhi.core",
    "gongzhi.accounts",
    "gongzhi.orgs",
    "gongzhi.notifications",
    "gongzhi.api",
    "gongzhi.demo",
    "gongzhi.triage",
    "gongzhi.appeals",
    "gongzhi.volunteering",
    "gongzhi.wishes",
    "gongzhi.ledger",
    "gongzhi.partywork",
    "gongzhi.community",
    "gongzhi.venues",
    "gongzhi.deliberation",
    "gongzhi.alliances",
    "gongzhi.reports",
    "gongzhi.cockpit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # early: error pages from the middleware below (a bad Host header, a CSRF failure) carry the policy too
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "gongzhi.core.middleware.ControlCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "gongzhi.accounts.backends.PasswordBackend",
    "gongzhi.accounts.backends.PhoneCodeBackend",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.core.context_processors.navigation",
            ],
        },
    },
]


def database_config() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    # A worker keeps its connection between requests: a new SQLite connection starts with an empty page
    # cache, so every request would read its index pages from the file again. The memory map shares the
    # pages read by every process through the operating system's cache.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "gongzhi.sqlite3",
        "CONN_MAX_AGE": int(os.environ.get("GONGZHI_SQLITE_CONN_MAX_AGE", "600")),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; "
                "PRAGMA cache_size=-32768; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": database_config()}
# The tree and the role bindings, named for gongzhi.core.scoping (which imports no app).
GONGZHI_NODE_MODEL = "orgs.Node"
GONGZHI_ROLE_BINDING_MODEL = "accounts.RoleBinding"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {
        "huey_class": "gongzhi.core.background.GongzhiRedisHuey",
        "name": "gongzhi",
        "url": REDIS_URL,
        "immediate": False,
        "results": False,  # nothing reads a task's return value
    }
else:
    # Nothing shared between processes lives in this cache; shared state is in the database.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "gongzhi.core.background.GongzhiSqliteHuey",
        "name": "gongzhi",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "results": False,
    }
# Background work (gongzhi.core.background): how often the schedulers look for periodic work, how long a
# lease on running work lasts unless renewed (a third of it between renewals), and the periods of the
# periodic work by name (seconds; the apps' defaults apply to names not given here).
GONGZHI_SCHEDULER_TICK = 60
GONGZHI_LEASE_SECONDS = 120
GONGZHI_PERIODS: dict[str, int] = {}
# The reconcilers re-queue work that should have happened this long ago and did not (its task lost with a
# killed consumer); a text message being sent for longer than GONGZHI_SMS_CLAIM_SECONDS is taken as
# interrupted (sent or not: see gongzhi.notifications.delivery).
GONGZHI_RECONCILE_AFTER_SECONDS = 300
GONGZHI_SMS_CLAIM_SECONDS = 120

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The proxies (addresses or networks) whose X-Forwarded-For is believed, e.g. "127.0.0.1,::1" for nginx on
# the same machine; nobody's by default. The client address is what the sign-in throttle and the audit
# log record (gongzhi.core.audit.client_ip).
GONGZHI_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("GONGZHI_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Sign-in: failed attempts are counted per account and per client address over a sliding window; an
# account or address that reaches its limit inside one window is locked until GONGZHI_LOGIN_LOCKOUT after
# its last failure. A locked account can still sign in with a code sent to its phone.
GONGZHI_LOGIN_FAILURE_LIMIT = int(os.environ.get("GONGZHI_LOGIN_FAILURE_LIMIT", "5"))
GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("GONGZHI_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
GONGZHI_LOGIN_FAILURE_WINDOW = timedelta(minutes=int(os.environ.get("GONGZHI_LOGIN_FAILURE_MINUTES", "15")))
GONGZHI_LOGIN_LOCKOUT = timedelta(minutes=int(os.environ.get("GONGZHI_LOGIN_LOCKOUT_MINUTES", "15")))
GONGZHI_OTP_TTL = timedelta(minutes=5)
GONGZHI_OTP_RESEND_INTERVAL = timedelta(seconds=60)
GONGZHI_OTP_MAX_ATTEMPTS = 5
# Text messages (gongzhi.accounts.sms). The console backend sends nothing: the production settings refuse
# it unless GONGZHI_SMS_ALLOW_CONSOLE=1 (a staging site), and `check --deploy` warns about it.
GONGZHI_SMS_BACKEND = os.environ.get("GONGZHI_SMS_BACKEND", "gongzhi.accounts.sms.ConsoleSmsBackend")
GONGZHI_SMS_ALLOW_CONSOLE = os.environ.get("GONGZHI_SMS_ALLOW_CONSOLE", "") == "1"
GONGZHI_SMS_CONSOLE_SHOW_CODES = False  # the console backend masks numbers and codes (the demo shows codes)
# For gongzhi.accounts.sms.HttpSmsBackend: where the gateway takes messages, the secret requests are
# signed with, how long to wait for one answer, how many more tries, and the first wait between tries.
GONGZHI_SMS_URL = os.environ.get("GONGZHI_SMS_URL", "")
GONGZHI_SMS_SECRET = os.environ.get("GONGZHI_SMS_SECRET", "")
GONGZHI_SMS_TIMEOUT = float(os.environ.get("GONGZHI_SMS_TIMEOUT", "10"))
GONGZHI_SMS_RETRIES = int(os.environ.get("GONGZHI_SMS_RETRIES", "2"))
GONGZHI_SMS_RETRY_DELAY = float(os.environ.get("GONGZHI_SMS_RETRY_DELAY", "0.5"))
GONGZHI_API_TOKEN_TTL = timedelta(days=30)

GONGZHI_PAGE_SIZE = 50
GONGZHI_RATING_WINDOW_DAYS = 7
# Map tiles in GCJ-02 (as stored). Tiles are map data fetched by the browser; the Leaflet code is served locally.
GONGZHI_MAP_TILES = os.environ.get(
    "GONGZHI_MAP_TILES",
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
)
# An offline tile folder ({z}/{x}/{y}.png) the app serves itself at /tiles/{z}/{x}/{y}.png: set
# GONGZHI_MAP_TILE_DIR and GONGZHI_MAP_TILES=/tiles/{z}/{x}/{y}.png (or let nginx serve the folder, see
# docs/deploy.md). GONGZHI_MAP_TILES="off" draws maps without tiles: places on a plain background.
GONGZHI_MAP_TILE_DIR = os.environ.get("GONGZHI_MAP_TILE_DIR", "")
# A TrueType CJK font for the monthly report PDFs; by default Debian's WenQuanYi Micro Hei (docs/reports.md).
GONGZHI_REPORT_FONT = os.environ.get("GONGZHI_REPORT_FONT", "")
# The Content-Security-Policy (gongzhi.core.csp): the hosts browsers may load map tiles from, as CSP sources
# separated by commas (e.g. "https://*.tile.example.cn"); by default the host of GONGZHI_MAP_TILES.
GONGZHI_MAP_TILE_HOSTS = [
    h.strip() for h in os.environ.get("GONGZHI_MAP_TILE_HOSTS", "").split(",") if h.strip()
] or tile_sources(GONGZHI_MAP_TILES)
# The hosts that serve party work's live training streams (HLS), e.g. "https://live.example.cn".
GONGZHI_LIVE_STREAM_HOSTS = [
    h.strip() for h in os.environ.get("GONGZHI_LIVE_STREAM_HOSTS", "").split(",") if h.strip()
]
CONTENT_SECURITY_POLICY = policy(tile_hosts=GONGZHI_MAP_TILE_HOSTS, stream_hosts=GONGZHI_LIVE_STREAM_HOSTS)
# Composite appeal score: response rate, resolution rate, satisfaction rate.
GONGZHI_KPI_WEIGHTS = (0.1, 0.5, 0.4)
GONGZHI_IMPORT_MAX_ROWS = 200_000
GONGZHI_IMPORT_MAX_BYTES = 20 * 1024 * 1024

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
NINJA_PAGINATION_CLASS = "gongzhi.core.pagination.LimitOffset"

ROLE_LABELS = {
    "resident": _("Resident"),
    "volunteer": _("Volunteer"),
    "party_member": _("Party member"),
    "commissioner": _("Compound commissioner"),
    "property_manager": _("Property manager"),
    "owners_committee": _("Owners' committee"),
    "community_staff": _("Community staff"),
    "community_secretary": _("Community secretary"),
    "subdistrict_admin": _("Subdistrict administrator"),
    "alliance_unit": _("Alliance unit"),
    "district_viewer": _("District viewer"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "[%(asctime)s] %(levelname)s:%(name)s:%(process)d:%(message)s"}},
    "filters": {"scrub_credentials": {"()": "gongzhi.core.accesslog.ScrubCredentials"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # runserver's access log, without API keys or tokens (gunicorn's: gongzhi.core.accesslog).
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
            "filters": ["scrub_credentials"],
        },
        "gongzhi": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Configured here, so `run_huey` adds no handler of its own and each line is printed once.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Smart triage: a suggested first-level category is filled in only at or above this confidence
# (cross-validated precision 0.97 at 0.7, docs/triage.md); set above 1 to never fill it in.
GONGZHI_TRIAGE_AUTO_APPLY = float(os.environ.get("GONGZHI_TRIAGE_AUTO_APPLY", "0.7"))
# Below this confidence no category is suggested at all: on the compound tree's labelled set a
# suggestion at 0.4 or more is right 85-94 % of the time and shown for 67-75 % of appeals (docs/triage.md).
GONGZHI_TRIAGE_MIN_CONFIDENCE = float(os.environ.get("GONGZHI_TRIAGE_MIN_CONFIDENCE", "0.4"))
# A spot marked on the map farther than this from the chosen place is refused (a slip, another city).
GONGZHI_PIN_MAX_KM = float(os.environ.get("GONGZHI_PIN_MAX_KM", "3"))
GONGZHI_TRIAGE_DUPLICATE_DAYS = 30  # how far back to look for the same problem

# Open311 GeoReport v2 (/open311/): the one jurisdiction_id served (any other answers 400); whether
# appeals open to neighbours can be read without a key; the grid (degrees) their locations are rounded to
# then (0.005° is about 550 m north-south); the origins browsers may read from ("*": any); who to ask.
GONGZHI_OPEN311_JURISDICTION = os.environ.get("GONGZHI_OPEN311_JURISDICTION", "gongzhi")
GONGZHI_OPEN311_PUBLIC_READS = os.environ.get("GONGZHI_OPEN311_PUBLIC_READS", "1") not in ("0", "false", "")
GONGZHI_OPEN311_PUBLIC_GRID = float(os.environ.get("GONGZHI_OPEN311_PUBLIC_GRID", "0.005"))
GONGZHI_OPEN311_CORS_ORIGINS = [
    o.strip() for o in os.environ.get("GONGZHI_OPEN311_CORS_ORIGINS", "*").split(",") if o.strip()
]
GONGZHI_OPEN311_CONTACT = os.environ.get("GONGZHI_OPEN311_CONTACT", "")
