"""Creating and editing documents while they are drafts, and converting quote -> order -> invoice."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

from facturier.accounts.authorization import user_and_key
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.catalog.models import Product
from facturier.catalog.units import UNIT_CODES
from facturier.common import domain_wording
from facturier.common.cleaning import refuse_control_characters
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.calculation import CalculationError, Totals
from facturier.domain.money import AmountPrecisionError, InvalidCurrency, check_amount, validate_currency
from facturier.domain.payment_terms import parse_terms
from facturier.domain.tax.fr import treatment_for_regime
from facturier.invoicing.lifecycle import check_editable, check_transition
from facturier.invoicing.models import AllowanceCharge, Document, Kind, Line, Status, TypeCode
from facturier.invoicing.numbering import check_document_date, take_number
from facturier.invoicing.services.common import authorize, entity_today, locked, state_of
from facturier.invoicing.services.draft_vat import (
    check_category,
    check_category_for_parties,
    check_outside_scope_alone,
    check_rate,
)
from facturier.invoicing.totals import apply_totals
from facturier.parties.models import Customer

QUOTE_VALIDITY = dt.timedelta(days=30)
"""How long a quote stands when its author gives no date: printed as "Valable jusqu'au", editable."""


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


@dataclass(frozen=True)
class _ResolvedLine:
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


@dataclass(frozen=True)
class AllowanceChargeData:
    reason: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    is_charge: bool = False
    vat_category: str = "S"
    vat_rate: Decimal = Decimal("20.00")
    base_amount: Decimal | None = None


HEADER_FIELDS = frozenset(
    {
        "currency", "exchange_rate", "language", "payment_terms", "delivery_date", "valid_until", "buyer_reference",
        "purchase_order_reference", "note", "vat_on_debits", "issue_date",
    }
)  # fmt: skip


CUSTOMER_TERMS = ("currency", "language", "payment_terms")


def starting_terms(customer: Customer, document: Document | None = None) -> dict[str, str]:
    """Currency, language and payment terms of a draft before the caller's own values apply.

    A new document, or one that changes customer, takes the customer's (the VAT regime applies line
    by line in `resolve_line`); otherwise the document keeps its own. The one rule for the API, the
    editor and its live preview, so a due date never depends on the screen an invoice came from.
    """
    source: Any = document if document is not None and document.customer_id == customer.pk else customer
    return {name: getattr(source, name) for name in CUSTOMER_TERMS}


def _amount(value: Any, *, places: int, field: str) -> Decimal:
    try:
        return check_amount(Decimal(str(value)), places=places, max_integer_digits=14, field=field)
    except (AmountPrecisionError, ArithmeticError, ValueError) as error:
        raise ValidationFailed(
            domain_wording.amount(field, places=places, integer_digits=14), field=field, code="invalid_amount"
        ) from error


def _check_text(value: str, *, field: str, model: type[models.Model], name: str) -> None:
    """Refuse text an e-invoice cannot carry or the column cannot hold, before anything is written."""
    refuse_control_characters(value, field=field)
    limit = getattr(model._meta.get_field(name), "max_length", None)
    if limit is not None and len(value) > limit:
        raise ValidationFailed(
            _("%(field)s: at most %(limit)s characters.") % {"field": field, "limit": limit},
            field=field,
            code="too_long",
        )


def resolve_line(data: LineData, index: int, document: Document) -> _ResolvedLine:
    """Fill defaults from the product, apply the customer's VAT regime, validate amounts.

    Public so the editor's live totals resolve lines exactly as saving does.
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
    _check_text(description, field=f"{where}.description", model=Line, name="description")
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
    quantity = _amount(data.quantity, places=4, field=f"{where}.quantity")
    unit_price = _amount(raw_price, places=6, field=f"{where}.unit_price")
    discount = _amount(data.discount_percent, places=2, field=f"{where}.discount_percent")
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
    rate = _amount(raw_rate, places=2, field=f"{where}.vat_rate")
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
    return _ResolvedLine(
        description=description, quantity=quantity, unit_price=unit_price,
        unit=unit, discount_percent=discount,
        vat_category=category, vat_rate=rate, product=product, accounting_category=accounting_category,
    )  # fmt: skip


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


def _write_lines(document: Document, lines: list[LineData]) -> None:
    check_line_count(len(lines))
    document.lines.all().delete()
    resolved = [resolve_line(data, index, document) for index, data in enumerate(lines)]
    categories = {line.vat_category for line in resolved}
    check_outside_scope_alone(categories, field="lines")
    Line.objects.bulk_create(
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
        )
        for index, data in enumerate(resolved)
    )


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


def _write_allowances_charges(document: Document, items: list[AllowanceChargeData]) -> None:
    document.allowances_charges.all().delete()
    line_vats = set(document.lines.values_list("vat_category", "vat_rate"))
    for index, item in enumerate(items):
        where = f"allowances_charges[{index}]"
        if (item.amount is None) == (item.percent is None):
            raise ValidationFailed(
                _("Give either an amount or a percent."), field=where, code="invalid_allowance"
            )
        amount = (
            _amount(item.amount, places=2, field=f"{where}.amount") if item.amount is not None else Decimal(0)
        )
        if amount < 0:
            raise ValidationFailed(_("Amounts of allowances and charges are positive."), field=f"{where}.amount",
                                   code="invalid_amount")  # fmt: skip
        _check_text(item.reason, field=f"{where}.reason", model=AllowanceCharge, name="reason")
        vat_category, vat_rate = allowance_vat(document.customer, item, line_vats)
        check_category(vat_category, field=f"{where}.vat_category")
        check_rate(vat_category, vat_rate, field=f"{where}.vat_rate")
        check_outside_scope_alone({vat_category} | {category for category, _rate in line_vats},
                                   field=f"{where}.vat_category")  # fmt: skip
        check_category_for_parties(document, vat_category, field=f"{where}.vat_category")
        AllowanceCharge.objects.create(
            document=document, is_charge=item.is_charge, reason=item.reason or ("Frais" if item.is_charge else "Remise"),
            amount=amount, percent=item.percent, base_amount=item.base_amount,
            vat_category=vat_category, vat_rate=vat_rate,
        )  # fmt: skip


def _set_header(document: Document, values: dict[str, Any]) -> None:
    unknown = set(values) - HEADER_FIELDS
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
            code="unknown_field",
        )
    for name, value in values.items():
        setattr(document, name, value)
    for name in ("buyer_reference", "purchase_order_reference", "note", "payment_terms"):
        _check_text(getattr(document, name) or "", field=name, model=Document, name=name)
    if document.language not in ("fr", "en"):
        raise ValidationFailed(
            _("The document language is 'fr' or 'en'."), field="language", code="invalid_language"
        )
    try:
        parse_terms(document.payment_terms)
    except ValueError as error:
        raise ValidationFailed(
            domain_wording.payment_terms(document.payment_terms),
            field="payment_terms",
            code="invalid_payment_terms",
        ) from error
    try:
        document.currency = validate_currency(document.currency)
    except InvalidCurrency as error:
        raise ValidationFailed(
            domain_wording.currency(document.currency), field="currency", code="invalid_currency"
        ) from error
    if document.currency == document.entity.default_currency:
        document.exchange_rate = None
    elif document.exchange_rate is None or Decimal(document.exchange_rate) <= 0:
        raise ValidationFailed(
            _("An invoice in %(currency)s needs the exchange rate to %(default_currency)s.") % {"currency": document.currency, "default_currency": document.entity.default_currency},
            field="exchange_rate", code="exchange_rate_required",
        )  # fmt: skip


def _recompute(document: Document, deposits: list[Document] | None = None) -> None:
    if deposits is not None:
        document.deposits.set(deposits)
        document.prepaid = sum((deposit.tax_inclusive for deposit in deposits), Decimal("0"))
    try:
        totals = apply_totals(document)
    except CalculationError as error:
        raise ValidationFailed(domain_wording.calculation(), field="lines", code="invalid_vat") from error
    _check_size(totals)
    document.save()


# The official rules add amounts as XPath doubles (15-16 significant digits): beyond a hundred
# billion the totals no longer reconcile to the cent in the validator (BR-CO-15 fails).
MAX_AMOUNT = Decimal("99999999999.99")


def _check_size(totals: Totals) -> None:
    for index, line in enumerate(totals.lines):
        if abs(line.gross_amount) > MAX_AMOUNT:
            raise ValidationFailed(_("A line amount is at most %(max)s.") % {"max": MAX_AMOUNT}, field=f"lines[{index}].quantity",
                                   code="amount_too_large")  # fmt: skip
    if max(abs(totals.line_total), abs(totals.tax_inclusive), abs(totals.payable)) > MAX_AMOUNT:
        raise ValidationFailed(
            _("A document total is at most %(max)s.") % {"max": MAX_AMOUNT},
            field="lines",
            code="amount_too_large",
        )


def _check_deposits(document: Document, deposits: list[Document]) -> None:
    for deposit in deposits:
        if (deposit.entity_id, deposit.customer_id, deposit.type_code) != (
            document.entity_id,
            document.customer_id,
            TypeCode.DEPOSIT,
        ) or not deposit.is_sealed:
            raise ValidationFailed(
                _("%(deposit)s is not an issued deposit invoice of this customer.") % {"deposit": deposit},
                field="deposits",
                code="invalid_deposit",
            )


@transaction.atomic
def document_create(
    *,
    entity: LegalEntity,
    kind: str,
    customer: Customer,
    by: Any | None,
    lines: list[LineData],
    type_code: str = TypeCode.COMMERCIAL,
    allowances_charges: list[AllowanceChargeData] = (),  # type: ignore[assignment]
    deposits: list[Document] = (),  # type: ignore[assignment]
    source: Document | None = None,
    preceding_invoice: Document | None = None,
    **header: Any,
) -> Document:
    """Create a draft quote, order or invoice. Quotes and orders are numbered now; invoices at issue."""
    authorize(by, entity, Action.EDIT_DOCUMENTS)
    if customer.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer")
    document = Document(
        entity=entity, kind=Kind(kind), customer=customer, type_code=type_code if kind == Kind.INVOICE else "",
        **starting_terms(customer), vat_on_debits=entity.vat_on_debits, source=source, preceding_invoice=preceding_invoice,
    )  # fmt: skip
    document.created_by, document.created_by_key = user_and_key(by)
    _set_header(document, header)
    if kind in (Kind.QUOTE, Kind.ORDER):
        taken = take_number(entity=entity, code=kind, day=document.issue_date or entity_today(entity))
        document.number, document.series, document.issue_date = taken.number, taken.series, taken.issue_date
        if kind == Kind.QUOTE and document.valid_until is None:
            document.valid_until = document.issue_date + QUOTE_VALIDITY
    else:
        document.issue_date = None
    document.save()
    _write_lines(document, list(lines))
    _write_allowances_charges(document, list(allowances_charges))
    _check_deposits(document, list(deposits))
    _recompute(document, list(deposits))
    audit_record(entity=entity, actor=by, action=f"{kind}.created", obj=document, after=state_of(document))
    return document


@transaction.atomic
def document_update(
    *,
    document: Document,
    by: Any | None,
    lines: list[LineData] | None = None,
    allowances_charges: list[AllowanceChargeData] | None = None,
    deposits: list[Document] | None = None,
    customer: Customer | None = None,
    **header: Any,
) -> Document:
    """Change a draft. Issued documents are refused (their corrections are credit notes)."""
    document = locked(document)
    authorize(by, document.entity, Action.EDIT_DOCUMENTS)
    check_editable(document)
    before = state_of(document)
    if customer is not None and customer.pk != document.customer_id:
        if customer.entity_id != document.entity_id:
            raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer")
        lines, allowances_charges = _restated_for(document, customer, lines, allowances_charges)
        for name, value in starting_terms(customer, document).items():
            setattr(document, name, value)  # a new customer brings their terms, unless given below
        document.customer = customer
    if document.kind == Kind.INVOICE:
        header.pop("issue_date", None)
    elif header.get("issue_date") is not None:
        check_document_date(document.entity, header["issue_date"])  # a numbered quote or order re-dated
    _set_header(document, header)
    if lines is not None:
        _write_lines(document, lines)
    if allowances_charges is not None:
        _write_allowances_charges(document, allowances_charges)
    if deposits is not None:
        _check_deposits(document, deposits)
    _recompute(document, deposits)
    audit_record(entity=document.entity, actor=by, action=f"{document.kind}.updated", obj=document,
                 before=before, after=state_of(document))  # fmt: skip
    return document


def _restated_for(
    document: Document,
    customer: Customer,
    lines: list[LineData] | None,
    allowances_charges: list[AllowanceChargeData] | None,
) -> tuple[list[LineData], list[AllowanceChargeData]]:
    """The lines and allowances to write for a new customer: their VAT depends on who buys.

    Kept lines are checked again for the new customer (a reverse-charge line for a consumer is
    refused); under another VAT regime their category and rate cannot be restated from what was
    stored for the old one, so the caller gives them again.
    """
    if lines is None and customer.vat_regime != document.customer.vat_regime:
        raise ValidationFailed(
            _(
                "%(new)s is taxed under another VAT regime than %(old)s: give the lines again so their VAT "
                "follows the new customer."
            )
            % {"new": customer, "old": document.customer},
            field="lines", code="lines_required_for_new_customer",
        )  # fmt: skip
    return (
        lines if lines is not None else _lines_of(document),
        allowances_charges if allowances_charges is not None else _allowances_of(document),
    )


@transaction.atomic
def document_delete_draft(*, document: Document, by: Any | None) -> None:
    document = locked(document)
    authorize(by, document.entity, Action.EDIT_DOCUMENTS)
    if document.kind != Kind.INVOICE or document.status != Status.DRAFT or document.is_sealed:
        raise Conflict(_("Only draft invoices can be deleted."), code="document_not_deletable")
    audit_record(
        entity=document.entity, actor=by, action="invoice.deleted", obj=document, before=state_of(document)
    )
    document.delete()


def _lines_of(document: Document) -> list[LineData]:
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
        )  # fmt: skip
        for line in document.lines.all()
    ]


def _allowances_of(document: Document) -> list[AllowanceChargeData]:
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


@transaction.atomic
def document_convert(*, document: Document, to_kind: str, by: Any | None, type_code: str = TypeCode.COMMERCIAL,
                     issue_date: dt.date | None = None) -> Document:  # fmt: skip
    """Quote -> order, quote -> invoice, order -> invoice: copies lines and keeps the link (`source`)."""
    document = locked(document)
    allowed: dict[str, set[str]] = {Kind.QUOTE: {Kind.ORDER, Kind.INVOICE}, Kind.ORDER: {Kind.INVOICE}}
    if to_kind not in allowed.get(document.kind, set()):
        raise Conflict(
            _("A %(kind_display)s cannot become a %(to_kind)s.")
            % {"kind_display": document.get_kind_display(), "to_kind": to_kind},
            code="illegal_conversion",
        )
    check_transition(document, Status.CONVERTED)
    header = {
        name: getattr(document, name)
        for name in ("currency", "exchange_rate", "language", "payment_terms", "buyer_reference",
                     "purchase_order_reference", "note", "delivery_date")
    }  # fmt: skip
    if to_kind != Kind.INVOICE and issue_date is not None:
        header["issue_date"] = issue_date
    created = document_create(
        entity=document.entity, kind=to_kind, customer=document.customer, by=by, lines=_lines_of(document),
        allowances_charges=_allowances_of(document), type_code=type_code, source=document, **header,
    )  # fmt: skip
    before = state_of(document)
    document.status = Status.CONVERTED
    document.save(update_fields=["status", "updated_at"])
    audit_record(entity=document.entity, actor=by, action=f"{document.kind}.converted", obj=document,
                 before=before, after={**state_of(document), "into": str(created.pk)})  # fmt: skip
    return created
