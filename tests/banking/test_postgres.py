"""Two imports of overlapping statements at the same moment (two clerks, or the watched folder and an upload)
still store each movement once (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from facturier.banking.models import BankLine
from facturier.banking.services import bank_account_add, statement_import
from tests.banking.conftest import IBAN, line, statement


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_overlapping_imports_store_each_line_once(entity, fake_formats):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    # given two statements sharing 500 of their 1,000 lines
    bank_account_add(entity=entity, by=None, iban=IBAN)
    fake_formats[b"first"] = [statement(*[line(1 + n % 28, f"{n + 1}.00", f"R{n}") for n in range(1000)])]
    fake_formats[b"second"] = [
        statement(*[line(1 + n % 28, f"{n + 1}.00", f"R{n}") for n in range(500, 1500)])
    ]
    barrier = threading.Barrier(2)
    counts: list[tuple[int, int]] = []
    failures: list[BaseException] = []

    def clerk(content: bytes) -> None:
        try:
            barrier.wait(timeout=10)
            result = statement_import(entity=entity, by=None, filename=content.decode(), content=content)
            counts.append((result.new_lines, result.duplicate_lines))
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connections.close_all()

    # when both are imported at once
    threads = [threading.Thread(target=clerk, args=(content,)) for content in (b"first", b"second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then every movement is stored once, and the counts add up
    assert failures == []
    assert BankLine.objects.count() == 1500
    assert BankLine.objects.values("natural_key").distinct().count() == 1500
    assert sum(new for new, _old in counts) == 1500
    assert sum(new + old for new, old in counts) == 2000
