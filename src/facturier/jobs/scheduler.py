"""Firing schedules: each (schedule, period) starts exactly one job run, however many workers tick.

Every ``facturier worker`` ticks the scheduler; the run's natural key ``schedule:<name>:<period>``
is unique in the database, so when two workers see the same period at once, one insert wins and
the other finds the row. A worker that was down for several periods fires only the current one
(a poll or a purge does not need to be caught up; a job that must cover every period, like a
billing run, computes its own backlog from the database).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from facturier.jobs.models import JobRun, Schedule
from facturier.jobs.periods import CadenceError, current_period
from facturier.jobs.runs import job_start

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleSpec:
    """A schedule the product ships (settings ``FACTURIER_SCHEDULES``); users may disable it."""

    name: str
    task: str
    rrule: str = ""
    interval_seconds: int | None = None


def default_specs() -> list[ScheduleSpec]:
    return [ScheduleSpec(**spec) for spec in getattr(settings, "FACTURIER_SCHEDULES", [])]


def schedules_sync(*, now: dt.datetime | None = None) -> int:
    """Create the shipped schedules that are missing (never touching one a user changed); the count."""
    created = 0
    for spec in default_specs():
        _row, new = Schedule.objects.get_or_create(
            name=spec.name,
            defaults={"task": spec.task, "rrule": spec.rrule, "interval_seconds": spec.interval_seconds,
                      "anchor": now or timezone.now()},
        )  # fmt: skip
        created += new
    return created


def schedule_zone(schedule: Schedule) -> ZoneInfo:
    if schedule.entity is not None:
        return ZoneInfo(schedule.entity.time_zone)
    return ZoneInfo(settings.TIME_ZONE)


def period_of(schedule: Schedule, now: dt.datetime) -> dt.datetime | None:
    interval = dt.timedelta(seconds=schedule.interval_seconds) if schedule.interval_seconds else None
    return current_period(
        now=now, anchor=schedule.anchor, tz=schedule_zone(schedule), rule=schedule.rrule, interval=interval
    )


def run_key(schedule: Schedule, period: dt.datetime) -> str:
    return f"schedule:{schedule.name}:{period.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"


def fire(schedule: Schedule, *, now: dt.datetime) -> JobRun | None:
    """Start the run of the schedule's current period unless it exists; the new run, else None."""
    try:
        period = period_of(schedule, now)
    except CadenceError:
        logger.exception("schedule %s has an invalid cadence", schedule.name)
        return None
    if period is None or (schedule.last_period is not None and period <= schedule.last_period):
        return None
    args: dict[str, Any] = dict(schedule.args or {})
    run, created = job_start(
        key=run_key(schedule, period), task=schedule.task, args=args, entity=schedule.entity,
        schedule=schedule, period=period,
    )  # fmt: skip
    with transaction.atomic():
        Schedule.objects.filter(pk=schedule.pk).update(last_period=period)
    return run if created else None


def fire_due(*, now: dt.datetime | None = None) -> list[JobRun]:
    """One scheduler tick: fire every enabled schedule whose current period has no run yet."""
    now = now or timezone.now()
    fired = []
    for schedule in Schedule.objects.filter(enabled=True).select_related("entity").order_by("name"):
        run = fire(schedule, now=now)
        if run is not None:
            fired.append(run)
    return fired
