"""The invoicing services refuse what an e-invoice or the database cannot hold, whatever the caller
(web form, API, import): a clear error naming the field, and nothing written."""

from decimal import Decimal

import pytest

from facturier.common.errors import ValidationFailed
from facturier.invoicing.models import Document, Line
from facturier.invoicing.services import AllowanceChargeData, LineData, document_create, document_update
from facturier.parties.models import Customer


def _create(entity, customer, owner, *, lines=None, allowances=(), **header):
    return document_create(
        entity=entity, kind="invoice", customer=customer, by=owner,
        lines=lines or [LineData(description="Conseil", quantity=Decimal("1"), unit_price=Decimal("100"))],
        allowances_charges=list(allowances), **header,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        ({"lines": [LineData(description="Bad\x00", unit_price=Decimal("1"))]}, "lines[0].description",
         "invalid_character"),
        ({"lines": [LineData(description="x" * 501, unit_price=Decimal("1"))]}, "lines[0].description", "too_long"),
        ({"lines": [LineData(description="Kilos", unit="ZZZ", unit_price=Decimal("1"))]}, "lines[0].unit",
         "invalid_unit"),
        ({"lines": [LineData(description="Taux", vat_rate=Decimal("120"), unit_price=Decimal("1"))]},
         "lines[0].vat_rate", "invalid_vat"),
        ({"allowances": [AllowanceChargeData(reason="Remise\x07", amount=Decimal("1"))]},
         "allowances_charges[0].reason", "invalid_character"),
        # the VAT a French invoice can state (found by test_every_draft_issues: BR-FR-15, BR-FR-16, BR-S-05,
        # BR-E-05, BR-IC-02): Spanish categories, rates not in force, a rate on a category without VAT
        ({"lines": [LineData(description="IGIC", vat_category="L", vat_rate=Decimal("0"), unit_price=Decimal("1"))]},
         "lines[0].vat_category", "invalid_vat"),
        ({"lines": [LineData(description="Taux", vat_rate=Decimal("3"), unit_price=Decimal("1"))]},
         "lines[0].vat_rate", "invalid_vat"),
        ({"lines": [LineData(description="Zéro", vat_rate=Decimal("0"), unit_price=Decimal("1"))]},
         "lines[0].vat_rate", "invalid_vat"),
        ({"lines": [LineData(description="Exo", vat_category="E", vat_rate=Decimal("20"), unit_price=Decimal("1"))]},
         "lines[0].vat_rate", "invalid_vat"),
        ({"lines": [LineData(description="LIC", vat_category="K", vat_rate=Decimal("0"), unit_price=Decimal("1"))]},
         "lines[0].vat_category", "vat_category_needs_buyer_id"),
        ({"allowances": [AllowanceChargeData(reason="Port", amount=Decimal("5"), is_charge=True, vat_category="M",
                                             vat_rate=Decimal("0"))]}, "allowances_charges[0].vat_category",
         "invalid_vat"),
        ({"allowances": [AllowanceChargeData(reason="Port", amount=Decimal("5"), vat_rate=Decimal("19.6"))]},
         "allowances_charges[0].vat_rate", "invalid_vat"),
        ({"buyer_reference": "R" * 101}, "buyer_reference", "too_long"),
        ({"note": "Bonjour\x1b[31m"}, "note", "invalid_character"),
        ({"payment_terms": "someday"}, "payment_terms", "invalid_payment_terms"),
        ({"language": "de"}, "language", "invalid_language"),
    ],
)  # fmt: skip
def test_bad_draft_input_is_refused_naming_the_field_and_nothing_is_written(
    entity, customer, owner, kwargs, field, code
):
    # given the documents and lines before
    before = (Document.objects.count(), Line.objects.count())
    # when a draft is created with the bad value
    with pytest.raises(ValidationFailed) as refused:
        _create(entity, customer, owner, **kwargs)
    # then the error names the field and its code, and nothing was written
    assert (refused.value.field, refused.value.code) == (field, code)
    assert (Document.objects.count(), Line.objects.count()) == before


@pytest.mark.parametrize(
    ("regime", "category", "expected"),
    [
        ("intra_eu_reverse_charge", "services", ("AE", Decimal("0.00"))),
        ("intra_eu_reverse_charge", "goods", ("K", Decimal("0.00"))),
        ("export", "goods", ("G", Decimal("0.00"))),
        ("domestic", "services", ("S", Decimal("20.00"))),
    ],
)
def test_a_document_level_charge_follows_the_customers_vat_regime(
    entity, customer, owner, regime, category, expected
):
    # given a customer under a regime where no French VAT is due (or a domestic one)
    customer.vat_regime = regime
    customer.vat_number = "DE123456789" if regime == "intra_eu_reverse_charge" else ""
    customer.save()
    # when an invoice with a delivery charge is drafted
    invoice = _create(
        entity, customer, owner,
        lines=[LineData(description="Article", unit_price=Decimal("100"), accounting_category=category)],
        allowances=[AllowanceChargeData(reason="Livraison", is_charge=True, amount=Decimal("15.00"))],
    )  # fmt: skip
    # then the charge bears the same VAT as the lines, so no French VAT is added where none is due
    charge = invoice.allowances_charges.get()
    assert (charge.vat_category, charge.vat_rate) == expected
    assert {row["category"] for row in invoice.vat_breakdown} == {expected[0]}


def test_services_outside_the_scope_of_vat_cannot_share_an_invoice_with_goods(entity, customer, owner):
    # given a customer outside the EU: goods are exports (G), services are outside the scope of VAT (O)
    customer.vat_regime = "export"
    customer.save()
    before = Document.objects.count()
    # when one invoice mixes both, then it is refused naming the rule, and nothing is written
    with pytest.raises(ValidationFailed) as refused:
        _create(entity, customer, owner, lines=[
            LineData(description="Machine", unit_price=Decimal("900"), accounting_category="goods"),
            LineData(description="Installation", unit_price=Decimal("300"), accounting_category="services"),
        ])  # fmt: skip
    assert (refused.value.field, refused.value.code) == ("lines", "vat_outside_scope_mixed")
    assert "BR-O-11" in refused.value.message
    assert Document.objects.count() == before
    # and each kind of sale on its own invoice is fine
    goods = _create(entity, customer, owner, lines=[
        LineData(description="Machine", unit_price=Decimal("900"), accounting_category="goods")])  # fmt: skip
    assert [row["category"] for row in goods.vat_breakdown] == ["G"]


def test_a_company_without_vat_number_cannot_charge_vat_but_can_invoice_exempt(owner):
    # given a company without a VAT number (franchise en base, CGI art. 293 B)
    from tests.conftest import make_entity

    entity = make_entity(name="Micro Conseil", siren="443061841", vat_number="", admin_user=owner)
    buyer = Customer.objects.create(entity=entity, code="C1", name="Client", siren="732829320",
                                    address_line1="1 rue", postcode="75001", city="Paris")  # fmt: skip
    # when it drafts a standard-rated line, then it is refused naming the line's category (BR-S-02)
    with pytest.raises(ValidationFailed) as refused:
        _create(entity, buyer, owner)
    assert (refused.value.field, refused.value.code) == (
        "lines[0].vat_category",
        "vat_category_needs_seller_vat_number",
    )
    # and an exempt line (art. 293 B) is accepted
    line = LineData(description="Conseil", unit_price=Decimal("100"), vat_category="E", vat_rate=Decimal("0"))
    assert _create(entity, buyer, owner, lines=[line]).vat_breakdown[0]["category"] == "E"


def test_a_draft_given_to_a_customer_under_another_vat_regime_needs_its_lines_again(entity, customer, owner):
    # given a draft at 20 % for a French business
    draft = _create(entity, customer, owner)
    export = Customer.objects.create(entity=entity, code="US1", name="Acme Inc.", address_line1="1 Main St",
                                     postcode="10001", city="New York", country="US", vat_regime="export")  # fmt: skip
    # when it is given to a customer outside the EU without its lines, then it is refused naming the lines
    with pytest.raises(ValidationFailed) as refused:
        document_update(document=draft, by=owner, customer=export)
    assert (refused.value.field, refused.value.code) == ("lines", "lines_required_for_new_customer")
    # and with its lines, they take the new customer's VAT (services outside the scope of VAT)
    updated = document_update(document=draft, by=owner, customer=export, lines=[
        LineData(description="Conseil", unit_price=Decimal("100"))])  # fmt: skip
    assert [row["category"] for row in updated.vat_breakdown] == ["O"]
