"""The EN 16931 mapping of our invoices: what an issued invoice says in the e-invoice model."""

from decimal import Decimal

from facturier.invoicing.services import invoice_issue
from facturier.invoicing.to_en16931 import document_to_en16931


def test_issued_invoice_maps_numbers_parties_and_french_mentions(draft_invoice, owner):
    # given an issued domestic invoice of services
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # when it is mapped to the EN 16931 model
    model = document_to_en16931(invoice)
    # then the number, type, parties and BR-FR notes are there
    assert model.number == invoice.number
    assert model.type_code == "380"
    assert model.business_process_type == "S1"
    assert model.seller.legal_registration_id.value == "552100554"
    assert model.buyer.legal_registration_id.value == "443061841"
    assert model.buyer.electronic_address.scheme_id == "0225"
    assert {note.subject_code for note in model.notes} >= {"PMT", "PMD", "AAB", "BAR"}
    assert model.payment_instructions.means_code == "58"
    assert model.payment_instructions.credit_transfers[0].account_id == "FR7630006000011234567890189"
    assert model.totals.amount_due == invoice.payable
    assert [line.net_amount for line in model.lines] == [Decimal("2550.00"), Decimal("120.50")]
