"""Progress on the command line: a bar for loops of long commands and for following a job run.

Bars are drawn on the terminal only (never into a pipe or a log file, where they would be noise),
and only when there is enough work for one to help.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable, Sequence
from typing import TextIO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn, track

from facturier.jobs.models import JobRun, RunStatus

T = TypeVar("T")
FINISHED = (RunStatus.DONE, RunStatus.FAILED)


def progress_bar(
    items: Sequence[T], *, label: str, stream: TextIO | None = None, minimum: int = 20
) -> Iterable[T]:
    """``items`` as they are processed, with a bar on the terminal when there are ``minimum`` or more."""
    stream = stream or sys.stderr
    shown = stream.isatty() and len(items) >= minimum
    return track(items, description=label, disable=not shown, console=Console(file=stream))


def _bar(stream: TextIO) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(file=stream), disable=not stream.isatty())  # fmt: skip


def follow(run_id: int, *, stream: TextIO | None = None, every: float = 0.5) -> JobRun:
    """Draw the run's progress (``done``/``total`` from the database) until it finishes; the final run."""
    stream = stream or sys.stderr
    with _bar(stream) as bar:
        task = bar.add_task(JobRun.objects.get(pk=run_id).key, total=None)
        while True:
            run = JobRun.objects.get(pk=run_id)
            bar.update(task, completed=run.done, total=run.total or None)
            if run.status in FINISHED:
                return run
            time.sleep(every)


def run_following(run_id: int, *, stream: TextIO | None = None) -> JobRun:
    """Execute the run here, in a thread, while the main thread draws its progress."""
    from django.db import connection

    from facturier.jobs.runs import job_execute

    def execute() -> None:
        try:
            job_execute(run_id=run_id)
        finally:
            connection.close()

    worker = threading.Thread(target=execute, name=f"job-{run_id}")
    worker.start()
    try:
        return follow(run_id, stream=stream)
    finally:
        worker.join()
