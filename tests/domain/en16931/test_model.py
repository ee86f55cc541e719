"""The EN 16931 model: immutable values, every field tagged with its business term id."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal

import pytest

from facturier.domain.en16931 import model
from facturier.domain.en16931.codes import GUIDELINE_IDS, Profile, profile_for_guideline

BT_ID = re.compile(r"^(BT|BG)-\d+(-\d)?$")


def _minimal_invoice(type_code: str = "380") -> model.Invoice:
    return model.Invoice(
        number="F-2026-001",
        issue_date=date(2026, 9, 1),
        type_code=type_code,
        currency_code="EUR",
        specification_identifier=GUIDELINE_IDS[Profile.EN16931],
        seller=model.Seller(name="Vendeur SAS", vat_id="FR32123456789"),
        buyer=model.Buyer(name="Client SARL"),
        totals=model.DocumentTotals(
            tax_exclusive_total=Decimal("100.00"),
            tax_inclusive_total=Decimal("120.00"),
            amount_due=Decimal("120.00"),
        ),
    )


def _model_classes() -> list[type]:
    return [
        item for item in vars(model).values() if isinstance(item, type) and dataclasses.is_dataclass(item)
    ]


@pytest.mark.parametrize("cls", _model_classes(), ids=lambda cls: cls.__name__)
def test_every_business_field_names_its_en16931_term(cls: type) -> None:
    # given a model class
    for field in dataclasses.fields(cls):
        # then each field carries a BT/BG id (Identifier's parts describe themselves)
        term = field.metadata.get("bt")
        assert term, f"{cls.__name__}.{field.name} has no BT/BG id"
        if cls is not model.Identifier:
            assert BT_ID.match(term), f"{cls.__name__}.{field.name}: {term!r}"


def test_invoices_are_immutable_values() -> None:
    # given an invoice
    invoice = _minimal_invoice()
    # then it cannot be changed in place and compares by value
    with pytest.raises(dataclasses.FrozenInstanceError):
        invoice.number = "other"  # type: ignore[misc]
    assert invoice == _minimal_invoice()


def test_a_credit_note_is_an_invoice_with_a_credit_note_type_code() -> None:
    # then 381 and the self-billed credit note are credit notes, 380 is not
    assert _minimal_invoice("381").is_credit_note
    assert _minimal_invoice("261").is_credit_note
    assert not _minimal_invoice("380").is_credit_note


def test_profiles_are_found_back_from_their_guideline_ids() -> None:
    # then each BT-24 value names its profile, and an unknown one names none
    for profile, urn in GUIDELINE_IDS.items():
        assert profile_for_guideline(urn) is profile
    assert profile_for_guideline("urn:example:unknown") is None
    assert GUIDELINE_IDS[Profile.BASIC_WL] == "urn:factur-x.eu:1p0:basicwl"
