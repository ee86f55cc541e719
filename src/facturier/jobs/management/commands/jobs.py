"""``facturier jobs``: list recent job runs and schedules, or run a schedule's job now with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from facturier.jobs.models import JobRun, RunStatus, Schedule
from facturier.jobs.progress import run_following
from facturier.jobs.runs import job_start


class Command(BaseCommand):
    help = "List job runs and schedules, or run a schedule's job now."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the latest job runs with their progress, and the schedules")
        run = sub.add_parser("run", help="run a schedule's job now, in this process, showing its progress")
        run.add_argument("schedule", help="schedule name (see 'facturier jobs list')")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for schedule in Schedule.objects.order_by("name"):
                cadence = schedule.rrule or f"every {schedule.interval_seconds} s"
                state = "on " if schedule.enabled else "off"
                self.stdout.write(f"schedule {state} {schedule.name:<30} {cadence:<40} {schedule.task}")
            for run in JobRun.objects.order_by("-created_at")[:20]:
                self.stdout.write(
                    f"{run.status:<8} {run.done:>6}/{run.total:<6} {run.percent:>3}%  {run.key}"
                )
            return
        found = Schedule.objects.filter(name=options["schedule"]).first()
        if found is None:
            raise CommandError(f"No schedule named {options['schedule']!r}.")
        schedule = found
        key = f"manual:{schedule.name}:{timezone.now():%Y-%m-%dT%H:%M:%S.%fZ}"
        run, _ = job_start(key=key, task=schedule.task, args=schedule.args, entity=schedule.entity)
        final = run_following(run.pk)
        self.stdout.write(
            f"{final.status} {final.key} {final.result if final.result is not None else ''}".rstrip()
        )
        if final.status != RunStatus.DONE:
            raise CommandError(final.error or "the job failed", returncode=1)
