"""Plain descriptions of documents (who sells, to whom, which lines, what follows) and how to draft them.

`tests/invoicing/test_every_draft_issues.py` draws these with Hypothesis and keeps the ones that
found a defect as explicit examples, so each spec is a small frozen value that prints readably.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from facturier.accounts.models import LegalEntity
from facturier.demo import identifiers
from facturier.invoicing.services import AllowanceChargeData, LineData
from facturier.parties.models import Customer
from facturier.parties.services import customer_create
from tests.conftest import make_entity

SELLERS = ("metro", "metro_ubl", "metro_extended", "reunion", "no_vat_number")
CUSTOMER_KINDS = ("b2b", "b2c", "public", "eu", "export", "dom", "corsica", "exempt")
FLOWS = (
    "invoice",
    "deposit_then_final",
    "credit_full",
    "credit_partial",
    "corrective",
    "from_quote",
    "customer_changed",
)


@dataclass(frozen=True)
class LineSpec:
    price: str
    quantity: str = "1"
    rate: str = "20"
    category: str | None = None  # None: the product's or the regime's category
    goods: bool = False
    discount: str = "0"


@dataclass(frozen=True)
class AllowanceSpec:
    amount: str | None = "10.00"
    percent: str | None = None
    is_charge: bool = False
    category: str = "S"
    rate: str = "20.00"


@dataclass(frozen=True)
class DocSpec:
    seller: str = "metro"
    customer: str = "b2b"
    country: str = ""  # for eu / export: the customer's country
    lines: tuple[LineSpec, ...] = (LineSpec("100"),)
    allowances: tuple[AllowanceSpec, ...] = ()
    currency: str = "EUR"
    language: str = "fr"
    flow: str = "invoice"


def seller_entity(kind: str, cache: dict[str, LegalEntity], admin: Any) -> LegalEntity:
    """One company per kind of seller, created on first use (the test's database lives per test)."""
    if kind in cache:
        return cache[kind]
    siren = {"metro": "552100554", "metro_ubl": "732829320", "metro_extended": "542065479",
             "reunion": "542107651", "no_vat_number": "443061841"}[kind]  # fmt: skip
    extra = {"vat_number": ""} if kind == "no_vat_number" else {}
    entity = make_entity(name=f"Vendeur {kind} SAS", siren=siren, admin_user=admin, **extra)
    changes: dict[str, Any] = {}
    if kind == "metro_ubl":
        changes["einvoice_syntax"] = "ubl"
    if kind == "metro_extended":
        changes["facturx_profile"] = "EXTENDED"
    if kind == "reunion":
        changes.update(address_line1="5 rue de Paris", postcode="97400", city="Saint-Denis")
    LegalEntity.objects.filter(pk=entity.pk).update(**changes)
    entity.refresh_from_db()
    cache[kind] = entity
    return entity


def _french_business(rng: random.Random, prefix: str = "") -> dict[str, Any]:
    siren = identifiers.siren(rng, prefix)
    return {
        "siren": siren,
        "siret": identifiers.siret(siren, rng.randint(1, 40)),
        "vat_number": identifiers.fr_vat(siren),
    }


_FOREIGN = {
    "DE": ("Industriestraße 12", "70565", "Stuttgart"), "BE": ("Korenmarkt 5", "9000", "Gent"),
    "IT": ("Via Tortona 27", "20144", "Milano"), "US": ("200 Atlantic Avenue", "02110", "Boston"),
    "CH": ("Rue du Rhône 48", "1204", "Genève"), "GB": ("10 Downing Street", "SW1A 2AA", "London"),
}  # fmt: skip


def customer_fields(spec: DocSpec, rng: random.Random) -> dict[str, Any]:
    """What `customer_create` needs for the spec's kind of customer."""
    fields: dict[str, Any] = {"address_line1": "1 rue du Test", "postcode": "75001", "city": "Paris",
                              "country": "FR", "email": "factures@client.example", "language": spec.language,
                              "currency": spec.currency}  # fmt: skip
    kind = spec.customer
    if kind in ("b2b", "exempt"):
        fields.update(_french_business(rng))
    if kind == "exempt":
        fields.update(vat_regime="exempt",
                      exemption_reason="Exonération de TVA, article 261-4-4° du CGI (formation professionnelle)")  # fmt: skip
    if kind == "b2c":
        fields.update(kind="consumer", email="julien.moreau@courriel.example")
    if kind == "public":
        ids = _french_business(rng, "21")
        fields.update(kind="public", siren=ids["siren"], siret=ids["siret"], electronic_address_scheme="0225",
                      electronic_address=ids["siret"], service_code="SERV-123-ACHATS")  # fmt: skip
    if kind == "dom":
        fields.update(_french_business(rng), postcode="97410", city="Saint-Pierre")
    if kind == "corsica":
        fields.update(_french_business(rng), postcode="20000", city="Ajaccio")
    if kind in ("eu", "export"):
        street, postcode, city = _FOREIGN[spec.country]
        fields.update(address_line1=street, postcode=postcode, city=city, country=spec.country)
    if kind == "eu":
        fields["vat_regime"] = "intra_eu_reverse_charge"
        if spec.country == "DE":
            fields["vat_number"] = identifiers.de_vat(rng)
            fields.update(electronic_address_scheme="9930", electronic_address=fields["vat_number"])
        elif spec.country == "BE":
            number = identifiers.be_enterprise_number(rng)
            fields.update(vat_number="BE" + number, electronic_address_scheme="0208", electronic_address=number,
                          registration_id=number, registration_scheme="0208")  # fmt: skip
        else:
            fields["vat_number"] = identifiers.it_vat(rng)
            fields.update(electronic_address_scheme="0211", electronic_address=fields["vat_number"])
    if kind == "export":
        fields["vat_regime"] = "export"
        if spec.country == "CH":
            fields.update(registration_id=identifiers.ch_uid_number(rng), registration_scheme="0183")
    return fields


def make_customer(entity: LegalEntity, spec: DocSpec, code: str, by: Any) -> Customer:
    rng = random.Random(code)
    return customer_create(entity=entity, by=by, code=code, name=f"Client {spec.customer} {code}",
                           **customer_fields(spec, rng))  # fmt: skip


def line_data(spec: LineSpec, position: int) -> LineData:
    return LineData(
        description=f"{'Article' if spec.goods else 'Prestation'} {position}", quantity=Decimal(spec.quantity),
        unit_price=Decimal(spec.price), vat_rate=Decimal(spec.rate), vat_category=spec.category,
        accounting_category="goods" if spec.goods else "services", discount_percent=Decimal(spec.discount),
    )  # fmt: skip


def allowance_data(spec: AllowanceSpec) -> AllowanceChargeData:
    return AllowanceChargeData(
        reason="Frais de port" if spec.is_charge else "Remise commerciale",
        amount=Decimal(spec.amount) if spec.amount is not None else None,
        percent=Decimal(spec.percent) if spec.percent is not None else None,
        is_charge=spec.is_charge, vat_category=spec.category, vat_rate=Decimal(spec.rate),
    )  # fmt: skip


EXCHANGE_RATES = {
    "EUR": None,
    "USD": Decimal("0.921500"),
    "GBP": Decimal("1.171234"),
    "CHF": Decimal("1.043210"),
}


def header(spec: DocSpec) -> dict[str, Any]:
    rate = EXCHANGE_RATES[spec.currency]
    return {"currency": spec.currency, "language": spec.language, **({"exchange_rate": rate} if rate else {})}
