"""The banking app's background work, as tasks the scheduler fires (see FACTURIER_SCHEDULES)."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def import_watched_statements(job_run: Any = None) -> dict[str, int]:
    """Import the statement files dropped in the watched folder (one chunk per file in a job run)."""
    from facturier.banking.watched import import_watched
    from facturier.jobs.runs import run_chunks

    if job_run is None:
        return import_watched().as_dict()
    return import_watched(
        run_chunks=lambda keys, handle: run_chunks(job_run, keys, handle, atomic=False)
    ).as_dict()
