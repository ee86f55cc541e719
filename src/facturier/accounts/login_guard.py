"""Sign-in throttling: failed sign-ins are counted per account name and per client address, and
reaching a limit locks that name (or blocks that address) for a while.

Why it works this way (docs/security.md says it for operators):
- Counts live in the database (`LoginThrottle`, one row per key, updated in place), so every web
  worker and machine sees the same numbers, on SQLite and PostgreSQL alike.
- A locked name or blocked address is refused *before* the password is checked: the right password
  does not get through a lock, and a locked attempt costs no password hash.
- Any username typed is counted, existing or not, and gets the same answers: the lock cannot be used
  to learn which accounts exist.
- The client address is the TCP peer; X-Forwarded-For is read only when the deployment says how many
  proxies in front of it append to it (FACTURIER_TRUSTED_PROXY_HOPS), since anyone can send that header.
  IPv6 clients are counted per /64, the block one subscriber usually gets.
- Single failures are not audited (a password-guessing bot would flood the audit chain with noise);
  each lock and each unlock is, with what caused it.
- Unlocking: the lock expires by itself; an administrator of a company the user belongs to unlocks
  them from the company page; `facturier unlock-user` (and `--address`) from the command line. A
  successful sign-in clears the account's count.
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import math
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import ngettext

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity, LoginThrottle
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import BusinessError

Scope = LoginThrottle.Scope
# Rows with no lock and no failure for this long are deleted when a new lock is recorded.
PRUNE_AFTER = dt.timedelta(days=2)


@dataclass(frozen=True)
class Limit:
    failures: int
    window: dt.timedelta
    lock: dt.timedelta
    max_lock: dt.timedelta


def limit_for(scope: str) -> Limit:
    failures = {
        Scope.ACCOUNT: settings.FACTURIER_LOGIN_FAILURES_PER_ACCOUNT,
        Scope.ADDRESS: settings.FACTURIER_LOGIN_FAILURES_PER_ADDRESS,
        Scope.API_ADDRESS: settings.FACTURIER_API_FAILURES_PER_ADDRESS,
    }[Scope(scope)]
    return Limit(
        failures=int(failures),
        window=dt.timedelta(seconds=settings.FACTURIER_LOGIN_WINDOW_SECONDS),
        lock=dt.timedelta(seconds=settings.FACTURIER_LOGIN_LOCK_SECONDS),
        max_lock=dt.timedelta(seconds=settings.FACTURIER_LOGIN_MAX_LOCK_SECONDS),
    )


def _message(scope: str, minutes: int, at: str) -> str:
    values = {"minutes": minutes, "time": at}
    if scope == Scope.ACCOUNT:
        return (
            ngettext(
                "Too many failed sign-in attempts for this account: it is locked. Try again in %(minutes)d "
                "minute (at %(time)s), or ask an administrator of your company to unlock it.",
                "Too many failed sign-in attempts for this account: it is locked. Try again in %(minutes)d "
                "minutes (at %(time)s), or ask an administrator of your company to unlock it.",
                minutes,
            )
            % values
        )
    if scope == Scope.ADDRESS:
        return (
            ngettext(
                "Too many failed sign-in attempts from your network address: signing in from it is blocked. "
                "Try again in %(minutes)d minute (at %(time)s), or ask your administrator to unblock it.",
                "Too many failed sign-in attempts from your network address: signing in from it is blocked. "
                "Try again in %(minutes)d minutes (at %(time)s), or ask your administrator to unblock it.",
                minutes,
            )
            % values
        )
    return (
        ngettext(
            "Too many invalid API keys from your network address. Try again in %(minutes)d minute (at %(time)s).",
            "Too many invalid API keys from your network address. Try again in %(minutes)d minutes (at %(time)s).",
            minutes,
        )
        % values
    )


class LoginBlocked(BusinessError):
    """Refused before any password or key was checked: the account name or the address is locked."""

    status = 429
    codes = {Scope.ACCOUNT: "account_locked", Scope.ADDRESS: "address_blocked"}

    def __init__(self, *, scope: str, until: dt.datetime):
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
        at = timezone.localtime(until).strftime("%H:%M %Z")
        super().__init__(
            _message(scope, math.ceil(seconds / 60), at),
            code=self.codes.get(Scope(scope), "too_many_attempts"),
            retry_after=seconds,
        )
        self.scope = scope
        self.until = until


def account_name(username: str) -> str:
    """What an account is counted by: the username as typed, Unicode-normalized and case-folded."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address(request: HttpRequest) -> str:
    """The client's address (an IPv6 client's /64): the TCP peer, or the entry the trusted proxies set.

    With N trusted proxies, each appends the address it received from to X-Forwarded-For, so the Nth
    entry from the right is the client; what the client itself put further left is ignored.
    """
    address = str(request.META.get("REMOTE_ADDR") or "")
    hops = int(getattr(settings, "FACTURIER_TRUSTED_PROXY_HOPS", 0))
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    return _network(address)


def _digest(scope: str, value: str) -> str:
    message = f"{scope}\0{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _raise_if_locked(keys: list[tuple[str, str]]) -> None:
    now = timezone.now()
    match = Q()
    for scope, key in keys:
        match |= Q(scope=scope, key=key)
    rows = LoginThrottle.objects.filter(match, locked_until__gt=now).values_list("scope", "locked_until")
    locks = [(scope, until) for scope, until in rows if until is not None]
    if locks:
        # the account's message first when both hold: it is the one the person can act on
        scope, until = max(locks, key=lambda lock: (lock[0] == Scope.ACCOUNT, lock[1]))
        raise LoginBlocked(scope=scope, until=until)


@transaction.atomic
def _fail(scope: str, key: str, *, cause: dict[str, Any]) -> LoginBlocked | None:
    """Count one failure of `key`; when it reaches the limit, lock it (audited) and return the refusal."""
    limit = limit_for(scope)
    if limit.failures <= 0:
        return None
    now = timezone.now()
    row, _created = LoginThrottle.objects.select_for_update().get_or_create(
        scope=scope, key=key, defaults={"window_started_at": now, "last_failure_at": now}
    )
    if row.locked_until is not None and row.locked_until > now:
        return LoginBlocked(scope=scope, until=row.locked_until)  # a parallel attempt locked it first
    quiet_since = max(row.last_failure_at, row.locked_until or row.last_failure_at)
    if now - quiet_since > limit.max_lock:
        row.lockouts = 0
    if now - row.window_started_at > limit.window:
        row.failures, row.window_started_at = 0, now
    row.failures += 1
    row.last_failure_at = now
    blocked = None
    if row.failures >= limit.failures:
        failures = row.failures
        row.lockouts += 1
        row.locked_until = now + min(limit.lock * 2 ** min(row.lockouts - 1, 16), limit.max_lock)
        row.failures, row.window_started_at = 0, now
        blocked = LoginBlocked(scope=scope, until=row.locked_until)
    row.save()
    if blocked is not None:
        after = {"scope": scope, "failures": failures, "window_seconds": int(limit.window.total_seconds()),
                 "locked_until": row.locked_until, "lockout": row.lockouts, **cause}  # fmt: skip
        audit_record(entity=None, actor=None, action="login.locked", obj=row, after=after)
        stale = now - PRUNE_AFTER
        LoginThrottle.objects.filter(last_failure_at__lt=stale).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=stale)
        ).delete()
    return blocked


def _existing_username(username: str) -> str:
    """The account a typed name designates, for the audit trail only (never shown to the client)."""
    user = get_user_model().objects.filter(username__iexact=username.strip()).first()
    return user.get_username() if user is not None else ""


@dataclass(frozen=True)
class SignInAttempt:
    """One sign-in attempt: a username typed from an address. The login form asks it three things."""

    username: str
    address: str

    @classmethod
    def of(cls, request: HttpRequest, username: str) -> "SignInAttempt":
        return cls(username=username, address=client_address(request))

    def _account_key(self) -> str:
        return _digest(Scope.ACCOUNT, account_name(self.username))

    def check(self) -> None:
        """Raise LoginBlocked if the name or the address is locked; call it before the password."""
        _raise_if_locked(
            [(Scope.ACCOUNT, self._account_key()), (Scope.ADDRESS, _digest(Scope.ADDRESS, self.address))]
        )

    @transaction.atomic  # one commit for both counts
    def failed(self) -> LoginBlocked | None:
        """Count a wrong password; returns the refusal to show when this failure locked something."""
        account = _fail(
            Scope.ACCOUNT,
            self._account_key(),
            cause={"username": _existing_username(self.username), "address": self.address},
        )
        address = _fail(Scope.ADDRESS, _digest(Scope.ADDRESS, self.address), cause={"address": self.address})
        return account or address

    def succeeded(self) -> None:
        """The password was right: the account starts again from no failure and the first lock length."""
        LoginThrottle.objects.filter(scope=Scope.ACCOUNT, key=self._account_key()).delete()


def check_api_address(request: HttpRequest) -> None:
    """Refuse (429) an API request from an address that sent too many unknown keys."""
    _raise_if_locked([(Scope.API_ADDRESS, _digest(Scope.API_ADDRESS, client_address(request)))])


def api_key_refused(request: HttpRequest) -> None:
    """Count an unknown API key from the request's address; raise when that blocks the address."""
    address = client_address(request)
    blocked = _fail(Scope.API_ADDRESS, _digest(Scope.API_ADDRESS, address), cause={"address": address})
    if blocked is not None:
        raise blocked


def locked_accounts(usernames: list[str]) -> dict[str, dt.datetime]:
    """Which of these usernames are locked now, and until when (the company page shows it)."""
    keys = {_digest(Scope.ACCOUNT, account_name(name)): name for name in usernames}
    rows = LoginThrottle.objects.filter(
        scope=Scope.ACCOUNT, key__in=keys, locked_until__gt=timezone.now()
    ).values_list("key", "locked_until")
    return {keys[key]: until for key, until in rows if until is not None}


@transaction.atomic
def unlock_account(*, username: str, by: Actor, entity: LegalEntity | None = None) -> bool:
    """Clear an account name's lock and failures (audited); True if it was locked.

    From the company page `entity` is the administrator's company (the caller checked the user is a
    member of it); from the command line `by` and `entity` are None (the operator is trusted).
    """
    if entity is not None:
        authorize(by, Action.MANAGE_ENTITY, entity)
    row = (
        LoginThrottle.objects.select_for_update()
        .filter(scope=Scope.ACCOUNT, key=_digest(Scope.ACCOUNT, account_name(username)))
        .first()
    )
    if row is None:
        return False
    locked = row.locked_until is not None and row.locked_until > timezone.now()
    _lift(row, entity=entity, by=by, who={"username": username})
    return locked


def _lift(row: LoginThrottle, *, entity: Any | None, by: Actor, who: dict[str, str]) -> None:
    """Audit the unlock of one throttle row (whose counts it records), then forget the row."""
    audit_record(
        entity=entity,
        actor=by,
        action="login.unlocked",
        obj=row,
        before={"locked_until": row.locked_until, "failures": row.failures, "lockouts": row.lockouts},
        after={"scope": row.scope, **who, "locked_until": None},
    )
    row.delete()


@transaction.atomic
def unlock_address(*, address: str, by: Actor) -> bool:
    """Unblock a client address for sign-in and the API (command line; audited); True if it was blocked."""
    network = _network(address)
    rows = list(
        LoginThrottle.objects.select_for_update().filter(
            key__in=[_digest(scope, network) for scope in (Scope.ADDRESS, Scope.API_ADDRESS)],
            scope__in=[Scope.ADDRESS, Scope.API_ADDRESS],
        )
    )
    now = timezone.now()
    for row in rows:
        _lift(row, entity=None, by=by, who={"address": network})
    return any(row.locked_until is not None and row.locked_until > now for row in rows)
