"""Django settings: SQLite under SALESCHANNEL_HOME by default, PostgreSQL from DATABASE_URL."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from saleschannel.home import home, key_lazy

BASE_DIR = Path(__file__).resolve().parent
HOME = home()

SECRET_KEY = key_lazy("SALESCHANNEL_SECRET_KEY", "secret.key")  # the key file is made on first use
DEBUG = os.environ.get("SALESCHANNEL_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("SALESCHANNEL_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "saleschannel.commerce.stores",
    "saleschannel.commerce.catalog",
    "saleschannel.commerce.inventory",
    "saleschannel.commerce.customers",
    "saleschannel.commerce.sales",
    "saleschannel.commerce.shipping",
    "saleschannel.channel",
    "saleschannel.workers",
    "saleschannel.channel.outbox",
    "saleschannel.channel.connect",
    "saleschannel.dashboard",
    "saleschannel.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "saleschannel.urls"
WSGI_APPLICATION = "saleschannel.wsgi.application"

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
            ],
        },
    }
]


def _sqlite(name: str) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;",
        },
        "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"saleschannel-test-{os.getpid()}.sqlite3")},
    }


def _postgres(url: str) -> dict[str, Any]:
    parts = urlparse(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 0,
        # Each test process gets its own database, so that runs never collide.
        "TEST": {"NAME": os.environ.get("SALESCHANNEL_TEST_DB_NAME", f"test_saleschannel_{os.getpid()}")},
    }


def database_from_url(url: str | None) -> dict[str, Any]:
    """The default database: PostgreSQL for a ``postgresql://`` URL, else SQLite under home."""
    if url and url.startswith(("postgres://", "postgresql://")):
        return _postgres(url)
    if url and url.startswith("sqlite:///"):
        return _sqlite(url[len("sqlite:///") :])
    if url:
        raise ValueError(f"DATABASE_URL: unsupported scheme in {url.split(':', 1)[0]!r}")
    return _sqlite(str(HOME / "saleschannel.sqlite3"))


DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AUTH_PASSWORD_VALIDATORS: in the sign-in block at the end.
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
# The merchant's time zone: dates are shown in it and stored in UTC (C20).
SALESCHANNEL_DISPLAY_TIME_ZONE = os.environ.get("SALESCHANNEL_TIME_ZONE", "UTC")
# Stock to Amazon (T16): 1 pauses the pushes of every account of the installation.
SALESCHANNEL_PUSH_PAUSED = os.environ.get("SALESCHANNEL_PUSH_PAUSED", "") == "1"

STATIC_URL = "static/"
STATIC_ROOT = HOME / "static"
# whitenoise serves the apps' static files straight from their folders: no collectstatic step.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_MAX_AGE = 3600
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if os.environ.get("SALESCHANNEL_PRODUCTION") == "1":
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # A body that is not JSON is refused as {field: [message]}, like every other refusal.
    "EXCEPTION_HANDLER": "saleschannel.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sales Channel API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every refusal with its body's shape, on every operation (saleschannel/api/schema.py).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "saleschannel.api.schema.finish"],
    # One name for each choice set that several fields share or that shares a field's name.
    "ENUM_NAME_OVERRIDES": {
        "EnabledEnum": ["disabled", "enabled"],
        "SyncRequestStateEnum": ["requested", "running", "done"],
        "OrderStateEnum": "saleschannel.commerce.sales.models.OrderState",
    },
}

# Credentials of Amazon accounts are encrypted at rest with this Fernet key.
SALESCHANNEL_FERNET_KEY = key_lazy("SALESCHANNEL_FERNET_KEY", "fernet.key", make="fernet")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "saleschannel": {"handlers": ["stderr"], "level": os.environ.get("SALESCHANNEL_LOG_LEVEL", "INFO")},
    },
}


# ---------------------------------------------------------------------------------------------
# Sign-in (issue #21): lockout after failed attempts (django-axes), password rules, hashed API
# tokens, a Content-Security-Policy (django-csp) and an idle time limit on sessions. Kept in
# one block so that it reads, and merges, as one piece.
# ---------------------------------------------------------------------------------------------
from csp.constants import NONE, SELF  # noqa: E402


def _positive_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}: {raw!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name}: {raw!r} must be above 0")
    return value


# API tokens are kept as SHA-256 digests (saleschannel.api.models.ApiToken), never as keys.
INSTALLED_APPS.remove("rest_framework.authtoken")
INSTALLED_APPS += ["axes", "csp"]
# axes must see every request after the session and user are known: last in the list.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "csp.middleware.CSPMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out user or address
    "django.contrib.auth.backends.ModelBackend",
]
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "saleschannel.api.authentication.HashedTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
# Locked out after this many failures, per username and per address (whether or not the
# username exists), until SALESCHANNEL_LOCKOUT_MINUTES pass without a failure; an admin may
# unlock sooner (admin: Axes › Access attempts; `saleschannel user unlock`).
AXES_FAILURE_LIMIT = max(1, int(_positive_number("SALESCHANNEL_LOCKOUT_FAILURES", 5)))
AXES_COOLOFF_TIME = _positive_number("SALESCHANNEL_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = "saleschannel.dashboard.lockout.lockout_parameters"
AXES_LOCKOUT_TEMPLATE = "dashboard/locked_out.html"
# Not forgotten on a success: axes would forget every failure from the address, so one valid
# account would reset the count of guesses at another's password. Failures expire instead.
AXES_RESET_ON_SUCCESS = False
AXES_SENSITIVE_PARAMETERS = ["password", "token"]
# The client's address is REMOTE_ADDR: behind a TLS proxy, `saleschannel serve` sets it from the
# proxy's X-Forwarded-For when SALESCHANNEL_TRUSTED_PROXY names the proxy (README).

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": max(1, int(_positive_number("SALESCHANNEL_PASSWORD_MIN_LENGTH", 12)))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A session ends after this long without a request. A request renews it, writing the session
# at most once a minute (saleschannel.dashboard.sessions), not on every request.
SESSION_COOKIE_AGE = int(_positive_number("SALESCHANNEL_SESSION_IDLE_HOURS", 8) * 3600)
SALESCHANNEL_SESSION_RENEW_SECONDS = 60
MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
                  "saleschannel.dashboard.sessions.SessionIdleMiddleware")

# No inline script or style anywhere: every script and style sheet is a file of our own.
# No form-action: connecting an account posts a form that Amazon's Seller Central (a host per
# region and marketplace) answers, and the browser holds a form's redirects to that list too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}
