"""The queue's side of job runs: one task executes any run (the database row says what to do)."""

from __future__ import annotations

from django_tasks import task

from facturier.jobs.runs import job_execute


@task()
def execute_job_run(run_id: int) -> str:
    return job_execute(run_id=run_id)
