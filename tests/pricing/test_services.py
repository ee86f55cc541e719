"""Writes on pricing rules: authorized as catalogue edits, checked, audited; nothing half-written."""

import datetime as dt

import pytest

from facturier.audit.models import AuditEvent
from facturier.common.errors import PermissionDenied, ValidationFailed
from facturier.pricing import services
from facturier.pricing.models import Discount, Promotion, Segment


@pytest.mark.django_db
def test_a_promotion_is_audited_with_what_it_became(entity, owner):
    promotion = services.promotion_save(entity=entity, by=owner, name="Été", code="ETE", percent="10",
                                        valid_from=dt.date(2026, 7, 1), valid_until=dt.date(2026, 8, 31))  # fmt: skip
    services.promotion_save(entity=entity, by=owner, promotion=promotion, percent="12.5")

    events = AuditEvent.objects.filter(object_id=str(promotion.pk)).order_by("position")
    assert [e.action for e in events] == ["promotion.created", "promotion.updated"]
    assert Promotion.objects.get().percent == 12.5


@pytest.mark.django_db
def test_someone_outside_the_company_cannot_write_its_rules(entity, outsider):
    with pytest.raises(PermissionDenied):
        services.segment_save(entity=entity, by=outsider, code="X", name="X")
    assert not Segment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"kind": "loyalty", "percent": "5"}, "loyalty_condition_required", "min_invoiced"),
        ({"kind": "volume", "percent": "0"}, "invalid_discount", "percent"),
        ({"kind": "volume", "percent": "100.01"}, "invalid_discount", "percent"),
        ({"kind": "volume", "percent": "5", "min_quantity": "-1"}, "invalid_amount", "min_quantity"),
        ({"kind": "volume", "percent": "5", "valid_from": dt.date(2026, 2, 1), "valid_until": dt.date(2026, 1, 31)},
         "invalid_period", "valid_until"),
    ],
)  # fmt: skip
def test_a_bad_discount_is_refused_naming_the_field(entity, owner, fields, code, field):
    with pytest.raises(ValidationFailed) as refused:
        services.discount_save(entity=entity, by=owner, name="Remise", **fields)

    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Discount.objects.exists()


@pytest.mark.django_db
def test_another_companys_product_cannot_be_priced(entity, owner, customer, segment_list):
    from facturier.catalog.models import Product
    from tests.conftest import make_entity

    foreign = Product.objects.create(entity=make_entity(name="Ailleurs SA", siren="732829320"), sku="X", name="X",
                                     unit_price=1)  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        services.price_list_item_set(price_list=segment_list, by=owner, product=foreign, unit_price="1")

    assert refused.value.code == "unknown_product"


@pytest.mark.django_db
def test_a_segment_code_is_unique_in_the_company(entity, owner, segment):
    with pytest.raises(ValidationFailed) as refused:
        services.segment_save(entity=entity, by=owner, code="GROS", name="Autres grossistes")

    assert refused.value.code == "duplicate_code"
