"""Receiving e-invoices: each file becomes one inbox row with its original, header and report."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from facturier.audit.models import AuditEvent
from facturier.common.errors import PermissionDenied
from facturier.inbox.errors import InboxImportError
from facturier.inbox.models import ReceivedFormat, ReceivedInvoice, ReceivedStatus, ValidationOutcome
from facturier.inbox.services import einvoice_import, received_invoice_decide
from facturier.parties.models import Supplier
from tests.conftest import make_entity
from tests.inbox.builders import SUPPLIER_SIREN, SUPPLIER_VAT, cii_bytes, pdf_with_attachments, ubl_bytes


def test_a_cii_invoice_becomes_an_inbox_row_with_its_original_kept_byte_for_byte(entity, owner):
    # given a CII invoice from a new supplier
    content = cii_bytes()
    # when it is imported
    result = einvoice_import(entity=entity, by=owner, filename="FA-42.xml", content=content)
    # then one row holds the header read from it and the exact original bytes
    (item,) = result.items
    received = item.record
    assert item.created
    assert received is not None
    assert received.format == ReceivedFormat.CII
    assert received.profile == "EN16931"
    assert received.number == "FA-2026-0042"
    assert (received.tax_exclusive, received.tax_total, received.tax_inclusive) == (
        Decimal("100.00"), Decimal("20.00"), Decimal("120.00"),
    )  # fmt: skip
    assert received.currency == "EUR"
    assert str(received.due_date) == "2026-10-01"
    assert received.sha256 == hashlib.sha256(content).hexdigest()
    with received.original.open("rb") as handle:
        assert handle.read() == content
    assert AuditEvent.objects.filter(object_id=str(received.pk), action="inbox.received").exists()


def test_the_supplier_is_created_from_the_seller_then_matched_by_siren(entity, owner):
    # given a first invoice from a supplier
    first = einvoice_import(
        entity=entity, by=owner, filename="a.xml", content=cii_bytes(number="A-1")
    ).records[0]
    # when a second invoice of the same SIREN arrives in UBL under another trading name
    second = einvoice_import(
        entity=entity, by=owner, filename="b.xml", content=ubl_bytes(number="A-2", seller="Durand")
    ).records[0]
    # then both point to one supplier carrying SIREN and VAT number
    supplier = Supplier.objects.for_entity(entity).get()
    assert first.supplier == second.supplier == supplier
    assert (supplier.siren, supplier.vat_number, supplier.city) == (SUPPLIER_SIREN, SUPPLIER_VAT, "Nantes")


def test_reimporting_the_same_file_creates_nothing_and_returns_the_existing_row(entity, owner):
    # given an imported file
    content = cii_bytes()
    first = einvoice_import(entity=entity, by=owner, filename="x.xml", content=content).items[0]
    rows, events = ReceivedInvoice.objects.count(), AuditEvent.objects.count()
    # when the same bytes are imported again
    again = einvoice_import(entity=entity, by=owner, filename="renamed.xml", content=content).items[0]
    # then the existing row comes back, flagged as a duplicate file, and nothing was written
    assert again.record == first.record
    assert not again.created
    assert again.duplicate_file
    assert (ReceivedInvoice.objects.count(), AuditEvent.objects.count()) == (rows, events)


def test_another_file_with_the_same_supplier_and_number_is_kept_as_a_duplicate(entity, owner):
    # given an invoice received as CII
    original = einvoice_import(entity=entity, by=owner, filename="x.xml", content=cii_bytes()).records[0]
    # when the same invoice arrives again as UBL (other bytes, same supplier and number)
    copy = einvoice_import(entity=entity, by=owner, filename="x-ubl.xml", content=ubl_bytes()).records[0]
    # then the copy is stored, marked duplicate and linked to the original
    assert copy.pk != original.pk
    assert copy.status == ReceivedStatus.DUPLICATE
    assert copy.duplicate_of == original
    assert original.status != ReceivedStatus.DUPLICATE


def test_the_same_number_from_another_supplier_is_not_a_duplicate(entity, owner):
    # given an invoice FA-2026-0042 from one supplier
    einvoice_import(entity=entity, by=owner, filename="x.xml", content=cii_bytes())
    # when another supplier sends its own FA-2026-0042
    other = einvoice_import(
        entity=entity, by=owner, filename="y.xml", content=cii_bytes(siren="732829320", seller="Autre SA")
    ).records[0]
    # then it is a distinct invoice
    assert other.status != ReceivedStatus.DUPLICATE
    assert other.duplicate_of is None
    assert Supplier.objects.for_entity(entity).count() == 2


def test_missing_validation_artefacts_give_a_report_that_says_so_and_keep_the_file(entity, owner):
    # given no installed conformance data (the fixture's default)
    # when an invoice is imported
    received = einvoice_import(entity=entity, by=owner, filename="x.xml", content=cii_bytes()).records[0]
    # then it is stored but not passed: the report says validation could not run, and it needs review
    assert received.validation == ValidationOutcome.NOT_RUN
    assert received.status == ReceivedStatus.NEEDS_REVIEW
    assert received.findings[0]["rule_id"] == "VALIDATION-NOT-RUN"
    assert "could not run" in received.findings[0]["message"]
    assert received.validation_report["is_valid"] is False


def test_a_factur_x_pdf_is_stored_whole_with_its_extracted_xml(entity, owner):
    # given a PDF embedding factur-x.xml and a picture
    xml = cii_bytes()
    pdf = pdf_with_attachments({"factur-x.xml": xml, "logo.png": b"\x89PNG fake"})
    # when it is imported
    received = einvoice_import(entity=entity, by=owner, filename="FA-42.pdf", content=pdf).records[0]
    # then the PDF is the original, and the XML read from it is kept beside it
    assert received.format == ReceivedFormat.FACTURX_PDF
    with received.original.open("rb") as handle:
        assert handle.read() == pdf
    with received.xml.open("rb") as handle:
        assert handle.read() == xml


def test_an_invoice_addressed_to_another_company_needs_review(entity, owner, conformance):
    # given an invoice whose buyer SIREN is not ours
    content = cii_bytes(buyer_siren="732829320")
    # when it is imported
    received = einvoice_import(entity=entity, by=owner, filename="x.xml", content=content).records[0]
    # then a finding names the buyer and the invoice waits for review
    assert any(f["rule_id"] == "INBOX-BUYER" for f in received.findings)
    assert received.status == ReceivedStatus.NEEDS_REVIEW


def test_a_minimum_profile_is_not_accepted_as_an_invoice(entity, owner):
    # given a Factur-X MINIMUM document
    from facturier.domain.en16931.codes import Profile

    content = cii_bytes(profile=Profile.MINIMUM)
    # when it is imported
    received = einvoice_import(entity=entity, by=owner, filename="min.xml", content=content).records[0]
    # then an error-level finding explains why it needs review
    finding = next(f for f in received.findings if f["rule_id"] == "INBOX-PROFILE")
    assert finding["severity"] == "error"
    assert "MINIMUM" in finding["message"]
    assert received.status == ReceivedStatus.NEEDS_REVIEW


def test_an_auditor_cannot_import_and_an_outsider_entity_sees_nothing(entity, owner, outsider):
    # given an invoice imported into our entity
    einvoice_import(entity=entity, by=owner, filename="x.xml", content=cii_bytes())
    other = make_entity(name="Tierce SARL", siren="443061841")
    # when a user of another entity tries to import into ours
    with pytest.raises(PermissionDenied):
        einvoice_import(entity=entity, by=outsider, filename="y.xml", content=ubl_bytes(number="Z"))
    # then the other entity's inbox is empty
    assert not ReceivedInvoice.objects.for_entity(other).exists()
    assert not ReceivedInvoice.objects.for_user(outsider).exists()


def test_an_accepted_invoice_cannot_be_rejected_and_a_rejection_needs_a_reason(entity, owner):
    # given a received invoice
    received = einvoice_import(entity=entity, by=owner, filename="x.xml", content=cii_bytes()).records[0]
    # when it is rejected without a reason, then it is refused
    with pytest.raises(InboxImportError):
        received_invoice_decide(received=received, by=owner, accept=False)
    # when it is accepted
    accepted = received_invoice_decide(received=received, by=owner, accept=True)
    # then it is accepted, audited, and no second decision is possible
    assert accepted.status == ReceivedStatus.ACCEPTED
    assert accepted.decided_at is not None
    assert AuditEvent.objects.filter(object_id=str(received.pk), action="inbox.accepted").exists()
    from facturier.common.errors import Conflict

    with pytest.raises(Conflict):
        received_invoice_decide(received=accepted, by=owner, accept=False, reason="late")


def test_a_pdf_declaring_another_profile_than_its_xml_needs_review(entity, owner):
    # given a PDF whose XMP says BASIC while its XML is EN 16931
    pdf = pdf_with_attachments({"factur-x.xml": cii_bytes()}, conformance_level="BASIC")
    # when it is imported
    received = einvoice_import(entity=entity, by=owner, filename="x.pdf", content=pdf).records[0]
    # then the mismatch is reported and the invoice waits for review
    finding = next(f for f in received.findings if f["rule_id"] == "INBOX-PDF-PROFILE")
    assert "BASIC" in finding["message"]
    assert "EN16931" in finding["message"]
    assert received.status == ReceivedStatus.NEEDS_REVIEW


def test_a_pdf_declaring_its_real_profile_raises_no_profile_finding(entity, owner):
    pdf = pdf_with_attachments({"factur-x.xml": cii_bytes()}, conformance_level="EN 16931")
    received = einvoice_import(entity=entity, by=owner, filename="x.pdf", content=pdf).records[0]
    assert not [f for f in received.findings if f["rule_id"].startswith("INBOX-PDF")]
