"""Django settings. Everything that differs between machines comes from the environment.

SAFETYNET_DATA_DIR  where the SQLite database, the key file and job storage live (default ./var)
DATABASE_URL        postgres://… for PostgreSQL; unset means SQLite in the data directory
SAFETYNET_SECRET_KEY, SAFETYNET_FIELD_KEYS, SAFETYNET_INDEX_KEY  secrets (else a key file in the data dir)
HUEY_REDIS_URL      redis://… for background jobs; unset means SQLite storage in the data directory
SAFETYNET_COUNTY_CODE  the county this installation serves (6-digit code, default 141029 乡宁县)
"""

import os
import tempfile
from pathlib import Path

import dj_database_url

from safetynet.core import areas, keys

BASE_DIR = Path(__file__).resolve().parent
if "SAFETYNET_DATA_DIR" not in os.environ and "PYTEST_VERSION" in os.environ:
    # A test run never touches the demo's data directory (pytest sets PYTEST_VERSION).
    os.environ["SAFETYNET_DATA_DIR"] = tempfile.mkdtemp(prefix="safetynet-test-")
DATA_DIR = Path(os.environ.get("SAFETYNET_DATA_DIR", "var")).resolve()
TESTING = "PYTEST_VERSION" in os.environ
DATA_DIR.mkdir(parents=True, exist_ok=True)

KEYRING = keys.load_keyring(DATA_DIR)
SECRET_KEY = os.environ.get("SAFETYNET_SECRET_KEY") or KEYRING.secret_key
DEBUG = os.environ.get("SAFETYNET_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SAFETYNET_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "django_filters",
    "django_tables2",
    "safetynet.accounts",
    "safetynet.registry",
    "safetynet.audit",
    "safetynet.assessments",
    "safetynet.workdays",
    "safetynet.cases",
    "safetynet.entitlements",
    "safetynet.reports",
    "safetynet.campaigns",
    "safetynet.payments",
    "safetynet.rosters",
    "safetynet.visits",
    "safetynet.assistance",
    "safetynet.relief",
    "safetynet.verification",
    "safetynet.web",
    "safetynet.demo",
    "safetynet.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "safetynet.web.security.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "safetynet.web.security.SessionIdleTimeout",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safetynet.web.shell.ErrorPages",  # one renderer of web errors (403, 404, 400, 409…)
]
CSRF_FAILURE_VIEW = "safetynet.web.shell.csrf_failure"
# Django's renderer with its plainest widget templates written in Python (filter forms on every list).
FORM_RENDERER = "safetynet.web.form_renderer.FastWidgets"

ROOT_URLCONF = "safetynet.urls"
WSGI_APPLICATION = "safetynet.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# The user and their area in one query (accounts/backends.py); sessions signed in through Django's
# own backend before it stay valid.
AUTHENTICATION_BACKENDS = [
    "safetynet.accounts.backends.AreaBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"

# Every list page: a django-filter FilterSet and a django-tables2 Table (safetynet/web/lists/),
# rendered by our template on Bootstrap 5 (stacked cards on phones, no inline style).
DJANGO_TABLES2_TEMPLATE = "web/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover table-stack"}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safetynet.web.context.demo_clock",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(default=f"sqlite:///{DATA_DIR / 'safetynet.sqlite3'}", conn_max_age=60)
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while a batch job writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: it pays off for long analytic queries only; for a page's queries it
    # costs 0.1–3 s of compiling a plan that then runs for milliseconds (docs/scale.md).
    # Prepared statements: a connection has PostgreSQL parse a statement once it has run it this
    # many times (core/postgresql; docs/scale.md). 0 turns them off, as a pooler in transaction
    # mode (PgBouncer before 1.21) needs.
    PREPARE_THRESHOLD = int(os.environ.get("SAFETYNET_PG_PREPARE_THRESHOLD", "5"))
    DATABASES["default"]["ENGINE"] = "safetynet.core.postgresql"
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "options": "-c jit=off",
            "server_side_binding": True,
            "prepare_threshold": PREPARE_THRESHOLD or None,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
]

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in service

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from it once `collectstatic` has run
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files (department data: names and IDs) are readable by the service's user only. Large
# uploads are spooled to a private directory; leftovers of killed requests are removed at start-up
# (verification.storage.sweep_leftovers) once older than FILE_UPLOAD_TEMP_STALE_SECONDS.
FILE_UPLOAD_TEMP_DIR = DATA_DIR / "upload-tmp"
FILE_UPLOAD_TEMP_DIR.mkdir(mode=0o700, exist_ok=True)
FILE_UPLOAD_TEMP_DIR.chmod(0o700)
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_TEMP_STALE_SECONDS = int(os.environ.get("SAFETYNET_UPLOAD_TEMP_STALE_SECONDS", "3600"))
# A comparison run still "running" after this long is reported interrupted whatever its process.
COMPARISON_STALE_SECONDS = int(os.environ.get("SAFETYNET_COMPARISON_STALE_SECONDS", str(12 * 3600)))
WHITENOISE_USE_FINDERS = True
# The Chinese web font is generated from the noto-cjk-sans-otc package (web/webfont.py), not kept
# in the repository; this finder hands it to collectstatic and the development servers.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "safetynet.web.finders.WebFontFinder",
]

# ---- transport and sessions (docs/deploy.md "Security settings") -------------------------------
# Served over HTTPS (behind the TLS reverse proxy): Secure cookies and HSTS. Off by default because
# `safetynet demo` serves plain http on 127.0.0.1, where a Secure cookie would never come back.
HTTPS = os.environ.get("SAFETYNET_HTTPS", "") == "1"
# The demo's movable clock (core/clock.py): only `safetynet demo` turns it on, never with HTTPS.
SAFETYNET_DEMO_CLOCK = os.environ.get("SAFETYNET_DEMO_CLOCK", "") == "1"
if SAFETYNET_DEMO_CLOCK and HTTPS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SAFETYNET_DEMO_CLOCK is for the demo only, never with SAFETYNET_HTTPS.")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SAFETYNET_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SAFETYNET_HSTS_SUBDOMAINS", "") == "1"
if HTTPS and os.environ.get("SAFETYNET_PROXY_SSL_HEADER", "1") == "1":
    # The proxy terminates TLS and says so; only ever set this behind a proxy that overwrites it.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_ENGINE = "safetynet.accounts.sessions"  # database sessions, read in one statement
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Shared office computers: a session ends when the browser closes, and after this many idle
# minutes (web/security.py SessionIdleTimeout keeps an active user's session alive).
SESSION_EXPIRE_AT_BROWSER_CLOSE = os.environ.get("SAFETYNET_SESSION_AT_BROWSER_CLOSE", "1") == "1"
SESSION_COOKIE_AGE = int(os.environ.get("SAFETYNET_SESSION_IDLE_MINUTES", "30")) * 60
SESSION_REFRESH_SECONDS = min(60, SESSION_COOKIE_AGE // 2)

# Every page satisfies this: scripts, styles, fonts and images only from this server (htmx and
# ECharts are served from static), no inline script or style, no framing, forms post only here.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_huey_redis = os.environ.get("HUEY_REDIS_URL")
HUEY = (
    {"huey_class": "huey.RedisHuey", "name": "safetynet", "url": _huey_redis, "immediate": False}
    if _huey_redis
    else {
        "huey_class": "huey.SqliteHuey",
        "name": "safetynet",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": os.environ.get("SAFETYNET_JOBS_IMMEDIATE", "") == "1",
    }
)

# Failed-login throttle inside the window: this many failures for one account from one address,
# and, apart, this many failures from one address whatever the accounts. Nobody can lock an account
# out from another address.
LOGIN_FAILURE_LIMIT = int(os.environ.get("SAFETYNET_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("SAFETYNET_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("SAFETYNET_LOGIN_FAILURE_WINDOW", "900"))
# Addresses of the reverse proxies whose X-Forwarded-For is believed (accounts/clients.py).
TRUSTED_PROXIES = [a.strip() for a in os.environ.get("SAFETYNET_TRUSTED_PROXIES", "").split(",") if a.strip()]
API_TOKEN_TTL_HOURS = int(os.environ.get("SAFETYNET_API_TOKEN_TTL_HOURS", "12"))

# The county this installation serves: its parameter file, area data and default region.
# Read it through `safetynet.core.areas.configured_county()`, never as a literal.
SAFETYNET_COUNTY_CODE = areas.validated_county_code(
    os.environ.get("SAFETYNET_COUNTY_CODE", areas.DEFAULT_COUNTY)
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFETYNET_LOG_LEVEL", "WARNING")},
}

# How often the job recomputes the provisional monthly statistics (reports/statistics.py); a
# reading accepts figures up to twice this old, and shows their time.
SAFETYNET_STATISTICS_REFRESH_MINUTES = int(os.environ.get("SAFETYNET_STATISTICS_REFRESH_MINUTES", "10"))
