"""`facturier import-usage FILE --entity E`: idempotent, rows refused with their line, hostile files refused."""

import datetime as dt
import json

import pytest
import time_machine

from facturier.billing.models import UsageEvent
from facturier.billing.usage import metric_create
from facturier.cli import main

pytestmark = pytest.mark.django_db
HEADER = "event_id,metric,customer,quantity,occurred_at,dimension\n"


@pytest.fixture(autouse=True)
def _metric(entity, customer, owner):
    metric_create(entity=entity, by=owner, code="users", aggregation="unique")


def _import(entity, path, capsys):
    code = main(["import-usage", str(path), "--entity", entity.siren])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else None), captured.err


@time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False)
def test_importing_twice_records_once_and_bad_rows_are_refused_with_their_line(entity, tmp_path, capsys):
    rows = [f"e{i},users,C001,1,2026-01-{10 + i % 5:02d}T10:00:00+01:00,u{i % 7}\n" for i in range(2500)]
    path = tmp_path / "usage.csv"
    path.write_text(HEADER + "".join(rows) + "bad,users,C001,abc,2026-01-10T10:00:00Z,x\n"
                    "late,users,C001,1,yesterday,x\n\n")  # fmt: skip
    code, first, _err = _import(entity, path, capsys)
    assert code == 1
    assert (first["accepted"], first["duplicates"]) == (2500, 0)
    assert [(r["line"], r["code"]) for r in first["refused"]] == [
        (2502, "invalid_quantity"),
        (2503, "invalid_time"),
    ]
    code, second, _err = _import(entity, path, capsys)
    assert (second["accepted"], second["duplicates"]) == (0, 2500)
    assert UsageEvent.objects.count() == 2500


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
        b"event_id;metric\n1;users\n",  # missing columns
        b"",
        HEADER.encode() + b"a,users,C001,1,2026-01-10T10:00:00Z," + b"x" * 100_000 + b"\n",
        HEADER.encode() + "é,users,C001,1,2026-01-10T10:00:00Z,x\n".encode("latin-1"),
        HEADER.encode() + b'"a,users,C001,1,2026-01-10T10:00:00Z,x\n',  # unterminated quote
    ],
)
def test_a_hostile_file_is_refused_cleanly_and_writes_nothing(entity, tmp_path, capsys, content):
    path = tmp_path / "hostile.csv"
    path.write_bytes(content)
    code, output, err = _import(entity, path, capsys)
    assert code == 1
    assert output is None
    assert "hostile.csv" in err
    assert not UsageEvent.objects.exists()
