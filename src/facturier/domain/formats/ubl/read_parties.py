"""UBL cac:Party and addresses -> model parties (BT-90 SEPA ids are split off the party ids)."""

from __future__ import annotations

from facturier.domain.en16931.model import (
    Buyer,
    Contact,
    Identifier,
    Payee,
    PostalAddress,
    Seller,
    TaxRepresentative,
)
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.ubl.namespaces import SEPA_SCHEME, VAT
from facturier.domain.formats.xml_reader import Node


def identifier(node: Node | None) -> Identifier | None:
    if node is None or node.own_text() is None:
        return None
    return Identifier(value=node.own_text() or "", scheme_id=node.attr("schemeID"))


def read_address(parent: Node, tag: str, term: str) -> PostalAddress | None:
    address = parent.find(tag)
    if address is None:
        return None
    return PostalAddress(
        line_one=address.text("cbc:StreetName"),
        line_two=address.text("cbc:AdditionalStreetName"),
        line_three=address.text("cac:AddressLine/cbc:Line"),
        city=address.text("cbc:CityName"),
        post_code=address.text("cbc:PostalZone"),
        country_subdivision=address.text("cbc:CountrySubentity"),
        country_code=address.required_text("cac:Country/cbc:IdentificationCode", f"{term} country code"),
    )


def split_identifiers(party: Node) -> tuple[tuple[Identifier, ...], str | None]:
    """Party identifiers, and the SEPA creditor id (BT-90) when one is among them."""
    identifiers: list[Identifier] = []
    creditor: str | None = None
    for node in party.findall("cac:PartyIdentification/cbc:ID"):
        found = identifier(node)
        if found is None:
            continue
        if found.scheme_id == SEPA_SCHEME and creditor is None:
            creditor = found.value
        else:
            identifiers.append(found)
    return tuple(identifiers), creditor


def _tax_scheme_id(party: Node, *, vat: bool) -> str | None:
    for scheme in party.findall("cac:PartyTaxScheme"):
        if (scheme.text("cac:TaxScheme/cbc:ID") == VAT) == vat:
            return scheme.text("cbc:CompanyID")
    return None


def _contact(party: Node) -> Contact | None:
    contact = party.find("cac:Contact")
    if contact is None:
        return None
    return Contact(
        name=contact.text("cbc:Name"),
        telephone=contact.text("cbc:Telephone"),
        email=contact.text("cbc:ElectronicMail"),
    )


def _party(root: Node, path: str, term: str) -> Node:
    party = root.find(path)
    if party is None:
        raise InvoiceParseError(f"{term} is missing ({path})")
    return party


def read_seller(root: Node) -> tuple[Seller, str | None]:
    party = _party(root, "cac:AccountingSupplierParty/cac:Party", "BG-4 Seller")
    identifiers, creditor = split_identifiers(party)
    seller = Seller(
        name=party.required_text("cac:PartyLegalEntity/cbc:RegistrationName", "BT-27 Seller name"),
        trading_name=party.text("cac:PartyName/cbc:Name"),
        identifiers=identifiers,
        legal_registration_id=identifier(party.find("cac:PartyLegalEntity/cbc:CompanyID")),
        vat_id=_tax_scheme_id(party, vat=True),
        tax_registration_id=_tax_scheme_id(party, vat=False),
        legal_form=party.text("cac:PartyLegalEntity/cbc:CompanyLegalForm"),
        electronic_address=identifier(party.find("cbc:EndpointID")),
        address=read_address(party, "cac:PostalAddress", "BG-5 Seller"),
        contact=_contact(party),
    )
    return seller, creditor


def read_buyer(root: Node) -> Buyer:
    party = _party(root, "cac:AccountingCustomerParty/cac:Party", "BG-7 Buyer")
    return Buyer(
        name=party.required_text("cac:PartyLegalEntity/cbc:RegistrationName", "BT-44 Buyer name"),
        trading_name=party.text("cac:PartyName/cbc:Name"),
        identifiers=tuple(
            found for node in party.findall("cac:PartyIdentification/cbc:ID") if (found := identifier(node))
        ),
        legal_registration_id=identifier(party.find("cac:PartyLegalEntity/cbc:CompanyID")),
        vat_id=_tax_scheme_id(party, vat=True),
        electronic_address=identifier(party.find("cbc:EndpointID")),
        address=read_address(party, "cac:PostalAddress", "BG-8 Buyer"),
        contact=_contact(party),
    )


def read_payee(root: Node) -> tuple[Payee | None, str | None]:
    party = root.find("cac:PayeeParty")
    if party is None:
        return None, None
    identifiers, creditor = split_identifiers(party)
    payee = Payee(
        name=party.required_text("cac:PartyName/cbc:Name", "BT-59 Payee name"),
        identifiers=identifiers,
        legal_registration_id=identifier(party.find("cac:PartyLegalEntity/cbc:CompanyID")),
    )
    return payee, creditor


def read_tax_representative(root: Node) -> TaxRepresentative | None:
    party = root.find("cac:TaxRepresentativeParty")
    if party is None:
        return None
    address = read_address(party, "cac:PostalAddress", "BG-12 Tax representative")
    if address is None:
        raise InvoiceParseError("BG-12 Tax representative postal address is missing")
    return TaxRepresentative(
        name=party.required_text("cac:PartyName/cbc:Name", "BT-62 Tax representative name"),
        vat_id=_tax_scheme_id(party, vat=True) or "",
        address=address,
    )
