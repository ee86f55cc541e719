"""Concurrent imports of the same file, or of two invoices of one new supplier, never duplicate rows."""

from __future__ import annotations

import pytest

from facturier.inbox.models import ReceivedInvoice
from facturier.inbox.services import einvoice_import
from facturier.parties.models import Supplier
from tests.inbox.builders import cii_bytes
from tests.pg_race import at_once

THREADS = 6


def _race(entity, contents: list[bytes]) -> list[object]:
    def importing(index: int):  # type: ignore[no-untyped-def]
        return lambda: einvoice_import(
            entity=entity, by=None, filename=f"{index}.xml", content=contents[index]
        ).items[0]

    return at_once(*[importing(index) for index in range(len(contents))])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_file_imported_six_times_at_once_is_stored_once(entity):
    # when six requests import the same bytes at the same moment
    results = _race(entity, [cii_bytes()] * THREADS)
    # then none failed, exactly one created the row and all answer with it
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(1 for r in results if r.created) == 1
    assert len({r.record.pk for r in results}) == 1
    assert ReceivedInvoice.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_invoices_of_one_new_supplier_imported_at_once_create_one_supplier(entity):
    # when six different invoices of the same unknown supplier arrive at the same moment
    results = _race(entity, [cii_bytes(number=f"C-{i}") for i in range(THREADS)])
    # then all are stored, under a single supplier
    assert not [r for r in results if isinstance(r, Exception)], results
    assert ReceivedInvoice.objects.count() == THREADS
    assert Supplier.objects.count() == 1
