"""One scheduler process of the race test: wait for the start signal, tick at given instants, print what it fired.

Usage: python -m tests.jobs.fire_worker START_AT ISO_INSTANT... (DATABASE_URL names the shared database).
"""

import datetime as dt
import sys
import time

import django


def main() -> None:
    django.setup()
    from facturier.jobs.models import Schedule
    from facturier.jobs.scheduler import fire_due

    Schedule.objects.get_or_create(
        name="race", defaults={"task": "tests.jobs.sample_tasks.noop", "interval_seconds": 300,
                               "anchor": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
    )  # fmt: skip
    time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
    for instant in sys.argv[2:]:
        for run in fire_due(now=dt.datetime.fromisoformat(instant)):
            print("fired", run.key, flush=True)


if __name__ == "__main__":
    main()
