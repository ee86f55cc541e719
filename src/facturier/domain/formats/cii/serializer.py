"""EN 16931 model -> UN/CEFACT CII D16B XML (Factur-X / ZUGFeRD / XRechnung CII)."""

from __future__ import annotations

from dataclasses import replace

from lxml import etree

from facturier.domain.en16931.codes import Profile
from facturier.domain.en16931.model import Invoice
from facturier.domain.formats.cii.namespaces import NAMESPACES
from facturier.domain.formats.cii.profile_paths import PROFILE_PATHS
from facturier.domain.formats.cii.write_header import (
    write_agreement,
    write_context,
    write_delivery,
    write_document,
)
from facturier.domain.formats.cii.write_lines import write_line
from facturier.domain.formats.cii.write_settlement import write_settlement
from facturier.domain.formats.profiles import AUTO, resolve_profile
from facturier.domain.formats.xml_writer import ElementWriter, to_bytes

W = ElementWriter(NAMESPACES)
_NOT_CII = {Profile.PEPPOL_BIS_3}


def build_cii_tree(invoice: Invoice) -> etree._Element:
    """The complete EN 16931 CII tree, elements in D16B XSD order."""
    root = W.root("rsm:CrossIndustryInvoice")
    write_context(root, invoice)
    write_document(root, invoice)
    transaction = W.child(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        write_line(transaction, line)
    write_agreement(transaction, invoice)
    write_delivery(transaction, invoice)
    write_settlement(transaction, invoice)
    return root


def prune_to_profile(root: etree._Element, allowed: frozenset[str]) -> None:
    """Remove every element whose path the profile's XSD does not declare."""

    def visit(element: etree._Element, prefix: str) -> None:
        for child in list(element):
            path = f"{prefix}/{etree.QName(child).localname}" if prefix else etree.QName(child).localname
            if path in allowed:
                visit(child, path)
            else:
                element.remove(child)

    visit(root, "")


def serialize_cii(invoice: Invoice, *, profile: str = AUTO) -> bytes:
    """Serialize to CII. ``profile``: AUTO (from BT-24), a Factur-X profile name or its URN."""
    chosen, guideline = resolve_profile(profile, invoice.specification_identifier)
    if chosen in _NOT_CII:
        raise ValueError(f"profile {profile!r} is a UBL profile, not a CII one")
    root = build_cii_tree(replace(invoice, specification_identifier=guideline))
    allowed = PROFILE_PATHS.get(chosen.value) if chosen is not None else None
    if allowed is not None:
        prune_to_profile(root, allowed)
    return to_bytes(root)
