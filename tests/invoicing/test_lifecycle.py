import datetime as dt
from decimal import Decimal

import pytest

from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.invoicing.models import Document, Status, TypeCode
from facturier.invoicing.services import (
    AllowanceChargeData,
    LineData,
    credit_note_create,
    document_convert,
    document_create,
    document_update,
    invoice_approve,
    invoice_issue,
    invoice_reject,
    invoice_submit,
)


def test_draft_invoice_totals_follow_en16931_rounding(draft_invoice):
    # given a draft with 3 days at 850.00 and 120.50 of expenses, all at 20 %
    # then totals are computed per line, then per VAT category
    assert draft_invoice.line_total == Decimal("2670.50")
    assert draft_invoice.tax_total == Decimal("534.10")
    assert draft_invoice.tax_inclusive == Decimal("3204.60")
    assert draft_invoice.payable == Decimal("3204.60")
    assert draft_invoice.vat_breakdown == [
        {"category": "S", "rate": "20.00", "taxable_amount": "2670.50", "tax_amount": "534.10"}
    ]
    assert draft_invoice.number == ""


def test_issuing_assigns_number_date_due_date_and_seal(draft_invoice, owner):
    # when the invoice is issued
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # then it has a legal number of this year, a due date from net 30 and a seal
    year = invoice.issue_date.year
    assert invoice.number == f"FAC-{year}-00001"
    assert invoice.status == Status.ISSUED
    assert invoice.due_date == invoice.issue_date + dt.timedelta(days=30)
    assert len(invoice.seal_hash) == 64
    assert invoice.customer_snapshot["name"] == "Boulangerie Martin SARL"
    assert invoice.seller_snapshot["siren"] == "552100554"


def test_issuing_twice_is_refused_and_changes_nothing(draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    with pytest.raises(Conflict) as error:
        invoice_issue(invoice=invoice, by=owner)
    assert error.value.code == "illegal_transition"
    assert error.value.extra["current_status"] == "issued"
    invoice.refresh_from_db()
    assert invoice.number.endswith("00001")
    assert Document.objects.filter(number__startswith="FAC-").count() == 1


def test_approval_flow_when_entity_requires_it(draft_invoice, owner, approver, entity):
    # given an entity that requires approval
    entity.requires_approval = True
    entity.save()
    # when the invoice is issued before approval, it is refused
    with pytest.raises(Conflict) as error:
        invoice_issue(invoice=draft_invoice, by=owner)
    assert error.value.code == "approval_required"
    # when submitted, rejected, resubmitted and approved, then it can be issued
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    assert invoice.status == Status.PENDING_APPROVAL
    invoice = invoice_reject(invoice=invoice, by=owner, reason="Mauvais tarif")
    assert invoice.status == Status.DRAFT
    assert invoice.rejection_reason == "Mauvais tarif"
    invoice = invoice_submit(invoice=invoice, by=owner)
    invoice = invoice_approve(invoice=invoice, by=approver)
    assert invoice.status == Status.APPROVED
    assert invoice.approved_by == approver
    assert invoice_issue(invoice=invoice, by=owner).status == Status.ISSUED


def test_approving_a_draft_names_both_states(draft_invoice, approver):
    with pytest.raises(Conflict) as error:
        invoice_approve(invoice=draft_invoice, by=approver)
    assert "Brouillon" in error.value.message or "Draft" in error.value.message
    assert error.value.extra == {"current_status": "draft", "requested_status": "approved"}


def test_accountant_cannot_approve_and_outsider_cannot_issue(
    draft_invoice, colleague, outsider, owner, entity
):
    entity.requires_approval = True
    entity.save()
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    with pytest.raises(PermissionDenied):
        invoice_approve(invoice=invoice, by=colleague)
    with pytest.raises(PermissionDenied):
        invoice_issue(invoice=invoice, by=outsider)


def test_quote_converts_to_order_then_invoice_keeping_links(entity, customer, product, owner):
    quote = document_create(entity=entity, kind="quote", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal("2"))])  # fmt: skip
    assert quote.number.startswith("DEV-")
    order = document_convert(document=quote, to_kind="order", by=owner)
    invoice = document_convert(document=order, to_kind="invoice", by=owner)
    quote.refresh_from_db()
    order.refresh_from_db()
    assert quote.status == Status.CONVERTED
    assert order.status == Status.CONVERTED
    assert order.source == quote
    assert invoice.source == order
    assert order.number.startswith("CMD-")
    assert invoice.tax_inclusive == quote.tax_inclusive == Decimal("2040.00")
    with pytest.raises(Conflict):
        document_convert(document=quote, to_kind="order", by=owner)


def test_full_credit_note_cancels_the_invoice(draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    credit_note = credit_note_create(invoice=invoice, by=owner)
    assert credit_note.type_code == TypeCode.CREDIT_NOTE
    assert credit_note.preceding_invoice == invoice
    credit_note = invoice_issue(invoice=credit_note, by=owner)
    assert credit_note.number.startswith("AV-")
    invoice.refresh_from_db()
    assert invoice.status == Status.CANCELLED


def test_full_credit_note_mirrors_allowances_and_charges(entity, customer, product, owner):
    # given an issued invoice with a 5 % allowance and a delivery charge
    invoice = document_create(
        entity=entity, kind="invoice", customer=customer, by=owner,
        lines=[LineData(product=product, quantity=Decimal("2"))],
        allowances_charges=[
            AllowanceChargeData(reason="Remise fidélité", percent=Decimal("5")),
            AllowanceChargeData(reason="Livraison", is_charge=True, amount=Decimal("35.00")),
        ],
    )  # fmt: skip
    invoice = invoice_issue(invoice=invoice, by=owner)
    # when it is credited in full
    credit_note = invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner), by=owner)
    # then the credit note repeats the allowance and the charge, equals the invoice and cancels it
    assert credit_note.allowance_total == invoice.allowance_total > 0
    assert credit_note.charge_total == invoice.charge_total == Decimal("35.00")
    assert credit_note.tax_inclusive == invoice.tax_inclusive
    assert credit_note.note == f"Avoir sur facture {invoice.number}"
    invoice.refresh_from_db()
    assert invoice.status == Status.CANCELLED


def test_partial_credit_note_leaves_invoice_open_and_cannot_exceed_it(draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    partial = credit_note_create(invoice=invoice, by=owner, lines=[
        LineData(description="Geste commercial", quantity=Decimal("1"), unit_price=Decimal("100"))])  # fmt: skip
    invoice_issue(invoice=partial, by=owner)
    invoice.refresh_from_db()
    assert invoice.status == Status.ISSUED
    with pytest.raises(ValidationFailed) as error:
        credit_note_create(invoice=invoice, by=owner)
    assert error.value.code == "credit_exceeds_invoice"


def test_final_invoice_deducts_issued_deposit(entity, customer, owner):
    deposit = document_create(entity=entity, kind="invoice", type_code=TypeCode.DEPOSIT, customer=customer, by=owner,
                              lines=[LineData(description="Acompte 30 %", unit_price=Decimal("300"))])  # fmt: skip
    deposit = invoice_issue(invoice=deposit, by=owner)
    final = document_create(entity=entity, kind="invoice", customer=customer, by=owner, deposits=[deposit],
                            lines=[LineData(description="Prestation", unit_price=Decimal("1000"))])  # fmt: skip
    assert final.prepaid == Decimal("360.00")
    assert final.payable == Decimal("840.00")


def test_foreign_currency_invoice_needs_rate_and_reports_vat_in_euros(entity, customer, owner):
    with pytest.raises(ValidationFailed) as error:
        document_create(entity=entity, kind="invoice", customer=customer, by=owner, currency="USD",
                        lines=[LineData(description="Service", unit_price=Decimal("100"))])  # fmt: skip
    assert error.value.field == "exchange_rate"
    invoice = document_create(entity=entity, kind="invoice", customer=customer, by=owner, currency="USD",
                              exchange_rate=Decimal("0.9"),
                              lines=[LineData(description="Service", unit_price=Decimal("100"))])  # fmt: skip
    assert invoice.tax_total == Decimal("20.00")
    assert invoice.tax_total_accounting == Decimal("18.00")


def test_editing_a_draft_recomputes_totals(draft_invoice, owner):
    invoice = document_update(document=draft_invoice, by=owner,
                              lines=[LineData(description="Unique", unit_price=Decimal("10"), quantity=Decimal("2"))])  # fmt: skip
    assert invoice.tax_inclusive == Decimal("24.00")
    assert invoice.lines.count() == 1
