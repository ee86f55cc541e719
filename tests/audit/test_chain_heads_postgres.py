"""The heads of an entity's audit chains are committed apart from the business transaction (PostgreSQL).

A head inserted inside the transaction that writes the first event stayed uncommitted until that
transaction ended, so a concurrent first writer inserting the same head waited for it while holding
its own row locks: two sends of one invoice deadlocked. Heads are now committed on their own
connection, and a second writer takes another chain at once.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from facturier.audit.chain import audit_chain_keys, lock_audit_chain
from facturier.audit.models import ChainHead
from tests.pg_race import run_concurrently


@pytest.mark.postgres
def test_a_second_first_writer_takes_another_chain_without_waiting(transactional_db) -> None:
    owner = "heads-test"
    first_holds, second_done = threading.Event(), threading.Event()
    taken: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                taken["first"] = lock_audit_chain(owner).key
                first_holds.set()
                second_done.wait(20)  # holds its chain until the second writer has taken one
        finally:
            first_holds.set()

    def second() -> None:
        try:
            first_holds.wait(20)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")  # waiting on the first writer fails
                taken["second"] = lock_audit_chain(owner).key
                # the heads the first writer created are visible although it has not committed
                taken["heads"] = str(ChainHead.objects.filter(key__in=audit_chain_keys(owner)).count())
        finally:
            second_done.set()

    _, errors = run_concurrently({"first": first, "second": second}, timeout=30)
    assert errors == []
    assert taken["first"] != taken["second"]
    assert int(taken["heads"]) == len(audit_chain_keys(owner))
