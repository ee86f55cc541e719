"""The watched folder: files dropped in statements/inbox/<company>/ are imported by the scheduled job and
moved to done/ or failed/; the job is idempotent (a file imported but not moved is only moved next time)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from facturier.banking.models import BankLine, Channel, StatementImport
from facturier.banking.services import statement_import
from facturier.banking.watched import folder_name, import_watched
from facturier.jobs.models import JobRun, RunStatus, Schedule
from facturier.jobs.scheduler import fire_due, schedules_sync
from tests.banking.conftest import csv_bytes

UTC = dt.UTC


@pytest.fixture
def root(settings, tmp_path):
    settings.FACTURIER_STATEMENTS_DIR = str(tmp_path / "statements")
    return tmp_path / "statements"


def _drop(root, entity, name: str, content: bytes):
    folder = root / "inbox" / folder_name(entity)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


def test_the_scheduled_job_imports_dropped_files_and_moves_them(entity, account, root,
                                                               django_capture_on_commit_callbacks):  # fmt: skip
    # given the shipped schedules, and two files dropped in the company's folder (one unreadable)
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=False):
        schedules_sync()
    assert (
        Schedule.objects.get(name="import-statements").task
        == "facturier.banking.tasks.import_watched_statements"
    )
    _drop(root, entity, "export.csv", csv_bytes())
    _drop(root, entity, "junk.csv", b"not;a;statement\n")
    _drop(root, entity, "half-copied.csv.part", b"...")
    # when the worker ticks
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(dt.datetime(2026, 11, 23, 8, 6, tzinfo=UTC), tick=False),
    ):
        runs = fire_due()
    # then the job ran: the good file is imported and in done/, the bad one in failed/ with its reason
    run = JobRun.objects.get(
        pk=next(run.pk for run in runs if run.task.endswith("import_watched_statements"))
    )
    assert run.status == RunStatus.DONE, run.error
    assert run.result == {"imported": 1, "already": 0, "failed": 1, "new_lines": 3}
    company = folder_name(entity)
    assert (root / "done" / company / "export.csv").exists()
    assert (root / "failed" / company / "junk.csv").exists()
    assert "no column" in (root / "failed" / company / "junk.csv.error.txt").read_text()
    assert sorted(p.name for p in (root / "inbox" / company).iterdir()) == ["half-copied.csv.part"]
    assert BankLine.objects.count() == 3
    failure = StatementImport.objects.get(error__gt="")
    assert (failure.filename, failure.channel, failure.account) == ("junk.csv", Channel.FOLDER, None)
    # when the same export is dropped again and the next period fires
    _drop(root, entity, "export.csv", csv_bytes())
    with (
        django_capture_on_commit_callbacks(execute=True),
        time_machine.travel(dt.datetime(2026, 11, 23, 8, 12, tzinfo=UTC), tick=False),
    ):
        fire_due()
    # then it is recognised, moved beside the first (renamed), and nothing is duplicated
    assert BankLine.objects.count() == 3
    assert len(list((root / "done" / company).iterdir())) == 2


def test_a_file_imported_but_not_moved_before_a_crash_is_only_moved(entity, account, root):
    # given a file whose import committed, but the worker died before moving it
    path = _drop(root, entity, "export.csv", csv_bytes())
    statement_import(
        entity=entity, by=None, filename="export.csv", content=path.read_bytes(), channel=Channel.FOLDER
    )
    # when the job runs again
    summary = import_watched()
    # then nothing is imported twice and the file is in done/
    assert (summary.imported, summary.already, summary.failed) == (0, 1, 0)
    assert BankLine.objects.count() == 3
    assert not path.exists()


def test_a_folder_naming_no_company_is_left_alone(entity, account, root):
    stray = root / "inbox" / "nobody" / "export.csv"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(csv_bytes())
    summary = import_watched()
    assert stray.exists()
    assert "no company" in summary.errors[0]
    assert not BankLine.objects.exists()


def test_the_company_folder_may_be_named_by_its_slug_too(entity, account, root):
    folder = root / "inbox" / "atelier-dupont-sas"
    folder.mkdir(parents=True)
    (folder / "export.csv").write_bytes(csv_bytes())
    assert import_watched().imported == 1
    assert (root / "done" / "atelier-dupont-sas" / "export.csv").exists()


def test_an_oversize_file_is_moved_to_failed_without_being_read(entity, account, root, settings):
    settings.FACTURIER_STATEMENT_MAX_BYTES = 100
    _drop(root, entity, "huge.csv", csv_bytes())
    summary = import_watched()
    assert summary.failed == 1
    company = folder_name(entity)
    assert "statement_file_too_large" in (root / "failed" / company / "huge.csv.error.txt").read_text()
    assert not BankLine.objects.exists()
