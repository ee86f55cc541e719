"""The parties of an EN 16931 invoice (seller BG-4, buyer BG-7) from our snapshots, French CIUS rules.

Seller: SIREN (BT-30, scheme 0002), SIRET (BT-29, 0009), e-invoicing address BT-34 (its own, or the
SIREN under scheme 0225). Buyer: SIREN or foreign registration (BT-47), e-invoicing address BT-49: its
own, else SIREN (0225) in France, else its VAT number under the country's EAS code.
"""

from __future__ import annotations

from typing import Any

from facturier.domain.en16931 import model as m

__all__ = [
    "FRENCH_COUNTRY_CODES",
    "address",
    "bar_treatment",
    "buyer",
    "buyer_electronic_address",
    "seller",
    "text",
]


def text(value: Any) -> str | None:
    """A snapshot value as a stripped string, or None when empty."""
    cleaned = "" if value is None else str(value).strip()
    return cleaned or None


# ISO 6523 / EAS scheme of a VAT number used as an electronic address (PEPPOL EAS list).
_VAT_EAS = {
    "AT": "9914", "BE": "9925", "BG": "9926", "CH": "9927", "CY": "9928", "CZ": "9929", "DE": "9930",
    "EE": "9931", "GB": "9932", "GR": "9933", "EL": "9933", "HR": "9934", "IE": "9935", "LI": "9936",
    "LT": "9937", "LU": "9938", "LV": "9939", "MC": "9940", "MT": "9943", "NL": "9944", "PL": "9945",
    "PT": "9946", "RO": "9947", "SI": "9949", "SK": "9950", "ES": "9920", "HU": "9910", "FR": "9957",
    "IT": "0211", "DK": "0184", "SE": "0007", "NO": "0192", "FI": "0213",
}  # fmt: skip
# France and its overseas departments (which have ISO country codes of their own): SIREN applies.
FRENCH_COUNTRY_CODES = frozenset({"FR", "GP", "MQ", "RE", "GF", "YT"})
SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"
FR_CTC_ADDRESS_SCHEME = "0225"


def bar_treatment(customer: dict[str, Any]) -> str:
    """BAR note (BR-FR-20): B2B for a French business, B2BINT abroad, B2C for a consumer."""
    if customer.get("kind") == "consumer":
        return "B2C"
    return "B2B" if (customer.get("country") or "FR").upper() in FRENCH_COUNTRY_CODES else "B2BINT"


def address(line1: Any, line2: Any, postcode: Any, city: Any, country: Any) -> m.PostalAddress:
    """A postal address (BG-5/8/15); the country defaults to France."""
    return m.PostalAddress(
        line_one=text(line1), line_two=text(line2), post_code=text(postcode), city=text(city),
        country_code=(text(country) or "FR").upper(),
    )  # fmt: skip


def seller(snapshot: dict[str, Any], lang: str, *, with_vat_id: bool = True) -> m.Seller:
    """BG-4 from the seller snapshot; BT-33 carries the legal form, share capital and RCS mention.

    A seller without a VAT number gives its SIREN as tax registration identifier (BT-32), which
    BR-E-02 accepts for its exempt invoices. ``with_vat_id=False`` leaves BT-31 out (a document outside the scope of VAT, BR-O-02): the
    seller is then identified by its SIREN (BT-30) and SIRET (BT-29), as BR-CO-26 and BR-FR-10 ask.
    """
    siren = text(snapshot.get("siren"))
    legal_form = " ".join(
        part
        for part in (
            text(snapshot.get("legal_form")),
            f"{'au capital de' if lang == 'fr' else 'with a share capital of'} {snapshot['share_capital']} EUR"
            if text(snapshot.get("share_capital"))
            else None,
            text(snapshot.get("rcs")),
        )
        if part
    )
    scheme, endpoint = (
        text(snapshot.get("electronic_address_scheme")),
        text(snapshot.get("electronic_address")),
    )
    if endpoint is None and siren:
        scheme, endpoint = FR_CTC_ADDRESS_SCHEME, siren
    siret = text(snapshot.get("siret"))
    vat_id = text(snapshot.get("vat_number"))
    return m.Seller(
        name=snapshot.get("name") or "",
        identifiers=(m.Identifier(value=siret, scheme_id=SIRET_SCHEME),) if siret else (),
        legal_registration_id=m.Identifier(value=siren, scheme_id=SIREN_SCHEME) if siren else None,
        vat_id=vat_id if with_vat_id else None,
        # a seller without a VAT number (franchise en base) states its SIREN for tax purposes (BR-E-02)
        tax_registration_id=siren if vat_id is None else None,
        legal_form=legal_form or None,
        electronic_address=m.Identifier(value=endpoint, scheme_id=scheme or FR_CTC_ADDRESS_SCHEME)
        if endpoint
        else None,
        address=address(
            snapshot.get("address_line1"),
            snapshot.get("address_line2"),
            snapshot.get("postcode"),
            snapshot.get("city"),
            snapshot.get("country"),
        ),  # fmt: skip
        contact=m.Contact(telephone=text(snapshot.get("phone")), email=text(snapshot.get("email")))
        if text(snapshot.get("phone")) or text(snapshot.get("email"))
        else None,
    )


def buyer_electronic_address(customer: dict[str, Any]) -> m.Identifier | None:
    """The customer's own e-invoicing address, else SIREN (0225), else its VAT number, else its email."""
    endpoint = text(customer.get("electronic_address"))
    if endpoint:
        return m.Identifier(
            value=endpoint, scheme_id=text(customer.get("electronic_address_scheme")) or "0225"
        )
    siren = text(customer.get("siren"))
    if siren and (customer.get("country") or "FR").upper() in FRENCH_COUNTRY_CODES:
        return m.Identifier(value=siren, scheme_id=FR_CTC_ADDRESS_SCHEME)
    vat = text(customer.get("vat_number"))
    if vat and vat[:2].upper() in _VAT_EAS:
        return m.Identifier(value=vat, scheme_id=_VAT_EAS[vat[:2].upper()])
    email = text(customer.get("email"))
    return m.Identifier(value=email, scheme_id="EM") if email else None


def buyer(customer: dict[str, Any], *, with_vat_id: bool = True) -> m.Buyer:
    """BG-7 from the customer snapshot; ``with_vat_id=False`` leaves BT-48 out (BR-O-02)."""
    siren = text(customer.get("siren"))
    registration = text(customer.get("registration_id"))
    legal_id = None
    if siren:
        legal_id = m.Identifier(value=siren, scheme_id=SIREN_SCHEME)
    elif registration:
        legal_id = m.Identifier(value=registration, scheme_id=text(customer.get("registration_scheme")))
    siret = text(customer.get("siret"))
    email = text(customer.get("email"))
    return m.Buyer(
        name=customer.get("name") or "",
        identifiers=(m.Identifier(value=siret, scheme_id=SIRET_SCHEME),) if siret else (),
        legal_registration_id=legal_id,
        vat_id=text(customer.get("vat_number")) if with_vat_id else None,
        electronic_address=buyer_electronic_address(customer),
        address=address(
            customer.get("address_line1"),
            customer.get("address_line2"),
            customer.get("postcode"),
            customer.get("city"),
            customer.get("country"),
        ),  # fmt: skip
        contact=m.Contact(email=email) if email else None,
    )
