"""The XML we issue, from the model alone: CII's tax-point code list and the PEPPOL customization."""

from __future__ import annotations

from dataclasses import replace

from facturier.domain.en16931 import model as m
from facturier.domain.en16931.codes import PEPPOL_PROFILE_ID
from facturier.domain.formats.cii import parse_cii
from facturier.domain.formats.outgoing import for_peppol, invoice_xml, peppol_recipient
from facturier.domain.formats.ubl import parse_ubl
from tests.domain.formats.test_profiles import _sample


def test_the_tax_point_code_is_written_in_ciis_code_list_and_kept_in_ubls():
    # given an invoice whose VAT is due on the invoice date (UNTDID 2005 code 3)
    invoice = replace(parse_cii(_sample()), tax_point_date_code="3")
    # then CII writes UNTDID 2475 code 5, UBL keeps 3
    assert parse_cii(invoice_xml(invoice, syntax="cii")).tax_point_date_code == "5"
    assert parse_ubl(invoice_xml(invoice, syntax="ubl")).tax_point_date_code == "3"


def test_peppol_keeps_one_note_a_buyer_reference_and_a_routable_buyer_address():
    invoice = parse_cii(_sample())
    invoice = replace(
        invoice,
        notes=(m.Note(text="first"), m.Note(text="second")),
        buyer_reference=None,
        purchase_order_reference=None,
        buyer=replace(invoice.buyer, electronic_address=m.Identifier(value="a@b.fr", scheme_id="EM"),
                      legal_registration_id=m.Identifier(value="443061841", scheme_id="0002")),
    )  # fmt: skip
    peppol = for_peppol(invoice)
    assert peppol.business_process_type == PEPPOL_PROFILE_ID
    assert [note.text for note in peppol.notes] == ["first | second"]
    assert peppol.buyer_reference == invoice.number
    assert peppol_recipient(invoice) == m.Identifier(value="443061841", scheme_id="0002")
    assert (
        parse_ubl(invoice_xml(invoice, syntax="ubl", profile="PEPPOL")).business_process_type
        == PEPPOL_PROFILE_ID
    )
