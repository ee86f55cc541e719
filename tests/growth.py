"""Grow a company's history through the services, for tests that prove reads do not grow with it."""

import datetime as dt
from decimal import Decimal

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from facturier.invoicing.models import Kind
from facturier.invoicing.services import LineData, credit_note_create, document_create, invoice_issue
from facturier.parties.models import Customer
from facturier.payments.services import payment_record_for_invoice

ISSUED_ON = dt.date(2026, 3, 6)


def grow(entity, product, owner, *, up_to: int) -> None:
    """Until the entity has `up_to` customers of this kind, add one with an issued invoice (every other one
    paid, every third one credited), a draft quote and a draft order."""
    start = Customer.objects.filter(entity=entity, code__startswith="G").count()
    for n in range(start, up_to):
        customer = Customer.objects.create(entity=entity, code=f"G{n:03d}", name=f"Client {n}", siren="443061841",
                                           address_line1=f"{n} rue Haute", postcode="75001", city="Paris")  # fmt: skip
        lines = [LineData(product=product, quantity=Decimal(1 + n))]
        invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner, lines=lines)
        invoice = invoice_issue(invoice=invoice, by=owner, issue_date=ISSUED_ON)
        if n % 2:
            payment_record_for_invoice(
                invoice=invoice, amount=Decimal("10.00"), received_on=ISSUED_ON, by=owner
            )
        if n % 3 == 0:
            credit_note = credit_note_create(invoice=invoice, by=owner)
            invoice_issue(invoice=credit_note, by=owner, issue_date=ISSUED_ON)
        for kind in (Kind.QUOTE, Kind.ORDER):
            document_create(entity=entity, kind=kind, customer=customer, by=owner, lines=lines)


def queries_of(get, path: str) -> int:
    """How many SQL queries one warm GET of `path` runs (it must answer 200). Warm: the first request may
    also write what is written once in a while (an API key's last use), which is not what grows."""
    get(path)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)
