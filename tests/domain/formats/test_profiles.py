"""Serializing for a profile writes that profile's BT-24 and only the elements its XSD allows."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from facturier.domain.en16931.codes import GUIDELINE_IDS, PEPPOL_PROFILE_ID, Profile
from facturier.domain.formats import CiiFormat, InvoiceFormat, UblFormat
from facturier.domain.formats.cii import parse_cii
from tests.domain.formats.golden import CONFORMANCE, SKIP_REASON

EN16931_SAMPLE = (
    "facturx/samples/EN16931/Facture_F20220023-LE_FOURNISSEUR-POUR-LE_CLIENT_EN_16931.factur-x.xml"
)
FACTURX_PROFILES = ["MINIMUM", "BASICWL", "BASIC", "EN16931", "EXTENDED"]


def _sample() -> bytes:
    path = CONFORMANCE / EN16931_SAMPLE
    if not path.is_file():
        pytest.skip(SKIP_REASON)
    return path.read_bytes()


def _facturx_schema(profile: str) -> etree.XMLSchema:
    path: Path = CONFORMANCE / "facturx" / profile / "1xsd" / f"Factur-X_{profile}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.mark.parametrize("profile", FACTURX_PROFILES)
def test_an_en16931_invoice_written_for_a_lower_profile_is_valid_against_that_profile_xsd(
    profile: str,
) -> None:
    # given a full EN 16931 invoice
    invoice = parse_cii(_sample())
    # when it is written for a Factur-X profile
    xml = CiiFormat().serialize(invoice, profile=profile)
    # then the output passes that profile's XSD and declares the profile in BT-24
    schema = _facturx_schema(profile)
    assert schema.validate(etree.fromstring(xml)), schema.error_log.last_error
    assert parse_cii(xml).specification_identifier == GUIDELINE_IDS[Profile(profile)]


def test_minimum_profile_drops_lines_but_keeps_the_totals() -> None:
    # given an invoice with lines
    invoice = parse_cii(_sample())
    assert invoice.lines
    # when written as MINIMUM
    minimum = parse_cii(CiiFormat().serialize(invoice, profile="MINIMUM"))
    # then lines are gone (MINIMUM has none) and the amounts survive
    assert minimum.lines == ()
    assert minimum.totals.amount_due == invoice.totals.amount_due
    assert minimum.number == invoice.number


def test_peppol_profile_sets_customization_and_profile_ids() -> None:
    # given an invoice
    invoice = parse_cii(_sample())
    # when written as PEPPOL BIS Billing 3.0 UBL
    ubl: InvoiceFormat = UblFormat()
    result = ubl.parse(ubl.serialize(invoice, profile="PEPPOL"))
    # then BT-24 and BT-23 carry the PEPPOL identifiers
    assert result.specification_identifier == GUIDELINE_IDS[Profile.PEPPOL_BIS_3]
    assert result.business_process_type == PEPPOL_PROFILE_ID


def test_a_cii_invoice_converted_to_ubl_keeps_its_business_content() -> None:
    # given a Factur-X EN 16931 invoice
    invoice = parse_cii(_sample())
    # when converted to UBL and read back
    converted = UblFormat().parse(UblFormat().serialize(invoice))
    # then parties, totals, VAT and lines are unchanged
    assert converted.seller == invoice.seller
    assert converted.buyer == invoice.buyer
    assert converted.totals == invoice.totals
    assert converted.vat_breakdowns == invoice.vat_breakdowns
    assert converted.lines == invoice.lines


@pytest.mark.parametrize(
    ("fmt", "profile"), [(CiiFormat(), "PEPPOL"), (UblFormat(), "BASIC"), (CiiFormat(), "nope")]
)
def test_a_profile_foreign_to_the_syntax_is_refused(fmt: InvoiceFormat, profile: str) -> None:
    # given an invoice
    invoice = parse_cii(_sample())
    # then asking a syntax for a profile it cannot carry is an error
    with pytest.raises(ValueError, match="profile"):
        fmt.serialize(invoice, profile=profile)
