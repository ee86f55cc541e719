"""UBL cac:Party for seller, buyer, payee and tax representative (UBL PartyType order)."""

from __future__ import annotations

from lxml import etree

from facturier.domain.en16931.model import Buyer, Contact, Identifier, Invoice, PostalAddress, Seller
from facturier.domain.formats.ubl.namespaces import LOCAL_TAX_SCHEME, NAMESPACES, SEPA_SCHEME, VAT
from facturier.domain.formats.xml_writer import ElementWriter

W = ElementWriter(NAMESPACES)


def write_address(parent: etree._Element, tag: str, address: PostalAddress | None) -> None:
    if address is None:
        return
    element = W.child(parent, tag)
    W.optional(element, "cbc:StreetName", address.line_one)
    W.optional(element, "cbc:AdditionalStreetName", address.line_two)
    W.optional(element, "cbc:CityName", address.city)
    W.optional(element, "cbc:PostalZone", address.post_code)
    W.optional(element, "cbc:CountrySubentity", address.country_subdivision)
    if address.line_three is not None:
        W.child(W.child(element, "cac:AddressLine"), "cbc:Line", address.line_three)
    W.child(W.child(element, "cac:Country"), "cbc:IdentificationCode", address.country_code)


def write_party_identifiers(party: etree._Element, identifiers: tuple[Identifier, ...]) -> None:
    for identifier in identifiers:
        element = W.child(party, "cac:PartyIdentification")
        W.child(element, "cbc:ID", identifier.value, {"schemeID": identifier.scheme_id})


def write_party_name(party: etree._Element, name: str | None) -> None:
    if name is not None:
        W.child(W.child(party, "cac:PartyName"), "cbc:Name", name)


def write_tax_scheme(party: etree._Element, company_id: str | None, scheme: str) -> None:
    if company_id is None:
        return
    element = W.child(party, "cac:PartyTaxScheme")
    W.child(element, "cbc:CompanyID", company_id)
    W.child(W.child(element, "cac:TaxScheme"), "cbc:ID", scheme)


def _write_legal_entity(
    party: etree._Element, name: str | None, legal_id: Identifier | None, legal_form: str | None = None
) -> None:
    if name is None and legal_id is None and legal_form is None:
        return
    entity = W.child(party, "cac:PartyLegalEntity")
    W.optional(entity, "cbc:RegistrationName", name)
    if legal_id is not None:
        W.child(entity, "cbc:CompanyID", legal_id.value, {"schemeID": legal_id.scheme_id})
    W.optional(entity, "cbc:CompanyLegalForm", legal_form)


def _write_contact(party: etree._Element, contact: Contact | None) -> None:
    if contact is None:
        return
    element = W.child(party, "cac:Contact")
    W.optional(element, "cbc:Name", contact.name)
    W.optional(element, "cbc:Telephone", contact.telephone)
    W.optional(element, "cbc:ElectronicMail", contact.email)


def _creditor_identifiers(invoice: Invoice, *, for_payee: bool) -> tuple[Identifier, ...]:
    """BT-90 travels as a SEPA party identifier: on the payee if there is one, else on the seller."""
    payment = invoice.payment_instructions
    creditor = payment.direct_debit.creditor_id if payment and payment.direct_debit else None
    if creditor is None or (invoice.payee is not None) != for_payee:
        return ()
    return (Identifier(value=creditor, scheme_id=SEPA_SCHEME),)


def write_seller(root: etree._Element, invoice: Invoice) -> None:
    seller: Seller = invoice.seller
    party = W.child(W.child(root, "cac:AccountingSupplierParty"), "cac:Party")
    address = seller.electronic_address
    if address is not None:
        W.child(party, "cbc:EndpointID", address.value, {"schemeID": address.scheme_id})
    write_party_identifiers(party, seller.identifiers + _creditor_identifiers(invoice, for_payee=False))
    write_party_name(party, seller.trading_name)
    write_address(party, "cac:PostalAddress", seller.address)
    write_tax_scheme(party, seller.vat_id, VAT)
    write_tax_scheme(party, seller.tax_registration_id, LOCAL_TAX_SCHEME)
    _write_legal_entity(party, seller.name, seller.legal_registration_id, seller.legal_form)
    _write_contact(party, seller.contact)


def write_buyer(root: etree._Element, invoice: Invoice) -> None:
    buyer: Buyer = invoice.buyer
    party = W.child(W.child(root, "cac:AccountingCustomerParty"), "cac:Party")
    address = buyer.electronic_address
    if address is not None:
        W.child(party, "cbc:EndpointID", address.value, {"schemeID": address.scheme_id})
    write_party_identifiers(party, buyer.identifiers)
    write_party_name(party, buyer.trading_name)
    write_address(party, "cac:PostalAddress", buyer.address)
    write_tax_scheme(party, buyer.vat_id, VAT)
    _write_legal_entity(party, buyer.name, buyer.legal_registration_id)
    _write_contact(party, buyer.contact)


def write_payee_and_representative(root: etree._Element, invoice: Invoice) -> None:
    payee = invoice.payee
    if payee is not None:
        party = W.child(root, "cac:PayeeParty")
        write_party_identifiers(party, payee.identifiers + _creditor_identifiers(invoice, for_payee=True))
        write_party_name(party, payee.name)
        if payee.legal_registration_id is not None:
            _write_legal_entity(party, None, payee.legal_registration_id)
    representative = invoice.tax_representative
    if representative is not None:
        party = W.child(root, "cac:TaxRepresentativeParty")
        write_party_name(party, representative.name)
        write_address(party, "cac:PostalAddress", representative.address)
        write_tax_scheme(party, representative.vat_id, VAT)
