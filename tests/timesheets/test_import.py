"""`facturier import-time`: idempotent, all or nothing, hostile files refused with their line numbers."""

import pytest

from facturier.accounts.actor import SYSTEM
from facturier.cli import main
from facturier.timesheets.imports import CsvRefused, time_import
from facturier.timesheets.models import EntryStatus, TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the French ones are the same with other words)."""
    from django.utils import translation

    with translation.override("en"):
        yield


GOOD = (
    "date;project;person;hours;task;description;billable\n"
    "2026-03-02;P-1;alice;1,5;Audit;Kick-off;oui\n"
    "2026-03-02;P-1;alice@example.fr;0.25;;Call;no\n"
    "2026-03-03;P-1;alice;1,5;Audit;Kick-off;oui\n"
    "2026-03-03;P-1;alice;1,5;Audit;Kick-off;oui\n"
)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(entity, project, consultant, tmp_path,
                                                                       capsys):  # fmt: skip
    path = tmp_path / "time.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["import-time", str(path), "--entity", entity.siren]) == 0
    assert "4 entries imported, 0 already imported" in capsys.readouterr().out
    entries = list(TimeEntry.objects.order_by("date", "minutes"))
    assert [(e.minutes, e.billable, e.status) for e in entries] == [
        (15, False, EntryStatus.SUBMITTED), (90, True, EntryStatus.SUBMITTED),
        (90, True, EntryStatus.SUBMITTED), (90, True, EntryStatus.SUBMITTED)]  # fmt: skip
    assert main(["import-time", str(path), "--entity", entity.siren]) == 0
    assert "0 entries imported, 4 already imported" in capsys.readouterr().out
    assert TimeEntry.objects.count() == 4


def test_a_later_file_repeating_rows_adds_only_the_new_ones(entity, project, consultant):
    time_import(entity=entity, content=GOOD.encode(), by=SYSTEM)
    more = GOOD + "2026-03-03;P-1;alice;1,5;Audit;Kick-off;oui\n"  # a third identical row that day
    result = time_import(entity=entity, content=more.encode(), by=SYSTEM)
    assert (result.created, result.skipped) == (1, 4)


@pytest.mark.parametrize(("content", "line", "fragment"), [
    ("date,project,person,hours\n2026-02-30,P-1,alice,1\n", 2, "YYYY-MM-DD"),
    ("date,project,person,hours\n2026-03-02,P-9,alice,1\n", 2, "unknown project"),
    ("date,project,person,hours\n2026-03-02,P-1,outsider,1\n", 2, "not a member"),
    ("date,project,person,hours\n2026-03-02,P-1,alice,1\n2026-03-02,P-1,alice,-2\n", 3, "duration"),
    ("date,project,person,hours\n2026-03-02,P-1,alice,25\n", 2, "24 hours"),
    ("date,project,person,hours\n2026-03-02,P-1,alice,NaN\n", 2, "duration"),
    ("date,project,person,hours\n2026-03-02,P-1,alice,1,extra\n", 2, "as many fields"),
    ("date,project,person,hours,minutes\n2026-03-02,P-1,alice,1,60\n", 2, "either hours or minutes"),
    ("date,project,person,hours,billable\n2026-03-02,P-1,alice,1,maybe\n", 2, "billable"),
    ("date,project,person,hours,description\n2026-03-02,P-1,alice,1," + "x" * 600 + "\n", 2, "longer"),
    ("date,project,person\n2026-03-02,P-1,alice\n", 1, "header"),
    ("date,project,person,hours,=cmd|' /C calc'!A0\n2026-03-02,P-1,alice,1,x\n", 1, "unknown columns"),
])  # fmt: skip
def test_a_bad_row_refuses_the_whole_file_naming_its_line(
    entity, project, consultant, content, line, fragment
):
    with pytest.raises(CsvRefused) as refused:
        time_import(entity=entity, content=content.encode(), by=SYSTEM)
    assert [found for found, _message in refused.value.problems] == [line]
    assert fragment in refused.value.problems[0][1]
    assert TimeEntry.objects.count() == 0


@pytest.mark.parametrize("content", [b"\xff\xfed\x00a\x00t\x00e\x00", b"date,project\x00,person,hours\n",
                                     b"date,project,person,hours\n\xe9t\xe9,P-1,alice,1\n"])  # fmt: skip
def test_binary_or_non_utf8_files_are_refused_cleanly(entity, project, consultant, content):
    with pytest.raises(CsvRefused):
        time_import(entity=entity, content=content, by=SYSTEM)


def test_the_command_prints_each_problem_with_its_line_and_fails(
    entity, project, consultant, tmp_path, capsys
):
    path = tmp_path / "bad.csv"
    path.write_text(
        "date,project,person,hours\n2026-03-02,P-1,alice,1\n2026-13-01,P-1,alice,1\n", encoding="utf-8"
    )
    assert main(["import-time", str(path), "--entity", entity.siren]) == 1
    assert f"{path}:3:" in capsys.readouterr().err
    assert TimeEntry.objects.count() == 0
