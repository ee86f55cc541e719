"""The receivables selector: outstanding, overdue and the aged balance come from one query each,
agree with a document-by-document computation, and do not grow in queries with history."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.invoicing.services import LineData, credit_note_create, document_create, invoice_issue
from facturier.payments.selectors import receivables_of, statement_of_account
from facturier.payments.services import payment_record, payment_record_for_invoice


def _invoice_on(day: dt.date, entity, customer, owner, price: str, terms: str = "net30"):
    """An invoice issued on `day` (at noon, Paris), due 30 days later."""
    with time_machine.travel(dt.datetime.combine(day, dt.time(11, 0), tzinfo=dt.UTC), tick=False):
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner, payment_terms=terms,
                                lines=[LineData(description="Prestation", unit_price=Decimal(price))])  # fmt: skip
        return invoice_issue(invoice=draft, by=owner)


@pytest.fixture
def history(entity, customer, owner):
    """Five invoices of 100 + 20 % VAT = 120.00 each, issued a month apart in 2026, one partly paid."""
    days = [
        dt.date(2026, 1, 5),
        dt.date(2026, 2, 5),
        dt.date(2026, 3, 5),
        dt.date(2026, 4, 5),
        dt.date(2026, 5, 5),
    ]
    invoices = [_invoice_on(day, entity, customer, owner, "100.00") for day in days]
    with time_machine.travel(dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC), tick=False):
        payment_record_for_invoice(invoice=invoices[1], amount=Decimal("20.00"), received_on=dt.date(2026, 5, 6),
                                   by=owner)  # fmt: skip
    return invoices


def test_aged_balance_puts_each_open_balance_in_its_band_of_days_late(entity, history):
    # due dates: Feb 4, Mar 7, Apr 4, May 5, Jun 4; on 2026-06-01:
    figures = receivables_of(entity, dt.date(2026, 6, 1))
    assert figures.aged == {
        "not_due": Decimal("120.00"),  # due Jun 4
        "1_30": Decimal("120.00"),  # 27 days
        "31_60": Decimal("120.00"),  # 58 days
        "61_90": Decimal("100.00"),  # 86 days, 20 paid
        "over_90": Decimal("120.00"),  # 117 days
    }
    assert figures.outstanding == Decimal("580.00")
    assert (figures.overdue, figures.overdue_count) == (Decimal("460.00"), 4)


@pytest.mark.parametrize(
    ("today", "band"),
    [
        (dt.date(2026, 2, 4), "not_due"),  # the due date itself is not late
        (dt.date(2026, 2, 5), "1_30"),
        (dt.date(2026, 3, 6), "1_30"),  # 30 days late
        (dt.date(2026, 3, 7), "31_60"),  # 31 days late
        (dt.date(2026, 5, 5), "61_90"),  # 90 days late
        (dt.date(2026, 5, 6), "over_90"),  # 91 days late
    ],
)
def test_band_edges_follow_the_days_past_the_due_date(entity, customer, owner, today, band):
    _invoice_on(dt.date(2026, 1, 5), entity, customer, owner, "100.00")  # due 2026-02-04
    aged = receivables_of(entity, today).aged
    assert aged[band] == Decimal("120.00")
    assert sum(aged.values()) == Decimal("120.00")


def test_credit_notes_reduce_what_is_owed(entity, customer, owner, history):
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        lines = [LineData(description="Geste commercial", unit_price=Decimal("50.00"))]
        invoice_issue(invoice=credit_note_create(invoice=history[0], by=owner, lines=lines), by=owner)
    assert receivables_of(entity, dt.date(2026, 6, 1)).aged["over_90"] == Decimal("60.00")


def test_reading_the_receivables_costs_the_same_queries_whatever_the_history(
    entity, customer, owner, history
):
    with CaptureQueriesContext(connection) as small:
        receivables_of(entity, dt.date(2026, 6, 1))
    for month in range(6, 12):
        _invoice_on(dt.date(2026, month, 10), entity, customer, owner, "10.00")
    with CaptureQueriesContext(connection) as large:
        figures = receivables_of(entity, dt.date(2026, 12, 1))
    assert len(large) == len(small) == 1
    assert figures.outstanding == Decimal("580.00") + 6 * Decimal("12.00")


def test_statement_of_account_runs_a_balance_over_invoices_credit_notes_and_payments(
    entity, customer, owner, history
):
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        payment_record(entity=entity, customer=customer, amount=Decimal("300.00"), received_on=dt.date(2026, 5, 20),
                       by=owner)  # fmt: skip
    lines = statement_of_account(customer)
    assert [(line.day, line.debit, line.credit) for line in lines] == [
        (dt.date(2026, 1, 5), Decimal("120.00"), Decimal("0")),
        (dt.date(2026, 2, 5), Decimal("120.00"), Decimal("0")),
        (dt.date(2026, 3, 5), Decimal("120.00"), Decimal("0")),
        (dt.date(2026, 4, 5), Decimal("120.00"), Decimal("0")),
        (dt.date(2026, 5, 5), Decimal("120.00"), Decimal("0")),
        (dt.date(2026, 5, 6), Decimal("0"), Decimal("20.00")),
        (dt.date(2026, 5, 20), Decimal("0"), Decimal("300.00")),
    ]
    assert lines[-1].balance == Decimal("280.00")
