"""CII trade parties: seller, buyer, payee, tax representative, ship-to (XSD TradePartyType order)."""

from __future__ import annotations

from lxml import etree

from facturier.domain.en16931.model import Contact, Identifier, PostalAddress
from facturier.domain.formats.cii.namespaces import FISCAL_SCHEME, NAMESPACES, VAT_SCHEME
from facturier.domain.formats.xml_writer import ElementWriter

W = ElementWriter(NAMESPACES)


def write_identifiers(party: etree._Element, identifiers: tuple[Identifier, ...]) -> None:
    """BT-29/BT-46/BT-60/BT-71: ram:ID without scheme, ram:GlobalID with one (all IDs first)."""
    for identifier in identifiers:
        if identifier.scheme_id is None:
            W.child(party, "ram:ID", identifier.value)
    for identifier in identifiers:
        if identifier.scheme_id is not None:
            W.child(party, "ram:GlobalID", identifier.value, {"schemeID": identifier.scheme_id})


def write_legal_organization(
    party: etree._Element, legal_id: Identifier | None, trading_name: str | None
) -> None:
    if legal_id is None and trading_name is None:
        return
    organization = W.child(party, "ram:SpecifiedLegalOrganization")
    if legal_id is not None:
        W.child(organization, "ram:ID", legal_id.value, {"schemeID": legal_id.scheme_id})
    W.optional(organization, "ram:TradingBusinessName", trading_name)


def write_contact(party: etree._Element, contact: Contact | None) -> None:
    if contact is None:
        return
    element = W.child(party, "ram:DefinedTradeContact")
    W.optional(element, "ram:PersonName", contact.name)
    if contact.telephone is not None:
        W.child(
            W.child(element, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", contact.telephone
        )
    if contact.email is not None:
        W.child(W.child(element, "ram:EmailURIUniversalCommunication"), "ram:URIID", contact.email)


def write_address(parent: etree._Element, address: PostalAddress | None) -> None:
    if address is None:
        return
    element = W.child(parent, "ram:PostalTradeAddress")
    W.optional(element, "ram:PostcodeCode", address.post_code)
    W.optional(element, "ram:LineOne", address.line_one)
    W.optional(element, "ram:LineTwo", address.line_two)
    W.optional(element, "ram:LineThree", address.line_three)
    W.optional(element, "ram:CityName", address.city)
    W.child(element, "ram:CountryID", address.country_code)
    W.optional(element, "ram:CountrySubDivisionName", address.country_subdivision)


def write_electronic_address(party: etree._Element, address: Identifier | None) -> None:
    if address is None:
        return
    uri = W.child(party, "ram:URIUniversalCommunication")
    W.child(uri, "ram:URIID", address.value, {"schemeID": address.scheme_id})


def write_tax_registrations(party: etree._Element, vat_id: str | None, fiscal_id: str | None = None) -> None:
    if vat_id is not None:
        registration = W.child(party, "ram:SpecifiedTaxRegistration")
        W.child(registration, "ram:ID", vat_id, {"schemeID": VAT_SCHEME})
    if fiscal_id is not None:
        registration = W.child(party, "ram:SpecifiedTaxRegistration")
        W.child(registration, "ram:ID", fiscal_id, {"schemeID": FISCAL_SCHEME})
