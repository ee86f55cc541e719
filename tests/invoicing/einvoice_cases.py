"""Invoices of every type and VAT regime, and the fixture that turns validation on issue on.

Imported by the e-invoice tests (the fixture is re-exported there).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from facturier.accounts.models import LegalEntity
from facturier.invoicing.models import Document
from facturier.invoicing.services import (
    AllowanceChargeData,
    LineData,
    credit_note_create,
    document_create,
    invoice_issue,
)
from facturier.parties.models import Customer
from tests.conftest import SHARED, make_entity


@pytest.fixture
def installed_rules(settings) -> Path:
    """Validation on issue with the official rules of ../shared/conformance.

    The store reads the team folder in place (as config.settings.test does) so that every test
    process compiles each stylesheet once; `facturier conformance install` into a data dir is
    exercised by tests/cli.
    """
    conformance = SHARED / "conformance"
    if not conformance.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    settings.CONFORMANCE_DIR = str(conformance)
    settings.EINVOICE_VALIDATE_ON_ISSUE = True
    return conformance


def customer(entity, code: str, **fields) -> Customer:
    values = {
        "name": f"Client {code}", "address_line1": "1 rue du Test", "postcode": "75001", "city": "Paris",
        "country": "FR", "email": f"{code.lower()}@client.example",
    }  # fmt: skip
    values.update(fields)
    return Customer.objects.create(entity=entity, code=code, **values)


def issued(entity, buyer: Customer, by, lines: list[LineData], **header) -> Document:
    draft = document_create(entity=entity, kind="invoice", customer=buyer, by=by, lines=lines, **header)
    return invoice_issue(invoice=draft, by=by)


def line(price: str, rate: str = "20", *, goods: bool = False, quantity: str = "1", **extra) -> LineData:
    return LineData(
        description=extra.pop("description", "Prestation"), quantity=Decimal(quantity), unit_price=Decimal(price),
        vat_rate=Decimal(rate), accounting_category="goods" if goods else "services", **extra,
    )  # fmt: skip


def domestic_three_rates(entity, by) -> Document:
    buyer = customer(entity, "DOM3", siren="443061841", siret="44306184100047")
    return issued(
        entity, buyer, by,
        [line("850", "20", quantity="3", discount_percent=Decimal("10")), line("42.50", "10", goods=True),
         line("12.345678", "5.5", goods=True, quantity="7", unit="KGM")],
        allowances_charges=[AllowanceChargeData(reason="Remise fidélité", amount=Decimal("25.00")),
                            AllowanceChargeData(reason="Remise volume", percent=Decimal("5"), vat_rate=Decimal("10.00")),
                            AllowanceChargeData(reason="Port", amount=Decimal("15.00"), is_charge=True,
                                                vat_rate=Decimal("20.00"))],
        purchase_order_reference="PO-2026-17", buyer_reference="SERVICE-ACHATS",
    )  # fmt: skip


def reverse_charge_eu(entity, by) -> Document:
    buyer = customer(entity, "DE1", name="Beispiel GmbH", country="DE", postcode="10115", city="Berlin",
                     vat_number="DE123456789", vat_regime="intra_eu_reverse_charge")  # fmt: skip
    return issued(entity, buyer, by, [line("1200"), line("300", goods=True)], language="en")


def export_outside_eu(entity, by) -> Document:
    buyer = customer(entity, "US1", name="Acme Inc.", country="US", postcode="10001", city="New York",
                     vat_regime="export", electronic_address_scheme="0060", electronic_address="123456789")  # fmt: skip
    return issued(entity, buyer, by, [line("5000", goods=True), line("700", goods=True)], language="en")


def exempt_with_reason(entity, by) -> Document:
    buyer = customer(entity, "EX1", siren="732829320", vat_regime="exempt",
                     exemption_reason="Exonération de TVA, article 261-4-4° du CGI (formation professionnelle)")  # fmt: skip
    return issued(entity, buyer, by, [line("2400")])


def overseas_department(by):
    entity = make_entity(name="Réunion Services SARL", siren="542107651", admin_user=by)
    LegalEntity.objects.filter(pk=entity.pk).update(
        address_line1="5 rue de Paris", postcode="97400", city="Saint-Denis"
    )
    buyer = customer(entity, "RE1", siren="443061841", postcode="97410", city="Saint-Pierre")
    entity.refresh_from_db()
    return issued(entity, buyer, by, [line("1000", "8.5"), line("200", "2.1", goods=True)])


def multi_currency_usd(entity, by) -> Document:
    buyer = customer(entity, "USD1", siren="443061841", currency="USD")
    return issued(entity, buyer, by, [line("1999.99")], currency="USD", exchange_rate=Decimal("0.921500"))


def deposit_then_final(entity, by) -> tuple[Document, Document]:
    buyer = customer(entity, "ACPT", siren="443061841")
    deposit = issued(entity, buyer, by, [line("3000", description="Acompte 30 %")], type_code="386")
    final = issued(entity, buyer, by, [line("10000", description="Chantier complet")], deposits=[deposit])
    return deposit, final


def credit_note(entity, by) -> Document:
    buyer = customer(entity, "AV1", siren="443061841")
    invoice = issued(entity, buyer, by, [line("800"), line("200")])
    draft = credit_note_create(invoice=invoice, by=by, lines=[line("200")], reason="Retour partiel")
    return invoice_issue(invoice=draft, by=by)


def corrective(entity, by) -> Document:
    buyer = customer(entity, "CORR", siren="443061841")
    invoice = issued(entity, buyer, by, [line("500")])
    draft = document_create(entity=entity, kind="invoice", customer=buyer, by=by, lines=[line("550")],
                            type_code="384", preceding_invoice=invoice)  # fmt: skip
    return invoice_issue(invoice=draft, by=by)


def public_buyer(entity, by) -> Document:
    buyer = customer(entity, "MAIRIE", name="Mairie de Lyon", kind="public", siren="216901231",
                     siret="21690123100011", service_code="SERV-FIN-01")  # fmt: skip
    return issued(entity, buyer, by, [line("1500")], purchase_order_reference="EJ-2026-0042")


def vat_on_debits(by) -> Document:
    entity = make_entity(name="Débits SAS", siren="542065479", vat_on_debits=True, admin_user=by)
    buyer = customer(entity, "DEB", siren="443061841")
    return issued(entity, buyer, by, [line("100")])
