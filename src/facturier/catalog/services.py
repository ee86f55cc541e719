"""Writes on products and services: price precision, unit code and VAT category checked, audited."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.catalog.models import AccountingCategory, Product, VatCategory
from facturier.catalog.units import UNIT_CODES
from facturier.common import domain_wording
from facturier.common.cleaning import full_clean_or_raise
from facturier.common.errors import ValidationFailed
from facturier.domain.money import AmountPrecisionError, check_amount, to_decimal

PRODUCT_FIELDS = frozenset(
    {"sku", "name", "description", "unit", "unit_price", "vat_category", "vat_rate", "accounting_category",
     "is_active"}
)  # fmt: skip
# Unit prices keep up to 6 decimals (EN 16931 allows more than 2 on BT-146); 14 integer digits fit
# DecimalField(max_digits=20, decimal_places=6).
PRICE_DECIMALS = 6
PRICE_INTEGER_DIGITS = 14


def _decimal(value: Any, *, field: str, places: int, integer_digits: int) -> Decimal:
    try:
        amount = check_amount(
            to_decimal(value), places=places, max_integer_digits=integer_digits, field=field
        )
    except (AmountPrecisionError, TypeError, ValueError) as error:
        raise ValidationFailed(
            domain_wording.amount(field, places=places, integer_digits=integer_digits),
            field=field,
            code="invalid_amount",
        ) from error
    # Exact: check_amount guarantees the value has at most `places` significant decimals.
    return amount.quantize(Decimal(1).scaleb(-places))


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - PRODUCT_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(names)s") % {"names": ", ".join(unknown)},
            field=unknown[0],
            code="unknown_field",
        )
    cleaned = dict(fields)
    if "unit_price" in fields:
        cleaned["unit_price"] = _decimal(
            fields["unit_price"],
            field="unit_price",
            places=PRICE_DECIMALS,
            integer_digits=PRICE_INTEGER_DIGITS,
        )
    if "vat_rate" in fields:
        rate = _decimal(fields["vat_rate"], field="vat_rate", places=2, integer_digits=3)
        if not Decimal(0) <= rate <= Decimal(100):
            raise ValidationFailed(
                _("A VAT rate is between 0 and 100 %."), field="vat_rate", code="invalid_vat"
            )
        cleaned["vat_rate"] = rate
    if "unit" in fields and fields["unit"] not in UNIT_CODES:
        raise ValidationFailed(
            _("Unknown unit code '%(unit)s' (UN/ECE Rec 20).") % {"unit": fields["unit"]},
            field="unit",
            code="invalid_unit",
        )
    if "vat_category" in fields and fields["vat_category"] not in VatCategory.values:
        raise ValidationFailed(
            _("Unknown VAT category '%(vat_category)s'.") % {"vat_category": fields["vat_category"]},
            field="vat_category",
            code="invalid_vat",
        )
    if "accounting_category" in fields and fields["accounting_category"] not in AccountingCategory.values:
        raise ValidationFailed(
            _("Unknown accounting category '%(accounting_category)s'.")
            % {"accounting_category": fields["accounting_category"]},
            field="accounting_category",
            code="invalid_choice",
        )
    for name in ("sku", "name"):
        if name in cleaned and isinstance(cleaned[name], str):
            cleaned[name] = cleaned[name].strip()
    return cleaned


def _check(product: Product) -> None:
    if product.vat_category == VatCategory.STANDARD and product.vat_rate == 0:
        raise ValidationFailed(
            _("The standard VAT category needs a rate above zero."), field="vat_rate", code="invalid_vat"
        )
    full_clean_or_raise(product, exclude=["entity"])
    clash = Product.objects.filter(entity_id=product.entity_id, sku=product.sku).exclude(pk=product.pk)
    if clash.exists():
        raise ValidationFailed(
            _("The reference '%(sku)s' is already used.") % {"sku": product.sku},
            field="sku",
            code="duplicate_sku",
        )


def product_state(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in sorted(PRODUCT_FIELDS)}


@transaction.atomic
def product_create(
    *, entity: LegalEntity, by: Actor, sku: str, name: str, unit_price: Decimal | str, **fields: Any
) -> Product:
    """Create a product or service of `entity`. A price never arrives as a float."""
    authorize(by, Action.EDIT_CATALOG, entity)
    cleaned = _clean({"sku": sku, "name": name, "unit_price": unit_price, **fields})
    product = Product(entity=entity, **cleaned)
    _check(product)
    product.save()
    audit_record(entity=entity, actor=by, action="product.created", obj=product, after=product_state(product))
    return product


@transaction.atomic
def product_update(*, product: Product, by: Actor, **fields: Any) -> Product:
    """Change a product. Lines already on documents keep their own copy of price and VAT."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    authorize(by, Action.EDIT_CATALOG, product.entity)
    before = product_state(product)
    for name, value in _clean(fields).items():
        setattr(product, name, value)
    _check(product)
    product.save()
    audit_record(entity=product.entity, actor=by, action="product.updated", obj=product,
                 before=before, after=product_state(product))  # fmt: skip
    return product
