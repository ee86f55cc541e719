"""Base settings shared by every environment. Configuration comes from environment variables (12-factor)."""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.settings.database import database_from_env
from config.settings.email import email_settings
from config.settings.login_throttle import *  # noqa: F403
from config.settings.storage import storages

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("FACTURIER_DATA_DIR", "var")).resolve()

_DEV_SECRET_KEY = "dev-insecure-change-me-in-production"  # noqa: S105 - refused by production settings
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY)
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "facturier.common",
    "facturier.audit",
    "facturier.accounts",
    "facturier.parties",
    "facturier.catalog",
    "facturier.invoicing",
    "facturier.payments",
    "facturier.documents",
    "facturier.api",
    "facturier.web",
    "facturier.inbox",
    "facturier.transmission",
    "facturier.jobs",
    "facturier.demo",  # the `load_demo` command (no models)
    "facturier.banking",
    "facturier.billing",
    "facturier.projects",
    "facturier.construction",
    "facturier.timesheets",
    "facturier.pricing",
    "facturier.approvals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "facturier.web.security.ContentSecurityPolicyMiddleware",
    # after sessions, auth and OTP: a session still owing its second factor reaches only the sign-in steps
    "facturier.web.two_factor.TwoFactorMiddleware",
]

# Every page: scripts, styles and images from this site only, never framed, forms posted here only
# (facturier/web/security.py sends it; templates carry no inline script, handler or style attribute).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "facturier.web.context.current_entity",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "web:login"
# Two-factor authentication (accounts/two_factor.py, docs/two-factor.md): the name authenticator apps show
# next to the account; a wrong code locks the device for 1, 2, 4, 8... seconds (django-otp's throttling).
OTP_TOTP_ISSUER = os.environ.get("FACTURIER_OTP_ISSUER", "Facturier")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "src" / "facturier" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves static files from the apps themselves (no collectstatic needed) in development and
# tests; production settings serve the compressed, hashed copies `facturier serve` collects.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
# Issued files (XML, Factur-X PDF) live in the `issued` storage: FACTURIER_STORAGE_URL, see storage.py.
STORAGES = storages(DATA_DIR)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Jobs (facturier/jobs): the schedules every installation starts with (created once by `facturier
# worker`, then editable), how often each worker ticks the scheduler and sweeper, and after how long
# without a heartbeat a job run, or a task still marked running, is taken for dead and re-queued.
FACTURIER_SCHEDULES = [
    {"name": "poll-statuses", "task": "facturier.transmission.tasks.poll_lifecycle_statuses",
     "interval_seconds": 900},
    {"name": "send-pending-transmissions", "task": "facturier.transmission.tasks.send_pending_transmissions",
     "interval_seconds": 600},
    {"name": "purge-idempotency-keys", "task": "facturier.api.tasks.purge_idempotency_keys",
     "rrule": "FREQ=DAILY;BYHOUR=3;BYMINUTE=15"},
    {"name": "documents-sweep", "task": "facturier.documents.tasks.sweep_missing_pdfs",
     "interval_seconds": 600},
    {"name": "audit-checkpoint", "task": "facturier.audit.tasks.write_daily_checkpoints",
     "rrule": "FREQ=DAILY;BYHOUR=2;BYMINUTE=30"},
    {"name": "import-statements", "task": "facturier.banking.tasks.import_watched_statements",
     "interval_seconds": int(os.environ.get("FACTURIER_STATEMENTS_POLL_SECONDS", "300"))},
    {"name": "provider-events", "task": "facturier.payments.checkout_tasks.process_pending_provider_events",
     "interval_seconds": 300},
    {"name": "billing-run", "task": "facturier.billing.tasks.daily_billing_runs",
     "rrule": "FREQ=DAILY;BYHOUR=6;BYMINUTE=0"},
    {"name": "billing-notices", "task": "facturier.billing.tasks.send_billing_notices",
     "rrule": "FREQ=DAILY;BYHOUR=7;BYMINUTE=0"},
    {"name": "approval-reminders", "task": "facturier.approvals.tasks.remind_late_approvers",
     "interval_seconds": 3600},
    {"name": "approval-escalations", "task": "facturier.approvals.tasks.escalate_late_approvals",
     "interval_seconds": 3600},
]  # fmt: skip
# Bank statements: the watched folder (statements/inbox/<SIREN or company slug>/) and the largest file read.
# Billing: days before a recurring invoice or a tacit renewal the customer is emailed (a contract's own
# `notify_days` wins; unset: no notice).
FACTURIER_BILLING_NOTICE_DAYS = os.environ.get("FACTURIER_BILLING_NOTICE_DAYS") or None
FACTURIER_STATEMENTS_DIR = os.environ.get("FACTURIER_STATEMENTS_DIR") or str(DATA_DIR / "statements")
FACTURIER_STATEMENT_MAX_BYTES = int(os.environ.get("FACTURIER_STATEMENT_MAX_BYTES", str(50 * 1024 * 1024)))
FACTURIER_SCHEDULER_SECONDS = float(os.environ.get("FACTURIER_SCHEDULER_SECONDS", "30"))
FACTURIER_JOB_STALE_SECONDS = int(os.environ.get("FACTURIER_JOB_STALE_SECONDS", "300"))
FACTURIER_TASK_STALE_SECONDS = int(os.environ.get("FACTURIER_TASK_STALE_SECONDS", "3600"))
# Connector credentials of each company are encrypted in the database with this key (Fernet; several
# comma-separated keys rotate). Unset: a key file created in the data dir (facturier/common/secrets.py).
FACTURIER_CREDENTIALS_KEY = os.environ.get("FACTURIER_CREDENTIALS_KEY", "")
# The address customers reach this site at: the pay links printed on invoices and put in emails start with it.
FACTURIER_PUBLIC_URL = os.environ.get("FACTURIER_PUBLIC_URL", "http://localhost:8000")

# Email: EMAIL_URL sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT... (config/settings/email.py); unset, no
# email is sent and sending an invoice by email is refused, naming it. Invoices leave from
# DEFAULT_FROM_EMAIL when it is set, else from the company's own email address.
EMAIL_URL = os.environ.get("EMAIL_URL", "")
globals().update(email_settings(EMAIL_URL))
if os.environ.get("DEFAULT_FROM_EMAIL"):
    DEFAULT_FROM_EMAIL = os.environ["DEFAULT_FROM_EMAIL"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Numbering is chronological per series, so one document dated far ahead would block its series:
# quotes, orders, invoices, credit notes and deposits may be dated at most this many days after the
# entity's today (its own time zone).
FACTURIER_NUMBERING_FUTURE_DAYS = int(os.environ.get("FACTURIER_NUMBERING_FUTURE_DAYS", "0"))
# Parallel audit hash chains per legal entity (facturier.audit.chain): unrelated writes do not wait on one chain.
FACTURIER_AUDIT_CHAINS = int(os.environ.get("FACTURIER_AUDIT_CHAINS", "8"))
# Lines per document (API and editor alike): beyond it totals and e-invoices get slow for no real use.
FACTURIER_MAX_DOCUMENT_LINES = int(os.environ.get("FACTURIER_MAX_DOCUMENT_LINES", "1000"))
# Largest request body Django reads (bytes); the API answers 413 `request_too_large` beyond it.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FACTURIER_MAX_REQUEST_BYTES", str(2_621_440)))

# Seal keys (docs/audit.md): the secrets of the document and audit seals live outside the database.
# `kid:secret` pairs, the first one current; else the key file, created on first use outside production.
FACTURIER_SEAL_KEYS = os.environ.get("FACTURIER_SEAL_KEYS", "")
FACTURIER_SEAL_KEY_FILE = os.environ.get("FACTURIER_SEAL_KEY_FILE") or None  # default DATA_DIR/keys/seal-keys
FACTURIER_SEAL_KEY_AUTOCREATE = True
# Signed checkpoints of every chain, written after each issue and by `facturier audit checkpoint`.
FACTURIER_CHECKPOINT_DIR = os.environ.get("FACTURIER_CHECKPOINT_DIR") or None  # default DATA_DIR/checkpoints
# After issues, at most one checkpoint per entity and process every this many seconds (0: after every commit).
FACTURIER_CHECKPOINT_INTERVAL = float(os.environ.get("FACTURIER_CHECKPOINT_INTERVAL", "1"))
