"""The sign-in guard's parts: which address a request comes from (trusting a proxy only when told),
API keys throttled per address like sign-ins, what production settings choose, and counts shared by
concurrent workers."""

import datetime as dt
import os
import secrets
import subprocess
import sys
import threading

import pytest
import time_machine
from django.db import connection
from django.test import RequestFactory, override_settings

from facturier.accounts.login_guard import SignInAttempt, client_address
from facturier.accounts.models import LoginThrottle
from facturier.audit.models import AuditEvent
from tests.api.conftest import ApiClient, assert_problem, make_key
from tests.e2e.server import ROOT

NOON = dt.datetime(2027, 3, 15, 11, 0, tzinfo=dt.UTC)


def _request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_a_trusted_proxy_the_peer_is_the_client():
    assert client_address(_request("198.51.100.1", "10.0.0.1")) == "198.51.100.1"


@override_settings(FACTURIER_TRUSTED_PROXY_HOPS=1)
def test_a_trusted_proxy_names_the_client_in_the_last_entry():
    # the client forged "10.0.0.1"; the proxy appended the address it really received from
    assert client_address(_request("127.0.0.1", "10.0.0.1, 198.51.100.2")) == "198.51.100.2"
    # a request that did not come through the proxy (no header) is counted by its peer
    assert client_address(_request("198.51.100.3")) == "198.51.100.3"


@override_settings(FACTURIER_TRUSTED_PROXY_HOPS=2)
def test_with_two_proxies_the_second_entry_from_the_right_is_the_client():
    assert client_address(_request("127.0.0.1", "6.6.6.6, 198.51.100.4, 10.1.1.1")) == "198.51.100.4"


def test_ipv6_clients_are_counted_per_64_block():
    assert client_address(_request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_address(_request("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert client_address(_request("::ffff:198.51.100.5")) == "198.51.100.5"


def _production_setting(tmp_path, **env: str) -> str:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FACTURIER_BEHIND_TLS_PROXY"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        FACTURIER_DATA_DIR=str(tmp_path),
        FACTURIER_SEAL_KEYS=f"guard-test:{secrets.token_urlsafe(32)}",  # production needs a seal key
        **env,
    )
    code = "from django.conf import settings; print(settings.FACTURIER_TRUSTED_PROXY_HOPS)"
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_production_trusts_the_forwarded_address_only_behind_the_declared_proxy(tmp_path):
    assert _production_setting(tmp_path) == "0"
    assert _production_setting(tmp_path, FACTURIER_BEHIND_TLS_PROXY="1") == "1"
    assert (
        _production_setting(tmp_path, FACTURIER_BEHIND_TLS_PROXY="1", FACTURIER_TRUSTED_PROXY_HOPS="2") == "2"
    )


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
@override_settings(FACTURIER_API_FAILURES_PER_ADDRESS=10)
def test_an_address_sending_unknown_api_keys_is_blocked_with_429(entity, customer):
    # given an address that sent 9 unknown keys (each a plain 401)
    guesser = ApiClient("fk_00000000_guess")
    for _ in range(9):
        assert_problem(guesser.get("/api/v1/customers"), 401, "unauthenticated")
    # when it sends the 10th, then it is blocked, told when to come back
    body = assert_problem(guesser.get("/api/v1/customers"), 429, "too_many_attempts")
    assert body["retry_after"] == 900
    # and even a valid key is not looked up from that address until the block ends
    _key, secret = make_key(entity, ["customers:read"])
    refused = ApiClient(secret).get("/api/v1/customers", headers={"Accept-Language": "en"})
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert refused.json()["detail"] == (
        "Too many invalid API keys from your network address. Try again in 15 minutes (at 12:15 CET)."
    )
    assert AuditEvent.objects.filter(action="login.locked", after__scope="api_address").count() == 1
    # when the block is over, then the valid key works again
    with time_machine.travel(NOON + dt.timedelta(minutes=16), tick=False):
        assert ApiClient(secret).get("/api/v1/customers").status_code == 200


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_a_quiet_day_forgets_the_growing_lock_length(entity):
    attempt = SignInAttempt(username="owner", address="198.51.100.6")
    # given two locks in a row (15 then 30 minutes)
    for offset in (dt.timedelta(0), dt.timedelta(minutes=20)):
        with time_machine.travel(NOON + offset, tick=False):
            blocked = [attempt.failed() for _ in range(5)][-1]
    assert blocked is not None
    assert blocked.until == NOON + dt.timedelta(minutes=50)
    # when a whole day passes without a failure, then the next lock is a first one again
    with time_machine.travel(NOON + dt.timedelta(days=1, hours=1), tick=False):
        blocked = [attempt.failed() for _ in range(5)][-1]
        assert blocked is not None
        assert blocked.until == NOON + dt.timedelta(days=1, hours=1, minutes=15)


@pytest.mark.django_db
@override_settings(FACTURIER_LOGIN_FAILURES_PER_ACCOUNT=0, FACTURIER_LOGIN_FAILURES_PER_ADDRESS=0)
def test_a_limit_of_zero_turns_throttling_off(entity):
    attempt = SignInAttempt(username="owner", address="198.51.100.7")
    assert all(attempt.failed() is None for _ in range(30))
    attempt.check()
    assert not LoginThrottle.objects.exists()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@override_settings(FACTURIER_LOGIN_FAILURES_PER_ACCOUNT=1000, FACTURIER_LOGIN_FAILURES_PER_ADDRESS=1000)
def test_concurrent_workers_lose_no_failure_on_postgresql():
    # given 8 threads (each its own database connection, like gunicorn workers) failing 25 times each
    def fail() -> None:
        try:
            for _ in range(25):
                SignInAttempt(username="target", address="198.51.100.8").failed()
        finally:
            connection.close()

    threads = [threading.Thread(target=fail) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every failure was counted once, in one row per key
    counts = sorted(LoginThrottle.objects.values_list("scope", "failures"))
    assert counts == [("account", 200), ("address", 200)]
