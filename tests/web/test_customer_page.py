"""The customer page runs as many queries with one document and payment as with many, and shows the tail
of the statement of account exactly as the printable statement has it (issue 9)."""

import datetime as dt
from decimal import Decimal

import time_machine

from facturier.invoicing.models import Kind
from facturier.invoicing.services import LineData, credit_note_create, document_create, invoice_issue
from facturier.payments.selectors import statement_of_account, statement_tail
from facturier.payments.services import payment_record_for_invoice
from tests.growth import ISSUED_ON, queries_of


def _history(entity, customer, product, owner, *, invoices: int, start: int = 0) -> None:
    for n in range(start, start + invoices):
        lines = [LineData(product=product, quantity=Decimal(1 + n))]
        invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner, lines=lines)
        invoice = invoice_issue(invoice=invoice, by=owner, issue_date=ISSUED_ON - dt.timedelta(days=10 - n))
        payment_record_for_invoice(invoice=invoice, amount=Decimal("10.00"), received_on=ISSUED_ON, by=owner)
        if n % 2:
            credit_note = credit_note_create(invoice=invoice, by=owner)
            invoice_issue(invoice=credit_note, by=owner, issue_date=ISSUED_ON)
        document_create(entity=entity, kind=Kind.QUOTE, customer=customer, by=owner, lines=lines)


@time_machine.travel(ISSUED_ON, tick=False)
def test_customer_page_runs_the_same_queries_for_1_or_5_invoices_and_payments(
    owner_client, entity, customer, product, owner
):
    # given a customer with one invoice, one payment and one quote
    _history(entity, customer, product, owner, invoices=1)
    path = f"/customers/{customer.pk}/"
    small = queries_of(owner_client.get, path)
    # when they have five invoices, payments, quotes and two credit notes
    _history(entity, customer, product, owner, invoices=4, start=1)
    # then the page runs no more queries
    assert queries_of(owner_client.get, path) == small


@time_machine.travel(ISSUED_ON, tick=False)
def test_statement_tail_is_the_end_of_the_statement_of_account(
    owner_client, entity, customer, product, owner
):
    # given a customer with 4 invoices, 4 payments and 2 credit notes (10 movements)
    _history(entity, customer, product, owner, invoices=4)
    full = statement_of_account(customer)
    assert len(full) == 10
    # then the last 4 lines (their running balances included) are those of the full statement
    assert statement_tail(customer, last=4) == (full[-4:], True)
    assert statement_tail(customer, last=10) == (full, False)
    # and the page says earlier movements are on the printable statement only when there are some
    assert b'id="statement-earlier"' not in owner_client.get(f"/customers/{customer.pk}/").content
