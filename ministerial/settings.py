"""One settings module, read from the environment.

Development needs nothing set: DEBUG defaults on only when DJANGO_ENV is not
"production", and the database is an SQLite file in the project folder. In
production (DEBUG off) SECRET_KEY and ALLOWED_HOSTS must come from the
environment or the app refuses to start. See README.md for the full list.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment when DEBUG is off. "
            "For local development run with DEBUG=1 (make run does)."
        )
    SECRET_KEY = "development-only-not-secret"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set in the environment when DEBUG is off."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Reference data in every language (recommendations/translation.py); before the admin.
    "modeltranslation",
    # Django's admin with a throttled password change form (recommendations/admin_site.py).
    "recommendations.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "django_countries",
    "simple_history",
    "axes",
    "django_tasks_db",
    "recommendations",
]
# Development-only tools (seed_synthetic, the load-test data generator): installed with
# DEBUG, or where TRACKER_DEVTOOLS=1 asks for them (the benchmark's scratch databases),
# never otherwise, so that a production site has no command that writes generated data.
if env_bool("TRACKER_DEVTOOLS", default=DEBUG):
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # Outermost, so its one log line per request has the final status and the whole time.
    "lib.middleware.RequestLogMiddleware",
    "lib.middleware.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lib.locale_urls.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "recommendations.middleware.ReadRequiresLoginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost, so it sees a view's database error first and answers 503.
    "lib.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "ministerial.urls"
WSGI_APPLICATION = "ministerial.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "recommendations.context_processors.site",
            ],
        },
    },
]

# Database: DATABASE_URL, or an SQLite file in the project folder.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            # Fail fast instead of hanging when the server is away.
            "connect_timeout": env_int("DB_CONNECT_TIMEOUT", 3),
            # Protect the web role from runaway queries (exports raise it for themselves).
            "options": f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 30000)}",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Time allowed to a CSV export's query, which may legitimately run for minutes.
EXPORT_STATEMENT_TIMEOUT_MS = env_int("EXPORT_STATEMENT_TIMEOUT_MS", 15 * 60 * 1000)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Everyone signs in at /accounts/login/ (the admin keeps its own sign-in page); a
# focal point then lands on their workspace, staff on the choice of a delegation.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace:home"

# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the
# client is REMOTE_ADDR and X-Forwarded-For is ignored (a client could forge it);
# 1 behind one proxy (nginx with $proxy_add_x_forwarded_for), and so on.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Login throttling (django-axes, see recommendations/signin.py): three failed
# sign-ins for one account, or from one client, show the form again; the fourth
# within the cool-off gets HTTP 429, and so does every attempt after it until the
# cool-off ends. Axes locks out at the failure whose count reaches the limit, hence
# 4. Counted per account (locked from every address) and per address (locked for
# every account); clients are told apart by TRUSTED_PROXY_COUNT. A success forgives
# only the failures of its own account from its own address. Wrong old passwords
# on the password change form count too.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 4)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "recommendations.signin.SignInThrottle"
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "lib.client_ip.client_ip"
# Renders the 429 page without a database query (see lib/errors.py).
AXES_LOCKOUT_CALLABLE = "lib.errors.lockout"

# The largest CSV file the admin's import accepts. Files whose confirmed import writes
# more than IMPORT_SYNC_ROWS rows are imported in the background by the task worker
# (`manage.py db_worker`, django-tasks-db), in batches, with a page showing progress.
IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 20)
IMPORT_SYNC_ROWS = env_int("IMPORT_SYNC_ROWS", 500)
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# When on, every page and export needs a signed-in user.
READ_REQUIRES_LOGIN = env_bool("READ_REQUIRES_LOGIN", default=False)

LANGUAGE_CODE = "en"
# The six official languages of the United Nations, in the UN's order.
LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Reference data (theme, meeting, session and delegation names) has a column per language
# (django-modeltranslation, see recommendations/translation.py); an empty one reads as
# the English, the language the data is curated in.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "lib.storage.CompressedManifestStorage"
        )
    },
}

# Content-Security-Policy (Django's built-in support): no inline script or style;
# a script that must be inline carries the per-request nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Security headers. The HTTPS ones are on unless DEBUG; behind a TLS-terminating
# proxy set SECURE_PROXY_SSL_HEADER=1 so Django trusts X-Forwarded-Proto.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# The preload directive only states consent to the browsers' preload list; nothing
# is submitted. check --deploy asks for it (security.W021).
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Email (Django's MAILERS): console in development, SMTP from the environment in production.
if env_bool("EMAIL_CONSOLE", default=DEBUG):
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=False),
                "timeout": env_int("EMAIL_TIMEOUT", 20),
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Whether illustrative follow-up data is loaded is read from the database
# (see context_processors); this flag lets production refuse it outright.
ALLOW_SAMPLE_DATA = env_bool("ALLOW_SAMPLE_DATA", default=DEBUG)

# Error pages are rendered without the request context (no database query), so
# they still render when the database is what failed.
CSRF_FAILURE_VIEW = "lib.errors.csrf_failure"

# Backups: dumpdata --format exact_json keeps timestamps to the microsecond (Django's
# own JSON drops them below the millisecond, which could reorder same-day progress
# updates); loaddata reads a .exact_json file back. Django's "json" is left as it is.
SERIALIZATION_MODULES = {"exact_json": "lib.exact_json"}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The request log line comes from our middleware; Django's would duplicate it.
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # One line per request: method, path, status, duration (lib/middleware.py).
        "ministerial.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")},
        # Failed sign-ins and lockouts are warnings; axes' INFO lines are routine.
        "axes": {"level": "WARNING"},
        # WeasyPrint (the PDF reports) logs each step of every PDF at INFO; its warnings
        # (a resource refused, a CSS rule it cannot apply) are the lines worth keeping.
        "weasyprint": {"level": "WARNING"},
    },
}
