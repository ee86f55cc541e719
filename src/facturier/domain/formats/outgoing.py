"""The XML we issue from the EN 16931 model: the syntax-specific adjustments made on the way out.

Pure: no Django. ``invoice_xml`` is what issuing serializes (and validates, and stores): CII with the
Factur-X profile (BT-8 written in CII's code list), UBL, or UBL in the PEPPOL BIS 3 customization.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from facturier.domain.en16931 import model as m
from facturier.domain.en16931.codes import PEPPOL_PROFILE_ID, profile_for_guideline
from facturier.domain.formats.cii import serialize_cii
from facturier.domain.formats.ubl import serialize_ubl

__all__ = [
    "DEFAULT_FACTURX_PROFILE",
    "TAX_POINT_CII",
    "Syntax",
    "declared_profile",
    "facturx_profile",
    "for_peppol",
    "invoice_xml",
    "peppol_recipient",
]

Syntax = Literal["cii", "ubl"]

# BT-8 is written as UNTDID 2005 in UBL and as UNTDID 2475 in CII.
TAX_POINT_CII = {"3": "5", "35": "29", "432": "72"}


DEFAULT_FACTURX_PROFILE = "EN16931"


def facturx_profile(chosen: str | None) -> str:
    """The Factur-X profile an entity issues in: the one it chose (EXTENDED...), else EN 16931."""
    return (chosen or DEFAULT_FACTURX_PROFILE).upper()


def declared_profile(invoice: m.Invoice) -> str:
    """The profile an invoice's BT-24 declares (what a parsed CII was written in), EN 16931 if unknown."""
    profile = profile_for_guideline(invoice.specification_identifier)
    return DEFAULT_FACTURX_PROFILE if profile is None else profile.value


# EN 16931 allows an email as electronic address (scheme EM); PEPPOL's EAS list does not (CL008).
_NOT_PEPPOL_SCHEMES = frozenset({"EM", ""})


def _peppol_buyer_address(buyer: m.Buyer) -> m.Identifier | None:
    """BT-49 on PEPPOL: the buyer's address if PEPPOL routes on it, else its legal registration
    (an ISO 6523 scheme such as 0183 for a Swiss UID is a PEPPOL participant scheme), else none."""
    address = buyer.electronic_address
    if address is not None and (address.scheme_id or "") not in _NOT_PEPPOL_SCHEMES:
        return address
    registration = buyer.legal_registration_id
    if registration is not None and (registration.scheme_id or "").isdigit():
        return m.Identifier(value=registration.value, scheme_id=registration.scheme_id)
    return None


def peppol_recipient(invoice: m.Invoice) -> m.Identifier | None:
    """The buyer's PEPPOL participant identifier, or None when the buyer cannot be reached on PEPPOL
    (a consumer or a business known only by its email): no PEPPOL invoice can be addressed to it."""
    return _peppol_buyer_address(invoice.buyer)


def for_peppol(invoice: m.Invoice) -> m.Invoice:
    """PEPPOL BIS 3 allows one note (R002), needs a buyer or order reference (R003), an EAS-listed
    buyer address (CL008) and keeps 384 for German parties (P0112): a corrective invoice is a 380
    that references the corrected one."""
    note = (
        m.Note(text=" | ".join(n.text for n in invoice.notes if n.subject_code != "BAR"))
        if invoice.notes
        else None
    )
    reference = invoice.buyer_reference or (None if invoice.purchase_order_reference else invoice.number)
    return replace(
        invoice,
        business_process_type=PEPPOL_PROFILE_ID,
        notes=(note,) if note else (),
        buyer_reference=reference,
        type_code="380" if invoice.type_code == "384" else invoice.type_code,
        buyer=replace(invoice.buyer, electronic_address=_peppol_buyer_address(invoice.buyer)),
    )


def invoice_xml(invoice: m.Invoice, *, syntax: Syntax, profile: str | None = None) -> bytes:
    """Serialize a mapped invoice. UBL ``profile="PEPPOL"`` writes the PEPPOL BIS customization."""
    if syntax == "cii":
        code = invoice.tax_point_date_code
        if code in TAX_POINT_CII:
            invoice = replace(invoice, tax_point_date_code=TAX_POINT_CII[code])
        return serialize_cii(invoice, profile=profile or "EN16931")
    if syntax != "ubl":
        raise ValueError(f"unknown syntax {syntax!r}: use 'cii' or 'ubl'")
    if (profile or "").upper() == "PEPPOL":
        return serialize_ubl(for_peppol(invoice), profile="PEPPOL")
    return serialize_ubl(invoice, profile="EN16931")
