"""Issued documents to print: an invoice, its credit note, a deposit, a quote, in fr and en."""

from decimal import Decimal

import pytest

from facturier.invoicing.services import (
    AllowanceChargeData,
    LineData,
    credit_note_create,
    document_create,
    invoice_issue,
)


@pytest.fixture(autouse=True)
def _no_validation_on_issue(settings):
    # Issuing validates with the official schematron (seconds); these tests check the PDF, and the
    # XML embedded in it is checked against the Factur-X XSD by the tests themselves.
    settings.EINVOICE_VALIDATE_ON_ISSUE = False


@pytest.fixture
def issued_invoice(entity, customer, product, owner):
    invoice = document_create(
        entity=entity, kind="invoice", customer=customer, by=owner,
        lines=[
            LineData(product=product, quantity=Decimal("3")),
            LineData(description="Frais de déplacement", quantity=Decimal("1"), unit_price=Decimal("120.50"),
                     discount_percent=Decimal("10")),
        ],
        allowances_charges=[AllowanceChargeData(reason="Remise fidélité", amount=Decimal("50.00"))],
        purchase_order_reference="PO-2026-17",
    )  # fmt: skip
    return invoice_issue(invoice=invoice, by=owner)


def issue(entity, customer, owner, lines, **header):
    document = document_create(
        entity=entity, kind="invoice", customer=customer, by=owner, lines=lines, **header
    )
    return invoice_issue(invoice=document, by=owner)


@pytest.fixture
def make_issued(entity, customer, owner):
    def make(lines, customer_=None, **header):
        return issue(entity, customer_ or customer, owner, lines, **header)

    return make


@pytest.fixture
def credit_note(issued_invoice, product, owner):
    # a partial credit: one of the three consulting days
    note = credit_note_create(invoice=issued_invoice, by=owner, reason="Retour de marchandise",
                              lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip
    return invoice_issue(invoice=note, by=owner)
