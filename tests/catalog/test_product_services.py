import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.audit.models import AuditEvent
from facturier.catalog.models import Product
from facturier.catalog.selectors import product_get, product_list
from facturier.catalog.services import product_create, product_update
from facturier.common.errors import NotFound, PermissionDenied, ValidationFailed


def test_a_product_is_created_with_its_exact_price_and_an_audit_event(entity, owner):
    product = product_create(entity=entity, by=owner, sku="HOSTING", name="Hébergement mensuel",
                             unit_price="19.990000", unit="MON", vat_rate="20")  # fmt: skip
    product.refresh_from_db()
    assert product.unit_price == Decimal("19.99")
    assert product.unit == "MON"
    assert AuditEvent.objects.filter(action="product.created", object_id=str(product.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"unit_price": "1.1234567"}, "unit_price", "invalid_amount"),
        ({"unit_price": "12345678901234567890"}, "unit_price", "invalid_amount"),
        ({"unit_price": 1.5}, "unit_price", "invalid_amount"),
        ({"unit_price": "abc"}, "unit_price", "invalid_amount"),
        ({"vat_rate": "120"}, "vat_rate", "invalid_vat"),
        ({"vat_rate": "5.555"}, "vat_rate", "invalid_amount"),
        ({"unit": "XYZ"}, "unit", "invalid_unit"),
        ({"vat_category": "Q"}, "vat_category", "invalid_vat"),
        ({"colour": "red"}, "colour", "unknown_field"),
    ],
)
def test_a_bad_product_is_refused_naming_the_field_and_nothing_is_written(entity, owner, fields, field, code):
    values = {"sku": "X1", "name": "Produit", "unit_price": "10", **fields}
    with pytest.raises(ValidationFailed) as error:
        product_create(entity=entity, by=owner, **values)
    assert (error.value.field, error.value.code) == (field, code)
    assert not Product.objects.filter(sku="X1").exists()
    assert not AuditEvent.objects.filter(action="product.created").exists()


def test_references_are_unique_within_an_entity(entity, owner, product):
    with pytest.raises(ValidationFailed) as error:
        product_create(entity=entity, by=owner, sku=product.sku, name="Doublon", unit_price="1")
    assert (error.value.field, error.value.code) == ("sku", "duplicate_sku")


def test_updating_a_product_keeps_other_fields_and_audits_the_change(product, owner):
    product_update(product=product, by=owner, unit_price=Decimal("900"))
    product.refresh_from_db()
    assert (product.unit_price, product.name) == (Decimal("900"), "Journée de conseil")
    event = AuditEvent.objects.get(action="product.updated")
    assert (event.before["unit_price"], event.after["unit_price"]) == ("850.000000", "900.000000")


def test_a_sales_user_cannot_edit_the_catalogue(entity, owner, colleague, product):
    from facturier.accounts.services import membership_set

    membership_set(entity=entity, user=colleague, role="sales", by=owner)
    with pytest.raises(PermissionDenied):
        product_update(product=product, by=colleague, name="Changed")
    product.refresh_from_db()
    assert product.name == "Journée de conseil"


def test_product_selectors_are_scoped_to_the_entity(entity, product):
    from facturier.accounts.models import LegalEntity

    other = LegalEntity.objects.exclude(pk=entity.pk).get()
    foreign = product_create(entity=other, by=None, sku="CONSEIL-J", name="Conseil ailleurs", unit_price="1")
    assert list(product_list(entity=entity, search="conseil")) == [product]
    with pytest.raises(NotFound):
        product_get(entity=entity, pk=foreign.pk)


_SKUS = itertools.count()
# Accepted prices stay within 15 significant digits: SQLite stores a DecimalField as a REAL and Django
# reads it back with 15 digits, so exactness beyond that is only promised on PostgreSQL.
PRICES = st.one_of(
    st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=8, allow_nan=False),
    st.integers(min_value=10**14, max_value=10**20).map(Decimal),
    st.integers(min_value=10**14, max_value=10**20).map(lambda n: -Decimal(n)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(price=PRICES)
def test_any_price_is_either_stored_exactly_or_refused(entity, price):
    # property: nothing is rounded behind the user's back
    sku = f"P{next(_SKUS)}"
    fits = price == price.quantize(Decimal("0.000001")) and abs(price) < Decimal(10) ** 14
    if not fits:
        with pytest.raises(ValidationFailed) as error:
            product_create(entity=entity, by=None, sku=sku, name="Prix", unit_price=str(price))
        assert error.value.field == "unit_price"
        assert not Product.objects.filter(sku=sku).exists()
        return
    created = product_create(entity=entity, by=None, sku=sku, name="Prix", unit_price=str(price))
    created.refresh_from_db()
    assert created.unit_price == price
