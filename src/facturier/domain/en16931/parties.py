"""EN 16931 parties and their building blocks: identifiers, addresses, contacts.

Each field names its business term (BT) or group (BG) in ``metadata["bt"]`` so that
mapping tables, documentation and validation messages can refer to the norm's ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, kw_only=True)
class Identifier:
    """An identifier with its optional identification scheme (ISO 6523 ICD, EAS code, ...)."""

    value: str = field(metadata={"bt": "value"})
    scheme_id: str | None = field(default=None, metadata={"bt": "scheme identifier"})


@dataclass(frozen=True, kw_only=True)
class PostalAddress:
    """BG-5 / BG-8 / BG-12 / BG-15: a postal address (only the country is mandatory)."""

    line_one: str | None = field(default=None, metadata={"bt": "BT-35"})
    line_two: str | None = field(default=None, metadata={"bt": "BT-36"})
    line_three: str | None = field(default=None, metadata={"bt": "BT-162"})
    city: str | None = field(default=None, metadata={"bt": "BT-37"})
    post_code: str | None = field(default=None, metadata={"bt": "BT-38"})
    country_subdivision: str | None = field(default=None, metadata={"bt": "BT-39"})
    country_code: str = field(metadata={"bt": "BT-40"})


@dataclass(frozen=True, kw_only=True)
class Contact:
    """BG-6 / BG-9: a contact point (BT-41..BT-43 for the seller, BT-56..BT-58 for the buyer)."""

    name: str | None = field(default=None, metadata={"bt": "BT-41"})
    telephone: str | None = field(default=None, metadata={"bt": "BT-42"})
    email: str | None = field(default=None, metadata={"bt": "BT-43"})


@dataclass(frozen=True, kw_only=True)
class Seller:
    """BG-4 SELLER."""

    name: str = field(metadata={"bt": "BT-27"})
    trading_name: str | None = field(default=None, metadata={"bt": "BT-28"})
    identifiers: tuple[Identifier, ...] = field(default=(), metadata={"bt": "BT-29"})
    legal_registration_id: Identifier | None = field(default=None, metadata={"bt": "BT-30"})
    vat_id: str | None = field(default=None, metadata={"bt": "BT-31"})
    tax_registration_id: str | None = field(default=None, metadata={"bt": "BT-32"})
    legal_form: str | None = field(default=None, metadata={"bt": "BT-33"})
    electronic_address: Identifier | None = field(default=None, metadata={"bt": "BT-34"})
    address: PostalAddress | None = field(default=None, metadata={"bt": "BG-5"})
    contact: Contact | None = field(default=None, metadata={"bt": "BG-6"})


@dataclass(frozen=True, kw_only=True)
class Buyer:
    """BG-7 BUYER."""

    name: str = field(metadata={"bt": "BT-44"})
    trading_name: str | None = field(default=None, metadata={"bt": "BT-45"})
    identifiers: tuple[Identifier, ...] = field(default=(), metadata={"bt": "BT-46"})
    legal_registration_id: Identifier | None = field(default=None, metadata={"bt": "BT-47"})
    vat_id: str | None = field(default=None, metadata={"bt": "BT-48"})
    electronic_address: Identifier | None = field(default=None, metadata={"bt": "BT-49"})
    address: PostalAddress | None = field(default=None, metadata={"bt": "BG-8"})
    contact: Contact | None = field(default=None, metadata={"bt": "BG-9"})


@dataclass(frozen=True, kw_only=True)
class Payee:
    """BG-10 PAYEE: only when the payee is not the seller (factoring, collection agency)."""

    name: str = field(metadata={"bt": "BT-59"})
    identifiers: tuple[Identifier, ...] = field(default=(), metadata={"bt": "BT-60"})
    legal_registration_id: Identifier | None = field(default=None, metadata={"bt": "BT-61"})


@dataclass(frozen=True, kw_only=True)
class TaxRepresentative:
    """BG-11 SELLER TAX REPRESENTATIVE PARTY."""

    name: str = field(metadata={"bt": "BT-62"})
    vat_id: str = field(metadata={"bt": "BT-63"})
    address: PostalAddress = field(metadata={"bt": "BG-12"})


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """BG-13 DELIVERY INFORMATION (deliver-to party, location and date)."""

    party_name: str | None = field(default=None, metadata={"bt": "BT-70"})
    location_id: Identifier | None = field(default=None, metadata={"bt": "BT-71"})
    actual_delivery_date: date | None = field(default=None, metadata={"bt": "BT-72"})
    address: PostalAddress | None = field(default=None, metadata={"bt": "BG-15"})
