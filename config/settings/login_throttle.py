"""Sign-in throttling (facturier/accounts/login_guard.py, docs/security.md): how many failures lock an
account name or block a client address, for how long, and which proxy may name the client's address."""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


# Failed sign-ins counted within a sliding window; reaching the limit locks the account name (any
# username typed, existing or not) or blocks the address. 0 turns that limit off.
FACTURIER_LOGIN_FAILURES_PER_ACCOUNT = _int("FACTURIER_LOGIN_FAILURES_PER_ACCOUNT", 5)
FACTURIER_LOGIN_FAILURES_PER_ADDRESS = _int("FACTURIER_LOGIN_FAILURES_PER_ADDRESS", 20)
# Unknown API keys sent from one address (scripts retry more than people type).
FACTURIER_API_FAILURES_PER_ADDRESS = _int("FACTURIER_API_FAILURES_PER_ADDRESS", 50)
FACTURIER_LOGIN_WINDOW_SECONDS = _int("FACTURIER_LOGIN_WINDOW_SECONDS", 15 * 60)
# The first lock lasts this long; each further lock without a quiet day in between lasts twice the
# previous one, up to the maximum.
FACTURIER_LOGIN_LOCK_SECONDS = _int("FACTURIER_LOGIN_LOCK_SECONDS", 15 * 60)
FACTURIER_LOGIN_MAX_LOCK_SECONDS = _int("FACTURIER_LOGIN_MAX_LOCK_SECONDS", 24 * 3600)
# How many reverse proxies in front of the server append to X-Forwarded-For. 0 (the default): the
# header is ignored and the TCP peer (REMOTE_ADDR) is the client, since anyone can send that header.
# Production settings make it 1 when FACTURIER_BEHIND_TLS_PROXY is set.
FACTURIER_TRUSTED_PROXY_HOPS = _int("FACTURIER_TRUSTED_PROXY_HOPS", 0)
