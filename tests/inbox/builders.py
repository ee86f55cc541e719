"""Small valid e-invoices built from the domain model, so the inbox tests need no shared files."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

from facturier.domain.en16931 import model
from facturier.domain.en16931.codes import GUIDELINE_IDS, Profile
from facturier.domain.formats import CiiFormat, UblFormat

SUPPLIER_SIREN = "404833048"  # a valid SIREN (Luhn)
SUPPLIER_VAT = "FR83404833048"
BUYER_SIREN = "552100554"  # the `entity` fixture's SIREN


def invoice_model(
    *, number: str = "FA-2026-0042", siren: str = SUPPLIER_SIREN, seller: str = "Fournitures Durand SA",
    profile: Profile = Profile.EN16931, buyer_siren: str = BUYER_SIREN,
) -> model.Invoice:  # fmt: skip
    return model.Invoice(
        number=number,
        issue_date=date(2026, 9, 1),
        due_date=date(2026, 10, 1),
        type_code="380",
        currency_code="EUR",
        business_process_type="S1",
        notes=(
            model.Note(text="Indemnité forfaitaire pour frais de recouvrement : 40 EUR", subject_code="PMT"),
            model.Note(text="Pénalités de retard : 3 fois le taux d'intérêt légal", subject_code="PMD"),
            model.Note(text="Pas d'escompte pour paiement anticipé", subject_code="AAB"),
        ),
        specification_identifier=GUIDELINE_IDS[profile],
        seller=model.Seller(
            name=seller,
            legal_registration_id=model.Identifier(value=siren, scheme_id="0002"),
            vat_id="FR" + f"{(12 + 3 * (int(siren) % 97)) % 97:02d}" + siren,
            electronic_address=model.Identifier(value=siren, scheme_id="0225"),
            address=model.PostalAddress(
                line_one="1 rue du Port", city="Nantes", post_code="44000", country_code="FR"
            ),
        ),
        buyer=model.Buyer(
            name="Atelier Dupont SAS",
            legal_registration_id=model.Identifier(value=buyer_siren, scheme_id="0002"),
            electronic_address=model.Identifier(value=buyer_siren, scheme_id="0225"),
            address=model.PostalAddress(city="Paris", post_code="75002", country_code="FR"),
        ),
        totals=model.DocumentTotals(
            line_net_total=Decimal("100.00"),
            tax_exclusive_total=Decimal("100.00"),
            tax_total=Decimal("20.00"),
            tax_inclusive_total=Decimal("120.00"),
            amount_due=Decimal("120.00"),
        ),
        vat_breakdowns=(
            model.VatBreakdown(
                taxable_amount=Decimal("100.00"),
                tax_amount=Decimal("20.00"),
                category_code="S",
                rate=Decimal("20"),
            ),
        ),
        lines=(
            model.InvoiceLine(
                id="1",
                quantity=Decimal("10"),
                unit_code="C62",
                net_amount=Decimal("100.00"),
                price=model.PriceDetails(net_price=Decimal("10.00")),
                vat_category_code="S",
                vat_rate=Decimal("20"),
                item=model.Item(name="Ramette de papier"),
            ),
        ),
    )


def cii_bytes(**kwargs: object) -> bytes:
    return CiiFormat().serialize(invoice_model(**kwargs))  # type: ignore[arg-type]


def ubl_bytes(**kwargs: object) -> bytes:
    return UblFormat().serialize(invoice_model(**kwargs))  # type: ignore[arg-type]


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 9, 1, 0, 0, 0)), data, compress_type=compression
            )
    return buffer.getvalue()


XMP = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
<fx:DocumentType>INVOICE</fx:DocumentType><fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>
<fx:Version>1.0</fx:Version><fx:ConformanceLevel>{level}</fx:ConformanceLevel>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def pdf_with_attachments(attachments: dict[str, bytes], *, conformance_level: str | None = None) -> bytes:
    """A one-page PDF embedding the given files (pikepdf), like a Factur-X invoice, optionally with
    an XMP packet declaring a Factur-X conformance level."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    if conformance_level is not None:
        metadata = pdf.make_stream(XMP.format(level=conformance_level).encode())
        metadata.Type, metadata.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        pdf.Root.Metadata = metadata
    for name, data in attachments.items():
        spec = pikepdf.AttachedFileSpec(
            pdf,
            data,
            filename=name,
            mime_type="text/xml" if name.endswith(".xml") else "application/octet-stream",
        )
        pdf.attachments[name] = spec
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()
