"""Services to a business outside the EU (CGI art. 259-1) issue as category O, and so do their credit notes.

Regression for issue 6: such an invoice always carried the seller's VAT number, which BR-O-02
forbids, so it could never be issued (docs/vat-outside-scope.md gives the decision and its sources).
"""

from decimal import Decimal

import pytest

from facturier.domain.formats import detect_and_parse
from facturier.invoicing.einvoice import document_xml, validation_report
from facturier.invoicing.services import (
    credit_note_create,
    document_create,
    invoice_approve,
    invoice_issue,
    invoice_submit,
)
from tests.invoicing import einvoice_cases as cases
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")
# Northwind has no PEPPOL identifier (its e-invoicing address is an email): PEPPOL BIS is not for it.
FORMATS = [("cii", "EN16931"), ("cii", "EXTENDED"), ("ubl", None)]


def _northwind(entity):
    """The demo's US export customer: no VAT number, invoiced in US dollars, in English."""
    return cases.customer(entity, "C0039", name="Northwind Outfitters Inc.", address_line1="200 Atlantic Avenue",
                          postcode="02110", city="Boston", country="US", currency="USD", language="en",
                          vat_regime="export")  # fmt: skip


def _errors(document, syntax, profile):
    return [
        f"{f.rule_id}: {f.message}"
        for f in validation_report(document, syntax=syntax, profile=profile).errors
    ]


def test_services_to_a_us_business_are_submitted_approved_issued_and_partially_credited(
    entity, owner, colleague, approver
):
    # given a company that needs approval and a draft for services to Northwind (US), in USD
    entity.requires_approval = True
    entity.save()
    buyer = _northwind(entity)
    draft = document_create(
        entity=entity, kind="invoice", customer=buyer, by=owner, exchange_rate=Decimal("0.921500"),
        lines=[cases.line("1500", description="Consulting days", quantity="3"),
               cases.line("250", description="Remote support")],
    )  # fmt: skip
    # when an accountant submits it, an approver approves it and the owner issues it
    invoice_submit(invoice=draft, by=colleague)
    invoice_approve(invoice=draft, by=approver)
    invoice = invoice_issue(invoice=draft, by=owner)
    # then it is outside the scope of French VAT (O, VATEX-EU-O, art. 259-1) and valid everywhere
    assert invoice.status == "issued"
    assert {(row["category"], row["tax_amount"]) for row in invoice.vat_breakdown} == {("O", "0.00")}
    for syntax, profile in FORMATS:
        assert _errors(invoice, syntax, profile) == [], (syntax, profile)
    model = detect_and_parse(document_xml(invoice, syntax="cii"))
    breakdown = model.vat_breakdowns[0]
    assert (breakdown.category_code, breakdown.rate, breakdown.exemption_reason_code) == (
        "O",
        None,
        "VATEX-EU-O",
    )
    assert "259-1" in breakdown.exemption_reason
    # and the seller is identified by its SIREN and SIRET, not by the VAT number BR-O-02 forbids
    assert model.seller.vat_id is None
    assert model.seller.legal_registration_id.value == entity.siren
    assert model.buyer.vat_id is None
    # when part of it is credited, then the credit note issues too
    note = credit_note_create(
        invoice=invoice, by=owner, lines=[cases.line("250", description="Remote support")]
    )
    invoice_submit(invoice=note, by=colleague)
    invoice_approve(invoice=note, by=approver)
    note = invoice_issue(invoice=note, by=owner)
    assert (note.type_code, note.tax_inclusive) == ("381", Decimal("250.00"))
    for syntax, profile in FORMATS:
        assert _errors(note, syntax, profile) == [], (syntax, profile)


def test_a_us_business_customer_with_a_vat_number_still_gets_a_valid_outside_scope_invoice(entity, owner):
    # given a non-EU customer that gave a foreign tax number (BT-48 is forbidden with category O too)
    buyer = _northwind(entity)
    buyer.vat_number = "CHE123456789"
    buyer.country, buyer.currency = "CH", "EUR"
    buyer.save()
    # when services are invoiced and issued
    invoice = cases.issued(entity, buyer, owner, [cases.line("900")])
    # then the e-invoice is valid and names neither party's VAT number
    for syntax, profile in FORMATS:
        assert _errors(invoice, syntax, profile) == [], (syntax, profile)
    model = detect_and_parse(document_xml(invoice, syntax="ubl"))
    assert (model.seller.vat_id, model.buyer.vat_id) == (None, None)


def test_the_printed_invoice_keeps_the_seller_vat_number(entity, owner):
    # given an issued outside-scope invoice
    invoice = cases.issued(
        entity, _northwind(entity), owner, [cases.line("900")], exchange_rate=Decimal("0.92")
    )
    # then the invoice as printed still states the seller's VAT number (CGI annexe II art. 242 nonies A)
    assert invoice.seller_snapshot["vat_number"] == entity.vat_number
