"""What sign-in throttling costs, with the production password hasher (argon2), on SQLite or $DATABASE_URL.

Usage: python bench/login_throttle.py [--attempts 30] [--fast-hasher]

Posts to /login/ through Django's test client from a throw-away database and prints the median time of:
  - a wrong password while nothing is locked (argon2 check + one counted failure),
  - an attempt refused by a lock (no user read, no password hash),
  - a right password (argon2 check + the account's count cleared),
and how many rows the throttle table holds after many usernames were tried from many addresses.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["FACTURIER_DATA_DIR"] = data_dir
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{data_dir}/bench.sqlite3")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=30)
    parser.add_argument(
        "--fast-hasher", action="store_true", help="MD5 instead of argon2: shows the throttle's own cost"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        setup_django(data_dir)
        if args.fast_hasher:
            from django.test import override_settings

            override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]).enable()
        from django.contrib.auth import get_user_model
        from django.test import Client

        from facturier.accounts.models import LoginThrottle
        from facturier.audit.models import AuditEvent

        get_user_model().objects.create_user("bench", "bench@example.fr", "pw-bench-123")
        client = Client()

        def post(username: str, password: str, address: str) -> float:
            start = time.perf_counter()
            client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)
            return time.perf_counter() - start

        wrong = [post(f"user{n}", "wrong", f"10.0.{n // 250}.{n % 250}") for n in range(args.attempts)]
        for _ in range(5):
            post("bench", "wrong", "10.9.9.9")
        locked = [post("bench", "pw-bench-123", "10.9.9.9") for _ in range(args.attempts)]
        from facturier.accounts.login_guard import unlock_account

        unlock_account(username="bench", by=None)
        right = []
        for _ in range(10):
            right.append(post("bench", "pw-bench-123", "10.8.8.8"))
            client.logout()
        print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}, {args.attempts} attempts each")
        print(f"wrong password, counted:   {median_ms(wrong)}")
        print(f"refused by a lock:         {median_ms(locked)}")
        print(f"right password:            {median_ms(right)}")
        print(f"throttle rows after {args.attempts} usernames from {args.attempts} addresses: "
              f"{LoginThrottle.objects.count()}, audit events: {AuditEvent.objects.count()}")  # fmt: skip


if __name__ == "__main__":
    main()
