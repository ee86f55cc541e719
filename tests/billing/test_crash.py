"""A billing run on real worker processes (PostgreSQL), kill -9 at random moments, restarted: exactly
one invoice per contract and period, every invoice claimed, invoice numbers without gap.
The 5,000-contract, 10-kill version: bench/billing_crash.py."""

from collections.abc import Iterator

import pytest

from tests.billing.harness import crash_run, drop_database, scratch_database


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    from django.conf import settings

    config = settings.DATABASES["default"]
    name = f"{config['NAME']}_billing_crash"
    server = (
        f"postgresql://{config['USER']}:{config['PASSWORD'] or ''}@{config['HOST']}:{config['PORT'] or 5432}"
    )
    yield scratch_database(server, name)
    drop_database(server, name)


@pytest.mark.slow
@pytest.mark.postgres
def test_workers_killed_mid_run_leave_exactly_one_invoice_per_contract_and_period(tmp_path, scratch_postgres):
    # given 150 monthly contracts from 1 January and a run of 1 February queued (300 invoices due)
    # when two workers bill them and one is killed -9 three times, at random moments, and restarted
    result = crash_run(scratch_postgres, tmp_path, contracts=150, periods=2, kills=3, workers=2)
    print(result)
    # then every period is invoiced exactly once, with no gap in the numbering
    assert result["status"] == "done", result["errors"]
    assert len(result["killed_at"]) == 3
    assert result["invoices"] == result["expected"] == 300
    assert result["twice"] == []
    assert result["orphans"] == 0
    assert result["gaps"] == {}
    assert result["duplicate_numbers"] == 0
