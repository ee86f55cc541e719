"""Schedules fire exactly once per period: at month end, New Year, DST changes, in the entity's time zone."""

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from facturier.jobs.models import JobRun, RunStatus, Schedule
from facturier.jobs.periods import current_period
from facturier.jobs.scheduler import fire_due, schedules_sync

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def _schedule(name="s", *, rrule="", interval=None, entity=None, anchor=dt.datetime(2026, 1, 1, tzinfo=UTC)):
    return Schedule.objects.create(name=name, task="tests.jobs.sample_tasks.noop", rrule=rrule,
                                   interval_seconds=interval, entity=entity, anchor=anchor)  # fmt: skip


def _tick_through(start: dt.datetime, end: dt.datetime, step: dt.timedelta) -> None:
    """A worker ticking every ``step`` (the clock really moves: time-machine)."""
    moment = start
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            fire_due()
        moment += step


def _periods(schedule):
    return list(JobRun.objects.filter(schedule=schedule).order_by("period").values_list("period", flat=True))


@pytest.mark.django_db
def test_a_month_end_schedule_fires_once_on_the_last_evening_of_each_month_across_new_year(
    django_capture_on_commit_callbacks,
):
    # given a schedule at 23:00 Paris time on the last day of each month
    schedule = _schedule(rrule="FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=23;BYMINUTE=0;BYSECOND=0",
                         anchor=dt.datetime(2026, 11, 1, tzinfo=UTC))  # fmt: skip
    # when a worker ticks every 20 minutes around the two month ends, New Year's Eve included
    with django_capture_on_commit_callbacks(execute=True):
        for day in (dt.datetime(2026, 11, 30, 21, tzinfo=UTC), dt.datetime(2026, 12, 31, 21, tzinfo=UTC)):
            _tick_through(day, day + dt.timedelta(hours=6), dt.timedelta(minutes=20))
    # then it fired once per month end, at 23:00 Paris (22:00 UTC in winter)
    assert _periods(schedule) == [
        dt.datetime(2026, 11, 30, 22, tzinfo=UTC),
        dt.datetime(2026, 12, 31, 22, tzinfo=UTC),
    ]
    assert set(JobRun.objects.values_list("status", flat=True)) == {RunStatus.DONE}


@pytest.mark.django_db
def test_a_daily_schedule_fires_once_on_the_night_the_clocks_go_back():
    # given a daily 02:30 Paris schedule; on 25 October 2026 02:30 happens twice
    schedule = _schedule(rrule="FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0")
    # when a worker ticks every 10 minutes from the 24th to the 26th
    _tick_through(dt.datetime(2026, 10, 24, 12, tzinfo=UTC), dt.datetime(2026, 10, 26, 12, tzinfo=UTC),
                  dt.timedelta(minutes=10))  # fmt: skip
    # then each day fired once (the first tick fires the 24th's period): 00:30 UTC in summer, 00:30 UTC
    # the night 02:30 happens twice (its first), 01:30 UTC in winter
    assert _periods(schedule) == [
        dt.datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        dt.datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]


@pytest.mark.django_db
def test_a_daily_schedule_fires_once_on_the_night_the_clocks_go_forward():
    # given a daily 02:30 Paris schedule; on 28 March 2027 02:30 does not exist
    schedule = _schedule(rrule="FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0")
    # when a worker ticks every 10 minutes from the 27th to the 29th
    _tick_through(dt.datetime(2027, 3, 27, 12, tzinfo=UTC), dt.datetime(2027, 3, 29, 12, tzinfo=UTC),
                  dt.timedelta(minutes=10))  # fmt: skip
    # then each night fired exactly once; the missing 02:30 keyed by its winter reading (01:30 UTC)
    assert _periods(schedule) == [
        dt.datetime(2027, 3, 27, 1, 30, tzinfo=UTC),
        dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        dt.datetime(2027, 3, 29, 0, 30, tzinfo=UTC),
    ]


@pytest.mark.django_db
def test_an_hourly_interval_counts_real_hours_across_a_dst_change():
    # given a schedule every hour
    schedule = _schedule(interval=3600, anchor=dt.datetime(2026, 10, 24, 0, tzinfo=UTC))
    # when a worker ticks every 7 minutes over the night the clocks go back
    _tick_through(dt.datetime(2026, 10, 24, 22, 1, tzinfo=UTC), dt.datetime(2026, 10, 25, 3, 59, tzinfo=UTC),
                  dt.timedelta(minutes=7))  # fmt: skip
    # then it fired once per real hour (six hours, though the wall clock shows five)
    assert _periods(schedule) == [
        dt.datetime(2026, 10, 24, 22, tzinfo=UTC) + dt.timedelta(hours=h) for h in range(6)
    ]


@pytest.mark.django_db
def test_an_entity_schedule_follows_the_entity_time_zone_not_utc(entity):
    # given a company in Nouméa (UTC+11) with a schedule at 01:00 on the first of the month
    entity.time_zone = "Pacific/Noumea"
    entity.save(update_fields=["time_zone"])
    schedule = _schedule(rrule="FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=1;BYMINUTE=0;BYSECOND=0", entity=entity,
                         anchor=dt.datetime(2026, 12, 31, 10, tzinfo=UTC))  # fmt: skip
    # when a worker ticks every 30 minutes around New Year in UTC
    _tick_through(dt.datetime(2026, 12, 31, 10, tzinfo=UTC), dt.datetime(2027, 1, 1, 10, tzinfo=UTC),
                  dt.timedelta(minutes=30))  # fmt: skip
    # then it fired once, on 1 January in Nouméa, which is still 31 December in UTC
    assert _periods(schedule) == [dt.datetime(2026, 12, 31, 14, tzinfo=UTC)]


def test_the_current_period_of_a_rule_before_its_first_occurrence_is_none():
    anchor = dt.datetime(2026, 5, 1, tzinfo=UTC)
    assert current_period(now=anchor, anchor=anchor, tz=PARIS, rule="FREQ=DAILY;BYHOUR=5") is None


@pytest.mark.django_db
def test_a_disabled_schedule_never_fires():
    # given a disabled schedule
    schedule = _schedule(interval=60)
    Schedule.objects.filter(pk=schedule.pk).update(enabled=False)
    # when the worker ticks for ten minutes
    _tick_through(dt.datetime(2026, 6, 1, tzinfo=UTC), dt.datetime(2026, 6, 1, 0, 10, tzinfo=UTC),
                  dt.timedelta(minutes=1))  # fmt: skip
    # then nothing ran
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_the_shipped_schedules_are_created_once_and_a_users_change_is_kept():
    # given the shipped schedules synced once, and one disabled by the user
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        assert schedules_sync() == len(settings.FACTURIER_SCHEDULES)
    Schedule.objects.filter(name="poll-statuses").update(enabled=False)
    # when the worker syncs again at its next start
    assert schedules_sync() == 0
    # then the user's choice stands
    shipped = {schedule["name"] for schedule in settings.FACTURIER_SCHEDULES}
    assert {
        "poll-statuses",
        "send-pending-transmissions",
        "purge-idempotency-keys",
        "provider-events",
    } <= shipped
    assert set(Schedule.objects.values_list("name", "enabled")) == {
        (name, name != "poll-statuses") for name in shipped
    }


def _race(database_url: str, processes: int = 4) -> list[str]:
    """Start ``processes`` schedulers that tick at the same instants (twice in one period, once in the next)."""
    instants = ["2026-06-01T12:00:01+00:00", "2026-06-01T12:00:02+00:00", "2026-06-01T12:05:00+00:00"]
    start_at = time.time() + 8
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.jobs.fire_worker", str(start_at), *instants], cwd=ROOT,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]  # fmt: skip
    outputs = [worker.communicate(timeout=180) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), [err[-1500:] for _out, err in outputs]
    return [line.split()[1] for out, _err in outputs for line in out.splitlines() if line.startswith("fired")]


EXPECTED_KEYS = ["schedule:race:2026-06-01T12:00:00Z", "schedule:race:2026-06-01T12:05:00Z"]


@pytest.mark.slow
def test_schedulers_in_several_processes_fire_each_period_once_on_sqlite(tmp_path):
    # given a migrated SQLite database file shared by four worker processes
    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=300
    )
    # when they all tick at the same instants
    fired = _race(url)
    # then each period was fired by exactly one of them, and the database holds one run per period
    assert sorted(fired) == EXPECTED_KEYS
    with sqlite3.connect(tmp_path / "race.sqlite3") as db:
        assert sorted(key for (key,) in db.execute("SELECT key FROM jobs_jobrun")) == EXPECTED_KEYS


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_schedulers_in_several_processes_fire_each_period_once_on_postgresql():
    # given four worker processes on the PostgreSQL test database
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    # when they all tick at the same instants
    fired = _race(url)
    # then each period was fired by exactly one of them
    assert sorted(fired) == EXPECTED_KEYS
    assert sorted(JobRun.objects.values_list("key", flat=True)) == EXPECTED_KEYS
