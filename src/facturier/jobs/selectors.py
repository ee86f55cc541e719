"""Reads of job runs and schedules for the staff page and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from facturier.jobs.models import JobRun, Schedule


def job_runs_visible_to(*, entity: Any) -> QuerySet[JobRun]:
    """The entity's own runs and the installation's (polling, purges), newest first."""
    return (
        JobRun.objects.filter(Q(entity=entity) | Q(entity__isnull=True))
        .select_related("schedule")
        .order_by("-created_at", "-pk")
    )


def schedules_visible_to(*, entity: Any) -> QuerySet[Schedule]:
    return Schedule.objects.filter(Q(entity=entity) | Q(entity__isnull=True)).order_by("name")
