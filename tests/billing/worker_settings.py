"""Settings of the `facturier worker` processes of the billing crash test and benchmark: no shipped
schedules (only the sweeper), short staleness so a killed worker's run is resumed within seconds."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 - tests only, speed
EINVOICE_VALIDATE_ON_ISSUE = os.environ.get("BILLING_BENCH_VALIDATE", "") == "1"
FACTURIER_SCHEDULES: list[dict[str, object]] = []
FACTURIER_SCHEDULER_SECONDS = 0.5
FACTURIER_JOB_STALE_SECONDS = int(os.environ.get("BILLING_STALE_SECONDS", "3"))
FACTURIER_TASK_STALE_SECONDS = int(os.environ.get("BILLING_STALE_SECONDS", "3"))
if os.environ.get("BILLING_BATCH"):  # contracts per transaction (billing.execution), to compare sizes
    FACTURIER_BILLING_BATCH = int(os.environ["BILLING_BATCH"])
