"""CII trade parties, addresses, contacts and dates -> model values."""

from __future__ import annotations

from datetime import date

from facturier.domain.en16931.model import Buyer, Contact, Identifier, Payee, PostalAddress, Seller
from facturier.domain.formats.cii.namespaces import FISCAL_SCHEME, VAT_SCHEME
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.lexical import date_from_102
from facturier.domain.formats.xml_reader import Node

_DATE_STRINGS = ("udt:DateTimeString", "udt:DateString", "qdt:DateTimeString", "qdt:DateString")


def cii_date(wrapper: Node | None, term: str) -> date | None:
    """A date held in a udt/qdt DateTimeString (format 102) below ``wrapper``."""
    if wrapper is None:
        return None
    for tag in _DATE_STRINGS:
        found = wrapper.find(tag)
        if found is not None:
            text = found.own_text()
            if text is None:
                raise InvoiceParseError(f"{term}: empty date")
            return date_from_102(text, term=term, format_code=found.attr("format"))
    raise InvoiceParseError(f"{term}: no DateTimeString in {wrapper.local_name}")


def identifier(node: Node | None, scheme_attribute: str = "schemeID") -> Identifier | None:
    if node is None or node.own_text() is None:
        return None
    return Identifier(value=node.own_text() or "", scheme_id=node.attr(scheme_attribute))


def read_identifiers(party: Node) -> tuple[Identifier, ...]:
    found = [identifier(node) for node in (*party.findall("ram:ID"), *party.findall("ram:GlobalID"))]
    return tuple(item for item in found if item is not None)


def read_address(parent: Node, term: str) -> PostalAddress | None:
    address = parent.find("ram:PostalTradeAddress")
    if address is None:
        return None
    return PostalAddress(
        line_one=address.text("ram:LineOne"),
        line_two=address.text("ram:LineTwo"),
        line_three=address.text("ram:LineThree"),
        city=address.text("ram:CityName"),
        post_code=address.text("ram:PostcodeCode"),
        country_subdivision=address.text("ram:CountrySubDivisionName"),
        country_code=address.required_text("ram:CountryID", f"{term} country code"),
    )


def read_contact(party: Node) -> Contact | None:
    contact = party.find("ram:DefinedTradeContact")
    if contact is None:
        return None
    return Contact(
        name=contact.text("ram:PersonName") or contact.text("ram:DepartmentName"),
        telephone=contact.text("ram:TelephoneUniversalCommunication/ram:CompleteNumber"),
        email=contact.text("ram:EmailURIUniversalCommunication/ram:URIID"),
    )


def _tax_registration(party: Node, scheme: str) -> str | None:
    for registration in party.findall("ram:SpecifiedTaxRegistration/ram:ID"):
        if registration.attr("schemeID") == scheme:
            return registration.own_text()
    return None


def read_seller(party: Node) -> Seller:
    return Seller(
        name=party.required_text("ram:Name", "BT-27 Seller name"),
        trading_name=party.text("ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        identifiers=read_identifiers(party),
        legal_registration_id=identifier(party.find("ram:SpecifiedLegalOrganization/ram:ID")),
        vat_id=_tax_registration(party, VAT_SCHEME),
        tax_registration_id=_tax_registration(party, FISCAL_SCHEME),
        legal_form=party.text("ram:Description"),
        electronic_address=identifier(party.find("ram:URIUniversalCommunication/ram:URIID")),
        address=read_address(party, "BG-5 Seller"),
        contact=read_contact(party),
    )


def read_buyer(party: Node) -> Buyer:
    return Buyer(
        name=party.required_text("ram:Name", "BT-44 Buyer name"),
        trading_name=party.text("ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        identifiers=read_identifiers(party),
        legal_registration_id=identifier(party.find("ram:SpecifiedLegalOrganization/ram:ID")),
        vat_id=_tax_registration(party, VAT_SCHEME),
        electronic_address=identifier(party.find("ram:URIUniversalCommunication/ram:URIID")),
        address=read_address(party, "BG-8 Buyer"),
        contact=read_contact(party),
    )


def read_payee(party: Node) -> Payee:
    return Payee(
        name=party.required_text("ram:Name", "BT-59 Payee name"),
        identifiers=read_identifiers(party),
        legal_registration_id=identifier(party.find("ram:SpecifiedLegalOrganization/ram:ID")),
    )


def vat_registration(party: Node) -> str | None:
    return _tax_registration(party, VAT_SCHEME)
