"""Two imports of overlapping statements at the same moment (two clerks, or the watched folder and an upload)
still store each movement once (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import pytest

from facturier.banking.models import BankLine
from facturier.banking.services import bank_account_add, statement_import
from tests.banking.conftest import IBAN, line, statement
from tests.pg_race import at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_overlapping_imports_store_each_line_once(entity, fake_formats):
    # given two statements sharing 500 of their 1,000 lines
    bank_account_add(entity=entity, by=None, iban=IBAN)
    fake_formats[b"first"] = [statement(*[line(1 + n % 28, f"{n + 1}.00", f"R{n}") for n in range(1000)])]
    fake_formats[b"second"] = [
        statement(*[line(1 + n % 28, f"{n + 1}.00", f"R{n}") for n in range(500, 1500)])
    ]

    def clerk(content: bytes):  # type: ignore[no-untyped-def]
        def run() -> tuple[int, int]:
            result = statement_import(entity=entity, by=None, filename=content.decode(), content=content)
            return result.new_lines, result.duplicate_lines

        return run

    # when both are imported at once
    counts = at_once(clerk(b"first"), clerk(b"second"))
    # then every movement is stored once, and the counts add up
    assert not [outcome for outcome in counts if isinstance(outcome, BaseException)], counts
    assert BankLine.objects.count() == 1500
    assert BankLine.objects.values("natural_key").distinct().count() == 1500
    assert sum(new for new, _old in counts) == 1500
    assert sum(new + old for new, old in counts) == 2000
