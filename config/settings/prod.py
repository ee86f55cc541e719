"""Production settings: what `facturier serve` runs by default. Everything that matters comes from the
environment, and `manage.py check --deploy` is clean under them (tests/cli/test_production.py)."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403
from config.settings.base import _DEV_SECRET_KEY

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production (50+ characters, e.g. "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), or use --dev"
    )

# Seals are keyed with a secret kept outside the database. In production it is never made up on the fly
# (a server whose data dir is wiped on redeploy would seal with a new key each time): it comes from
# FACTURIER_SEAL_KEYS or from a key file created once with `facturier audit keygen` and backed up.
FACTURIER_SEAL_KEY_AUTOCREATE = False

# Persistent database connections: each worker keeps its connection up to CONN_MAX_AGE seconds (default
# 60; 0 closes it after every request) and checks it is alive before reusing it at a request's start.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405
_SEAL_KEY_FILE = Path(FACTURIER_SEAL_KEY_FILE or DATA_DIR / "keys" / "seal-keys")  # noqa: F405
if not FACTURIER_SEAL_KEYS and not _SEAL_KEY_FILE.is_file():  # noqa: F405
    raise ImproperlyConfigured(
        f"No seal key: set FACTURIER_SEAL_KEYS=kid:secret (a secret of 32+ characters) or create the key "
        f"file {_SEAL_KEY_FILE} once with `facturier audit keygen` and back it up (docs/audit.md), or use --dev"
    )


def _flag(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


# Behind a reverse proxy that terminates TLS (nginx, Caddy, a load balancer), the proxy's
# `X-Forwarded-Proto: https` tells Django the request was secure. Trusted only when said so: a client
# reaching the server directly could send that header itself.
if _flag("FACTURIER_BEHIND_TLS_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # ...and the same proxy names the client in X-Forwarded-For (sign-in throttling counts per address)
    FACTURIER_TRUSTED_PROXY_HOPS = int(os.environ.get("FACTURIER_TRUSTED_PROXY_HOPS", "1"))
# Plain-HTTP requests are redirected to HTTPS; FACTURIER_SSL_REDIRECT=0 tries production settings over
# plain HTTP on 127.0.0.1 (or leaves the redirect to the proxy).
SECURE_SSL_REDIRECT = _flag("FACTURIER_SSL_REDIRECT", "1")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("FACTURIER_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading is the apex domain owner's decision (hstspreload.org), not an invoicing server's.
SECURE_HSTS_PRELOAD = _flag("FACTURIER_HSTS_PRELOAD", "0")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Static files: collected by `facturier serve` into $FACTURIER_DATA_DIR/static with hashed names (cached
# for a year by browsers) and precompressed; WhiteNoise serves them from there.
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STORAGES = {
    **STORAGES,  # noqa: F405 - keeps `issued`
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
