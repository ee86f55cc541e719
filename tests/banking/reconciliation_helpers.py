"""Shared by the reconciliation tests: customers, issued invoices of a chosen amount, a CSV statement."""

from __future__ import annotations

from decimal import Decimal

from facturier.banking.services import statement_import
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.parties.models import Customer
from tests.banking.conftest import csv_bytes


def customer_named(entity, name: str, code: str, siren: str = "356000000") -> Customer:
    return Customer.objects.create(entity=entity, code=code, name=name, email=f"{code.lower()}@example.fr", siren=siren,
                                   address_line1="1 rue Neuve", postcode="69002", city="Lyon")  # fmt: skip


def issued(entity, customer, owner, net: str):
    """An issued invoice of `net` excluding VAT (20 %): payable `net` x 1.2."""
    draft = document_create(
        entity=entity, kind="invoice", customer=customer, by=owner,
        lines=[LineData(description="Prestation", quantity=Decimal("1"), unit_price=Decimal(net))],
    )  # fmt: skip
    return invoice_issue(invoice=draft, by=owner)


def import_rows(entity, rows, filename: str = "releve.csv"):
    """Import a CSV statement (the account fixture's mapping): rows of (date, debit, credit, text, payer)."""
    return statement_import(entity=entity, by=None, filename=filename, content=csv_bytes(rows))
