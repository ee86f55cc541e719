"""Document lines and document-level allowances/charges as given, resolved and written.

Input comes from forms, the API and conversions (`LineData`, `AllowanceChargeData`); `resolve_line`
fills product defaults, applies the customer's VAT regime and checks amounts, the one rule the editor's
live totals also use. The draft services (`services/drafts.py`) call `write_lines` and
`write_allowances_charges`; credit notes and conversions copy a document with `lines_of` and
`allowances_of`.
"""

from dataclasses import dataclass, replace
from decimal import Context, Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _

from facturier.catalog.models import Product
from facturier.catalog.units import UNIT_CODES
from facturier.common import domain_wording
from facturier.common.cleaning import refuse_control_characters
from facturier.common.errors import ValidationFailed
from facturier.domain.money import AmountPrecisionError, check_amount
from facturier.domain.pricing.rules import PriceSource
from facturier.domain.tax.fr import treatment_for_regime
from facturier.invoicing.line_pricing import pricer_for
from facturier.invoicing.models import AllowanceCharge, Document, Line
from facturier.invoicing.services.draft_vat import (
    check_category,
    check_category_for_parties,
    check_outside_scope_alone,
    check_rate,
)
from facturier.parties.models import Customer
from facturier.pricing.resolution import Pricer

MANUAL = PriceSource.MANUAL.value
RowT = TypeVar("RowT", bound=models.Model)


@dataclass(frozen=True)
class LineData:
    """One line as given by a form, the API or a conversion. Product values fill what is left empty."""

    description: str = ""
    quantity: Decimal = Decimal("1")
    unit_price: Decimal | None = None
    unit: str | None = None
    discount_percent: Decimal = Decimal("0")
    vat_category: str | None = None
    vat_rate: Decimal | None = None
    product: Product | None = None
    accounting_category: str | None = None
    # Set only when copying a line that recorded them (conversions, credit notes): kept as they were.
    price_source: str = ""
    price_rule: str = ""
    discount_rule: str = ""


@dataclass(frozen=True)
class ResolvedLine:
    """A line once product defaults, the VAT regime and validation have been applied."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    unit: str
    discount_percent: Decimal
    vat_category: str
    vat_rate: Decimal
    product: Product | None
    accounting_category: str
    price_source: str = ""
    price_rule: str = ""
    discount_rule: str = ""


@dataclass(frozen=True)
class AllowanceChargeData:
    reason: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    is_charge: bool = False
    vat_category: str = "S"
    vat_rate: Decimal = Decimal("20.00")
    base_amount: Decimal | None = None


def checked_amount(value: Any, *, places: int, field: str) -> Decimal:
    try:
        return check_amount(Decimal(str(value)), places=places, max_integer_digits=14, field=field)
    except (AmountPrecisionError, ArithmeticError, ValueError) as error:
        raise ValidationFailed(
            domain_wording.amount(field, places=places, integer_digits=14), field=field, code="invalid_amount"
        ) from error


def check_text(value: str, *, field: str, model: type[models.Model], name: str) -> None:
    """Refuse text an e-invoice cannot carry or the column cannot hold, before anything is written."""
    refuse_control_characters(value, field=field)
    limit = getattr(model._meta.get_field(name), "max_length", None)
    if limit is not None and len(value) > limit:
        raise ValidationFailed(
            _("%(field)s: at most %(limit)s characters.") % {"field": field, "limit": limit},
            field=field,
            code="too_long",
        )


def resolve_line(
    data: LineData, index: int, document: Document, pricer: Pricer | None = None
) -> ResolvedLine:
    """Fill defaults from the product, price it (pricing rules), apply the customer's VAT regime, validate.

    Public so the editor's live totals resolve lines exactly as saving does. `pricer`: the document's
    pricing rules, loaded once for all its lines (built here when not given).
    """
    where = f"lines[{index}]"
    product = data.product
    if product is not None and product.entity_id != document.entity_id:
        raise ValidationFailed(_("Unknown product."), field=f"{where}.product", code="unknown_product")
    description = data.description or (product.name if product else "")
    raw_price = data.unit_price if data.unit_price is not None else (product.unit_price if product else None)
    raw_rate = (
        data.vat_rate if data.vat_rate is not None else (product.vat_rate if product else Decimal("20"))
    )
    accounting_category = data.accounting_category or (product.accounting_category if product else "services")
    if not description.strip():
        raise ValidationFailed(
            _("A line needs a description."), field=f"{where}.description", code="required"
        )
    check_text(description, field=f"{where}.description", model=Line, name="description")
    unit = data.unit or (product.unit if product else "C62")
    if unit not in UNIT_CODES:
        raise ValidationFailed(
            _("Unknown unit code '%(unit)s' (UN/ECE Recommendation 20).") % {"unit": unit},
            field=f"{where}.unit",
            code="invalid_unit",
        )
    if raw_price is None:
        raise ValidationFailed(_("A line needs a unit price."), field=f"{where}.unit_price", code="required")
    # BR-FR-DEC-02: an e-invoice quantity (BT-129) has at most 4 decimals
    quantity = checked_amount(data.quantity, places=4, field=f"{where}.quantity")
    unit_price = checked_amount(raw_price, places=6, field=f"{where}.unit_price")
    discount = checked_amount(data.discount_percent, places=2, field=f"{where}.discount_percent")
    priced = _priced(data, quantity, unit_price, discount, document, pricer)
    unit_price, discount = priced.unit_price, priced.discount_percent
    if quantity < 0 and not document.is_credit_note:
        raise ValidationFailed(
            _("Quantities cannot be negative on an invoice; use a credit note."),
            field=f"{where}.quantity",
            code="negative_quantity",
        )
    if unit_price < 0:
        raise ValidationFailed(
            _("A unit price is not negative (EN 16931 BR-27): a deduction is an allowance or a credit note."),
            field=f"{where}.unit_price", code="negative_price",
        )  # fmt: skip
    if not Decimal(0) <= discount <= Decimal(100):
        raise ValidationFailed(
            _("A discount is between 0 and 100 %."),
            field=f"{where}.discount_percent",
            code="invalid_discount",
        )
    category = data.vat_category or (product.vat_category if product else "S")
    rate = checked_amount(raw_rate, places=2, field=f"{where}.vat_rate")
    if not Decimal(0) <= rate <= Decimal(100):
        raise ValidationFailed(
            _("A VAT rate is between 0 and 100 %."), field=f"{where}.vat_rate", code="invalid_vat"
        )
    treatment = treatment_for_regime(document.customer.vat_regime, goods=accounting_category == "goods")
    if treatment is not None:
        category, rate = treatment.category, treatment.rate if treatment.rate is not None else Decimal("0")
    check_category(category, field=f"{where}.vat_category")
    check_rate(category, rate, field=f"{where}.vat_rate")
    check_category_for_parties(document, category, field=f"{where}.vat_category")
    return ResolvedLine(
        description=description, quantity=quantity, unit_price=unit_price,
        unit=unit, discount_percent=discount,
        vat_category=category, vat_rate=rate, product=product, accounting_category=accounting_category,
        price_source=priced.source, price_rule=priced.price_rule, discount_rule=priced.discount_rule,
    )  # fmt: skip


@dataclass(frozen=True)
class _Priced:
    unit_price: Decimal
    discount_percent: Decimal
    source: str
    price_rule: str = ""
    discount_rule: str = ""


def _priced(data: LineData, quantity: Decimal, unit_price: Decimal, discount: Decimal, document: Document,
            pricer: Pricer | None) -> _Priced:  # fmt: skip
    """The price and discount of a line and the rules they come from (docs/pricing.md).

    A copied line keeps what it recorded. A line with a product and no price typed (or the catalog
    price the editor's product picker fills in) takes the pricing rules' price, and their discount
    unless one was typed. A typed price wins, recorded as "manual"; typing back exactly what the rules
    give (the editor sends every line again on each save) keeps their name.
    """
    if data.price_source:
        return _Priced(unit_price, discount, data.price_source, data.price_rule, data.discount_rule)
    manual_discount = MANUAL if discount else ""
    product = data.product
    if product is None or (document.is_credit_note and data.unit_price is not None):
        return _Priced(
            unit_price, discount, MANUAL, "", manual_discount
        )  # a credit note credits what it is told
    rules = (pricer or pricer_for(document)).price(
        product, abs(quantity)
    )  # a credit note's quantity is negative
    untyped = data.unit_price is None or data.unit_price == product.unit_price
    if untyped or (unit_price == rules.unit_price and discount == rules.discount_percent):
        if discount and discount != rules.discount_percent:
            return _Priced(rules.unit_price, discount, rules.source, rules.price_rule, MANUAL)
        return _Priced(
            rules.unit_price, rules.discount_percent, rules.source, rules.price_rule, rules.discount_rule
        )
    return _Priced(unit_price, discount, MANUAL, "", manual_discount)


def check_line_count(count: int) -> None:
    """At most FACTURIER_MAX_DOCUMENT_LINES lines (API and editor alike): 10,000 took 16 s to create."""
    limit = settings.FACTURIER_MAX_DOCUMENT_LINES
    if count > limit:
        raise ValidationFailed(
            _("A document has at most %(max)s lines (%(count)s were given).")
            % {"max": limit, "count": count},
            field="lines",
            code="too_many_lines",
        )


def write_lines(
    document: Document, lines: list[LineData], pricer: Pricer | None = None, *, new: bool = False
) -> None:
    """Replace the document's lines (``new``: a document just created, with none to delete)."""
    rows = line_rows(document, lines, pricer)
    if not new:
        document.lines.all().delete()
    Line.objects.bulk_create(rows)


def line_rows(document: Document, lines: list[LineData], pricer: Pricer | None = None) -> list[Line]:
    """The document's lines, resolved and checked (`resolve_line`), as rows to insert: their values as
    their columns will hold them (`as_columns`), their net amounts still to compute (`totals.set_totals`)."""
    check_line_count(len(lines))
    pricer = pricer or pricer_for(document)
    resolved = [resolve_line(data, index, document, pricer) for index, data in enumerate(lines)]
    categories = {line.vat_category for line in resolved}
    check_outside_scope_alone(categories, field="lines")
    return [
        as_columns(
            Line(
                document=document,
                position=index + 1,
                product=data.product,
                description=data.description,
                quantity=data.quantity,
                unit=data.unit,
                unit_price=data.unit_price,
                discount_percent=data.discount_percent,
                vat_category=data.vat_category,
                vat_rate=data.vat_rate,
                accounting_category=data.accounting_category,
                price_source=data.price_source,
                price_rule=data.price_rule,
                discount_rule=data.discount_rule,
            )
        )  # fmt: skip
        for index, data in enumerate(resolved)
    ]


def as_columns(row: RowT) -> RowT:
    """``row`` with each decimal at its column's scale, as the database hands it back (Django's own
    rounding of a decimal column, `format_number`), so what is computed from it before the insert is what
    would be computed from the row read back."""
    for field in row._meta.concrete_fields:
        if isinstance(field, models.DecimalField):
            value = getattr(row, field.attname)
            if isinstance(value, Decimal) and value.is_finite():
                setattr(row, field.attname, value.quantize(Decimal(1).scaleb(-field.decimal_places),
                                                           context=Context(prec=field.max_digits)))  # fmt: skip
    return row


def allowance_vat(
    customer: Customer, item: AllowanceChargeData, line_vats: set[tuple[str, Decimal]]
) -> tuple[str, Decimal]:
    """The VAT of a document-level allowance or charge under the customer's regime.

    Under reverse charge, export or exemption a charge bears no French VAT either: it takes the
    category of the lines when they all share one (a delivery charge on goods exported is G),
    else the regime's category for services. Domestic customers keep what was given.
    ``line_vats`` are the (category, rate) pairs of the resolved lines.
    """
    services_treatment = treatment_for_regime(customer.vat_regime, goods=False)
    if services_treatment is None:
        return item.vat_category, item.vat_rate
    if len(line_vats) == 1:
        return next(iter(line_vats))
    rate = services_treatment.rate if services_treatment.rate is not None else Decimal("0")
    return services_treatment.category, rate


def write_allowances_charges(
    document: Document, items: list[AllowanceChargeData], *, new: bool = False
) -> None:
    """Replace the document's allowances and charges (``new``: a document just created, with none)."""
    if not new:
        document.allowances_charges.all().delete()
    if not items:
        return
    line_vats = set(document.lines.values_list("vat_category", "vat_rate"))
    AllowanceCharge.objects.bulk_create(allowance_rows(document, items, line_vats))


def allowance_rows(
    document: Document, items: list[AllowanceChargeData], line_vats: set[tuple[str, Decimal]]
) -> list[AllowanceCharge]:
    """The document's allowances and charges, checked, as rows to insert (`as_columns`; amounts of the
    percent ones still to compute). ``line_vats``: the (category, rate) pairs of the document's lines."""
    rows = []
    for index, item in enumerate(items):
        where = f"allowances_charges[{index}]"
        if (item.amount is None) == (item.percent is None):
            raise ValidationFailed(
                _("Give either an amount or a percent."), field=where, code="invalid_allowance"
            )
        amount = (
            checked_amount(item.amount, places=2, field=f"{where}.amount")
            if item.amount is not None
            else Decimal(0)
        )
        if amount < 0:
            raise ValidationFailed(_("Amounts of allowances and charges are positive."), field=f"{where}.amount",
                                   code="invalid_amount")  # fmt: skip
        check_text(item.reason, field=f"{where}.reason", model=AllowanceCharge, name="reason")
        vat_category, vat_rate = allowance_vat(document.customer, item, line_vats)
        check_category(vat_category, field=f"{where}.vat_category")
        check_rate(vat_category, vat_rate, field=f"{where}.vat_rate")
        check_outside_scope_alone({vat_category} | {category for category, _rate in line_vats},
                                   field=f"{where}.vat_category")  # fmt: skip
        check_category_for_parties(document, vat_category, field=f"{where}.vat_category")
        rows.append(as_columns(AllowanceCharge(
            document=document, is_charge=item.is_charge, reason=item.reason or ("Frais" if item.is_charge else "Remise"),
            amount=amount, percent=item.percent, base_amount=item.base_amount,
            vat_category=vat_category, vat_rate=vat_rate,
        )))  # fmt: skip
    return rows


def lines_of(document: Document) -> list[LineData]:
    return [
        LineData(
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            unit=line.unit,
            discount_percent=line.discount_percent,
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            product=line.product,
            accounting_category=line.accounting_category,
            price_source=line.price_source,
            price_rule=line.price_rule,
            discount_rule=line.discount_rule,
        )  # fmt: skip
        for line in document.lines.all()
    ]


def repriced_lines(document: Document) -> list[LineData]:
    """The document's lines to write again with the pricing rules of now (a promotion code was entered or
    removed): lines priced by the rules forget their price and discount, typed ones stay as they are."""
    return [
        replace(line, unit_price=None, discount_percent=Decimal(0), price_source="", price_rule="",
                discount_rule="")
        if line.product is not None and line.price_source in (PriceSource.PRODUCT, PriceSource.PRICE_LIST)
        else line
        for line in lines_of(document)
    ]  # fmt: skip


def allowances_of(document: Document) -> list[AllowanceChargeData]:
    return [
        AllowanceChargeData(
            reason=ac.reason,
            amount=None if ac.percent is not None else ac.amount,
            percent=ac.percent,
            is_charge=ac.is_charge,
            vat_category=ac.vat_category,
            vat_rate=ac.vat_rate,
            base_amount=ac.base_amount,
        )  # fmt: skip
        for ac in document.allowances_charges.all()
    ]
