"""Caseworks settings: one module, production behaviour switched by environment variables.

Development (DEBUG=True) generates a secret key and field keys once into var/keys.json.
Production (DEBUG off, the default) never generates anything: missing keys are reported by
the system checks in caseworks/checks.py and the app refuses to start.
"""

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from caseworks.web import countries

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CASEWORKS_VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False"):
        raise ImproperlyConfigured(f"{name} must be True or False, got {value!r}")
    return value == "True"


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def envsecret(name: str) -> str | None:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/systemd secrets)."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value and file_name:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as e:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name}: {e}") from None
    return value or None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_keys() -> dict:
    """Keys for a development instance, generated once into var/keys.json (git-ignored)."""
    path = VAR_DIR / "keys.json"
    if path.exists():
        return json.loads(path.read_text())
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    keys = {
        "secret_key": secrets.token_urlsafe(50),
        "field_keys": [Fernet.generate_key().decode()],
        "blind_index_key": secrets.token_urlsafe(32),
    }
    # Created with owner-only permissions: these keys decrypt every case file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(keys, f, indent=2)
    return keys


DEBUG = envbool("DEBUG", "False")

SECRET_KEY = envsecret("SECRET_KEY")
# Field encryption: Fernet keys, newest first; older ones only decrypt (see rotate_keys).
CASEWORKS_FIELD_KEYS = envlist("CASEWORKS_FIELD_KEYS", envsecret("CASEWORKS_FIELD_KEYS") or "")
# Blind indexes (searching encrypted values): a separate HMAC key.
CASEWORKS_BLIND_INDEX_KEY = envsecret("CASEWORKS_BLIND_INDEX_KEY")

if DEBUG and not (SECRET_KEY and CASEWORKS_FIELD_KEYS and CASEWORKS_BLIND_INDEX_KEY):
    _dev = _development_keys()
    SECRET_KEY = SECRET_KEY or _dev["secret_key"]
    CASEWORKS_FIELD_KEYS = CASEWORKS_FIELD_KEYS or _dev["field_keys"]
    CASEWORKS_BLIND_INDEX_KEY = CASEWORKS_BLIND_INDEX_KEY or _dev["blind_index_key"]

if not SECRET_KEY:
    # Django needs some value to import; checks.py turns this into a start-up error.
    SECRET_KEY = ""

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "django_filters",
    "django_countries",
    "django_otp",  # its devices are caseworks' own (encrypted seed, hashed recovery codes)
    "axes",
    "csp",
    "caseworks",
    "cases",
    "documents",
    "visits",
    "referrals",
    "volunteers",
    "community",
    "supervision",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 413 with a readable page before anything reads a body that is too large.
    "caseworks.middleware.RequestSizeMiddleware",
    # Django's session middleware, with a locked database or a full disk said as such.
    "caseworks.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "caseworks.audit.insider.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "caseworks.middleware.SessionLifetimeMiddleware",
    # A session opened through a carrier's directory ends when the directory ends it.
    "caseworks.directory.middleware.DirectorySessionMiddleware",
    "caseworks.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "caseworks.middleware.NoStoreMiddleware",
    "caseworks.web.submissions.SubmissionMiddleware",
    "caseworks.crypto.errors.DecryptionErrorMiddleware",
    "caseworks.middleware.StorageErrorMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "caseworks.urls"
WSGI_APPLICATION = "caseworks.wsgi.application"

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
                "caseworks.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'caseworks.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "0"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must hold a small house's concurrent use (several gunicorn
    # workers, ~10 staff at once). Without these, SQLite's defaults (rollback journal,
    # DEFERRED transactions that read and then try to write, no wait) answer concurrent
    # writers with "database is locked" (500s under load, README "Performance").
    # - IMMEDIATE: a transaction takes the write lock when it begins, so two writers queue
    #   instead of deadlocking half-way (select_for_update is a no-op on SQLite; this is
    #   what serialises our locked read-modify-write sections there).
    # - timeout: a writer waits up to 20 s for the lock instead of failing at once.
    # - WAL: readers never block the writer nor the writer the readers (also a backup's
    #   long read); synchronous=NORMAL is durable at every checkpoint and safe with WAL.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": envint("SQLITE_TIMEOUT_SECONDS", "20"),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Flash messages can name a person ("Case 2026-0042 opened", a refused letter's reason):
# kept in the server-side session, not in a signed (readable) cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user/address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No anonymous user object with permissions: case files are never public.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

# Nationality: ISO 3166 plus the two answers the countries list lacks (user-assigned codes),
# and German names where django_countries' catalogue is wrong (caseworks.web.countries).
COUNTRIES_OVERRIDE = countries.NAMES
COUNTRIES_FIRST = ["SY", "AF", "IQ", "TR", "IR", "ER", "UA", "XS", "XU"]
COUNTRIES_FIRST_BREAK = "──────────"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
# Production serves hashed, compressed files after `collectstatic`; development and the test
# suite (which run no collectstatic) serve them as they are.
STATIC_MANIFEST = envbool("STATIC_MANIFEST", "False" if DEBUG else "True")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Sign-in (OWASP ASVS level 2).
# A second factor (TOTP, with recovery codes) for every user; demo mode (`make run`) skips it.
CASEWORKS_REQUIRE_2FA = envbool("CASEWORKS_REQUIRE_2FA", "False" if DEBUG else "True")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Caseworks")
# Sessions end after this much inactivity, and in any case this long after signing in.
CASEWORKS_SESSION_IDLE_MINUTES = envint("CASEWORKS_SESSION_IDLE_MINUTES", "30")
CASEWORKS_SESSION_MAX_HOURS = envint("CASEWORKS_SESSION_MAX_HOURS", "10")
# A banner this long before the idle end offers to stay signed in (static/js/session.js).
CASEWORKS_SESSION_WARNING_MINUTES = envint("CASEWORKS_SESSION_WARNING_MINUTES", "2")
# The database row expires with the idle time too (refreshed whenever the middleware notes the
# time of a request, once a minute: caseworks.middleware.LAST_SEEN_RESOLUTION, hence the minute
# more), so a stolen cookie of an abandoned session is worthless even if the middleware were
# bypassed. Saved only when changed: a request that changes nothing writes nothing.
SESSION_COOKIE_AGE = CASEWORKS_SESSION_IDLE_MINUTES * 60 + 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# __Host- cookies: only over HTTPS, only for this exact host, path /.
SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"

# Lock-out after repeated failures, per user name and address together, with the same answer
# whether the user name exists or not. (Per address alone would lock a whole office out behind
# one NAT address; per name alone would let anyone lock out a colleague from anywhere.)
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "caseworks.signin.handlers.locked_out"
# Behind the TLS proxy every request comes from the proxy's address: the client's is the last
# X-Forwarded-For entry, the one our proxy added (README). (Not AXES_IPWARE_*: those need
# django-ipware, and without it axes silently used the proxy's address for everyone.)
AXES_CLIENT_IP_CALLABLE = (
    "caseworks.signin.handlers.forwarded_client_ip"
    if envbool("BEHIND_TLS_PROXY", "False")
    else None
)
# axes' database handler, plus a throttle per user name across all addresses: after a few
# failures each further try waits longer (1 s, 2 s, 4 s … at most 15 minutes), except from an
# address the user signed in from before (strangers cannot lock a colleague out).
AXES_HANDLER = "caseworks.signin.handlers.SignInHandler"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]

# Content-Security-Policy: nothing inline, nothing from another host, never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        # The installable offline shell's manifest (visits.offline); workers fall back to
        # script-src, which is this site only.
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", "False") else None
)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "False" if DEBUG else "True")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The header flag alone enrols nothing; set False if the domain must never be preloaded.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False" if DEBUG else "True")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "caseworks@localhost")
# The house's mail server (reminders, newsletters, enrolment mails): everything from the
# environment, the password also as a file (EMAIL_HOST_PASSWORD_FILE).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")  # STARTTLS, usually port 587
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")  # implicit TLS, usually port 465
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both")
# A mail server that does not answer must not hold a request or a job for minutes.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")

# SMS to clients (reminders, referrals.reminders) through the gateway the house chooses
# (caseworks.sms): "console" writes them to the log or to CASEWORKS_SMS_FILE (the demo),
# "seven" posts them to seven.io's HTTP API (a German provider; any gateway with the same JSON
# shape at CASEWORKS_SMS_API_URL). Its delivery reports and replies come to
# /sms/hook/<CASEWORKS_SMS_WEBHOOK_SECRET>/ (404 without the secret).
CASEWORKS_SMS_BACKEND = os.environ.get("CASEWORKS_SMS_BACKEND", "console")
CASEWORKS_SMS_FILE = os.environ.get("CASEWORKS_SMS_FILE", "")
CASEWORKS_SMS_API_URL = os.environ.get("CASEWORKS_SMS_API_URL", "https://gateway.seven.io/api/sms")
CASEWORKS_SMS_API_KEY = envsecret("CASEWORKS_SMS_API_KEY") or ""
CASEWORKS_SMS_SENDER = os.environ.get("CASEWORKS_SMS_SENDER", "Caseworks")[:11]
CASEWORKS_SMS_TIMEOUT = envint("CASEWORKS_SMS_TIMEOUT", "10")
CASEWORKS_SMS_WEBHOOK_SECRET = envsecret("CASEWORKS_SMS_WEBHOOK_SECRET") or ""
# No SMS between these hours (Europe/Berlin): the reminders wait until the morning.
CASEWORKS_SMS_QUIET_FROM = envint("CASEWORKS_SMS_QUIET_FROM", "20")
CASEWORKS_SMS_QUIET_UNTIL = envint("CASEWORKS_SMS_QUIET_UNTIL", "8")
# A reminder before a document expires goes out this many days ahead.
CASEWORKS_REMINDER_DOCUMENT_DAYS = envint("CASEWORKS_REMINDER_DOCUMENT_DAYS", "14")
if CASEWORKS_SMS_BACKEND not in ("console", "seven"):
    raise ImproperlyConfigured("CASEWORKS_SMS_BACKEND must be console or seven")
if not CASEWORKS_SMS_API_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("CASEWORKS_SMS_API_URL must be an http(s) address")
if CASEWORKS_SMS_BACKEND == "seven" and not CASEWORKS_SMS_API_KEY:
    raise ImproperlyConfigured("CASEWORKS_SMS_BACKEND=seven needs CASEWORKS_SMS_API_KEY")

# Caseload list page size.
CASEWORKS_PAGE_SIZE = envint("CASEWORKS_PAGE_SIZE", "25")
# A residence document "expires soon" this many days ahead.
CASEWORKS_EXPIRY_WARNING_DAYS = envint("CASEWORKS_EXPIRY_WARNING_DAYS", "30")
# A case's follow-up is overdue when nobody visited for longer than this (supervision).
CASEWORKS_VISIT_INTERVAL_DAYS = envint("CASEWORKS_VISIT_INTERVAL_DAYS", "42")
# The volunteer network: a police certificate counts this many years after its issue date; a
# volunteer sees a client's first name and phone this many hours before and after the
# appointment; a volunteer's record is deleted this many years after the engagement ended;
# whether caseworkers (not only the coordinator) may offer a request to volunteers.
CASEWORKS_VOLUNTEER_CERTIFICATE_YEARS = envint("CASEWORKS_VOLUNTEER_CERTIFICATE_YEARS", "5")
CASEWORKS_VOLUNTEER_CONTACT_HOURS = envint("CASEWORKS_VOLUNTEER_CONTACT_HOURS", "24")
CASEWORKS_VOLUNTEER_RETENTION_YEARS = envint("CASEWORKS_VOLUNTEER_RETENTION_YEARS", "3")
CASEWORKS_CASEWORKERS_MAY_OFFER = envbool("CASEWORKS_CASEWORKERS_MAY_OFFER", "False")
# The house lets caseworkers book a language mediator themselves (else the coordinator books).
CASEWORKS_CASEWORKERS_MAY_BOOK_MEDIATORS = envbool(
    "CASEWORKS_CASEWORKERS_MAY_BOOK_MEDIATORS", "False"
)
CASEWORKS_DISTRICTS = envlist("CASEWORKS_DISTRICTS", "Mitte,Nord,Ost,Süd,West")
# A first visit is promised within this many days of the allocation (supervision figure).
CASEWORKS_FIRST_VISIT_PROMISE_DAYS = envint("CASEWORKS_FIRST_VISIT_PROMISE_DAYS", "7")
# The intake's duplicate check tells whether a person is known anywhere in the house: at
# most this many checks a user and hour (each one is in the access log for the DPO).
CASEWORKS_DUPLICATE_CHECKS_PER_HOUR = envint("CASEWORKS_DUPLICATE_CHECKS_PER_HOUR", "30")
# A create form sent again within this time (Back and "save", a double tap) is recognised and
# not saved twice (caseworks.web.submissions).
CASEWORKS_RESUBMISSION_MINUTES = envint("CASEWORKS_RESUBMISSION_MINUTES", "120")
# Who the public newsletter pages and mails are from: the house's name (its carriers, from
# /manage/, are named too) and the addresses of its imprint (§ 5 DDG) and privacy notice.
CASEWORKS_HOUSE_NAME = os.environ.get("CASEWORKS_HOUSE_NAME", "")
CASEWORKS_IMPRINT_URL = os.environ.get("CASEWORKS_IMPRINT_URL", "")
CASEWORKS_PRIVACY_URL = os.environ.get("CASEWORKS_PRIVACY_URL", "")
# How long "done" on a legal deadline (and a volunteer's "did not take place") can be undone.
CASEWORKS_DEADLINE_UNDO_HOURS = envint("CASEWORKS_DEADLINE_UNDO_HOURS", "24")
# Cover access to a colleague's case: this many a user and day; more wait for a supervisor.
CASEWORKS_COVER_ACCESSES_PER_DAY = envint("CASEWORKS_COVER_ACCESSES_PER_DAY", "3")
# Uploaded documents: at most this many megabytes an upload (all photos of one document
# together), before and after sanitising (documents.sanitise).
CASEWORKS_DOCUMENT_MAX_MB = envint("CASEWORKS_DOCUMENT_MAX_MB", "20")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # SQL parameters are ciphertext and blind indexes, but never log queries anyway.
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pikepdf announces its logger bridge at INFO when first used.
        "pikepdf": {"level": "WARNING"},
        # django-axes reports every sign-in at INFO; failures and lock-outs stay visible.
        "axes": {"level": "WARNING"},
    },
}
