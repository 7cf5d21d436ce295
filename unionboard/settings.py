"""Unionboard settings: one file, every deployment choice read from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def envbool(name: str, default: bool) -> bool:
    """Read a yes/no variable: 1/true/yes/on are true, 0/false/no/off false."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a yes/no value, got {value!r}")


def envint(name: str, default: int) -> int:
    """Read a whole-number variable, refusing anything else."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    """Read a comma-separated list."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)


def weak_secret_key(key: str) -> bool:
    """The development key, or one shorter than 50 characters or with fewer than 5 different
    ones (fifty times the same letter): Django's own rule for a key that is not random."""
    return key == DEV_SECRET_KEY or len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


if not DEBUG and weak_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "DEBUG is off: set SECRET_KEY to a long random value (50+ characters, not one or two "
        "repeated). Refusing to start with the development key or a guessable one."
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_bootstrap5",
    "simple_history",
    "axes",
    # The project's apps, each importing only those above it in this list (import-linter).
    "unionboard",
    "branches",
    "members",
    "targets",
    "imports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "unionboard.middleware.RefuseNulMiddleware",
    "unionboard.middleware.ContentSecurityPolicyMiddleware",
    "unionboard.middleware.PrivatePagesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "unionboard.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unionboard.urls"
WSGI_APPLICATION = "unionboard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "unionboard.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0,
    )
}
REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
# After a user's write, their reads stay on the primary this long (the replica trails it).
REPLICA_PIN_SECONDS = envint("REPLICA_PIN_SECONDS", 10)
if REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_URL, conn_max_age=0)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["unionboard.routers.PrimaryReplicaRouter"]
    MIDDLEWARE.append("unionboard.routers.PinPrimaryMiddleware")
# While a database is down a request fails after this many seconds (connecting, or waiting for
# the pool's free connection) with the error page, instead of holding its worker for the pool's
# default 10 s; libpq counts 2 s as its shortest connect timeout.
DATABASE_TIMEOUT = max(envint("DATABASE_TIMEOUT", 2), 2)
for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite has one writer at a time. A writer waits up to 20 s for the lock rather than
        # failing at once with "database is locked", and a transaction takes the write lock
        # when it begins (BEGIN IMMEDIATE): two transactions that read and then write (two
        # transfers of one member, a double-clicked import) queue up instead of deadlocking.
        _db.setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})["connect_timeout"] = DATABASE_TIMEOUT
        if envbool("DATABASE_POOL", True):
            # psycopg 3 pool; CONN_MAX_AGE must stay 0 with it.
            _db["OPTIONS"]["pool"] = {
                "min_size": envint("DATABASE_POOL_MIN", 1),
                "max_size": envint("DATABASE_POOL_MAX", 8),
                "timeout": DATABASE_TIMEOUT,
            }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # with DEBUG off the demo password (printed in the README) signs no one in
    "demo.auth.RefuseDemoPasswordBackend",
    "unionboard.auth.CachedPermissionsBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: 5 failures for one account from one address lock it for a while.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", 0) or None

# Internationalisation: Vietnamese first, English second.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "vi")
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["unionboard.formats"]
LANGUAGE_COOKIE_NAME = "unionboard_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Uploads: the import page checks its own 20 MB limit; keep large files on disk, not in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000)
# Seconds an import may spend reading its file (not writing it): a forged file stops here.
IMPORT_MAX_READ_SECONDS = envint("IMPORT_MAX_READ_SECONDS", 10)

# The cache: Redis when REDIS_URL is set, one for every server and worker; the database
# (`CACHE_BACKEND=database`, a table made by `manage.py createcachetable`) where there is no
# Redis; else each process's own memory, for development. The server refuses to start when
# the one named cannot be imported or reached (unionboard.backends).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_BACKEND = os.environ.get("CACHE_BACKEND", "") or ("redis" if REDIS_URL else "locmem")
CACHE_TABLE = "unionboard_cache"
_CACHE_BACKENDS = {
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # a Redis that stops answering fails a request in 2 s, it does not hang it
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    },
    # about 100 KB a page: 2,000 entries are some 200 MB of the primary's table
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 1000}},
}
if CACHE_BACKEND not in _CACHE_BACKENDS:
    raise ImproperlyConfigured(
        f"CACHE_BACKEND must be one of {', '.join(_CACHE_BACKENDS)}, got {CACHE_BACKEND!r}"
    )
if CACHE_BACKEND == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("CACHE_BACKEND=redis needs REDIS_URL (e.g. redis://127.0.0.1:6379/1)")
CACHES = {"default": _CACHE_BACKENDS[CACHE_BACKEND]}
# Dashboards and lists cache their rendered content under the data's fingerprint
# (unionboard.pagecache): a write changes the key, so this only bounds how long an
# unused entry stays. RELEASE names the deployed code (default: the newest source file).
CONTENT_CACHE_SECONDS = envint("CONTENT_CACHE_SECONDS", 3600)
RELEASE = os.environ.get("RELEASE", "")

# Sessions and cookies.
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer may probe /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)

# django-filter's blank choice ("---------" by default) reads "All" in the user's language.
FILTERS_EMPTY_CHOICE_LABEL = _("All")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},
        # server errors (500) with their traceback, whatever DEBUG says; no mail to ADMINS
        "django.request": {"handlers": ["console"], "level": "ERROR"},
        "unionboard": {"handlers": ["console"], "level": "INFO"},
    },
}
