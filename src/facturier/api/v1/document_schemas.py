"""Request and response bodies of the quote, order, invoice and credit-note endpoints.

Amounts are decimal strings both ways. Lines and allowances/charges given on an update replace the
document's whole list; fields not sent are left as they are.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool

from facturier.api.v1.types import (
    AmountIn,
    BaseAmountIn,
    CurrencyIn,
    DateIn,
    DecimalIn,
    DecimalOut,
    ExchangeRateIn,
    PercentIn,
    UnitIn,
    VatCategoryIn,
    required_text,
    text,
)
from facturier.audit.services import actor_label
from facturier.invoicing.lifecycle import is_issued_invoice


class LineIn(Schema):
    """A line; what is left out comes from the product (description, price, unit, VAT).

    The product is named by its id (`product`) or by its reference (`product_code`), as an ERP or
    CRM on the other side usually only knows the reference.
    """

    model_config = ConfigDict(extra="forbid")

    product: uuid.UUID | None = Field(None, description="a product of the catalogue, by its id")
    product_code: str | None = Field(
        None,
        max_length=50,
        description="or the same product by its reference (`sku` in /products): give `product` or "
        "`product_code`, not both",
        examples=["CONSEIL-J"],
    )
    description: text(500) = ""  # type: ignore[valid-type]
    quantity: DecimalIn = Field(Decimal("1"), description="negative only on credit notes")
    unit_price: DecimalIn | None = Field(None, description="excl. VAT, at most 6 decimals")
    unit: UnitIn | None = Field(None, description="UN/ECE Rec 20 code")
    discount_percent: PercentIn = Decimal("0")
    vat_category: VatCategoryIn | None = None
    vat_rate: PercentIn | None = None
    accounting_category: Literal["goods", "services"] | None = None


LineListIn = Annotated[
    list[LineIn],
    Field(
        json_schema_extra={"maxItems": settings.FACTURIER_MAX_DOCUMENT_LINES},
        description="at most FACTURIER_MAX_DOCUMENT_LINES lines (1000 by default): more is refused "
        "(422 `too_many_lines`, field `lines`)",
    ),
]
"""A document's lines. The drafting service enforces the bound, so the API and the editor share it."""


class AllowanceChargeIn(Schema):
    """A document-level allowance (discount) or charge: an amount, or a percent of the lines."""

    model_config = ConfigDict(extra="forbid")

    reason: text(200) = ""  # type: ignore[valid-type]
    is_charge: StrictBool = False
    amount: AmountIn | None = Field(None, description="at most 2 decimals")
    percent: PercentIn | None = None
    base_amount: BaseAmountIn | None = None
    vat_category: VatCategoryIn = "S"
    vat_rate: PercentIn = Decimal("20.00")


class HeaderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    currency: CurrencyIn | None = Field(None, description="ISO 4217; default: the customer's currency")
    exchange_rate: ExchangeRateIn | None = Field(None, description="to the company currency, if different")
    language: Literal["fr", "en"] | None = None
    payment_terms: text(20) | None = Field(None, description="net30, 45eom, eom45, netN...")  # type: ignore[valid-type]
    delivery_date: DateIn | None = None
    buyer_reference: text(100) | None = None  # type: ignore[valid-type]
    purchase_order_reference: text(100) | None = None  # type: ignore[valid-type]
    note: text() | None = None  # type: ignore[valid-type]
    promotion_code: text(40) | None = Field(  # type: ignore[valid-type]
        None,
        description="a promotion code (case ignored): refused with 422 `promotion_code_unknown`, `_expired`, "
        "`_not_yet_valid` or `_not_for_customer`; an empty string removes it. Lines priced by the rules "
        "follow it",
    )
    cost_centre: text(40) | None = Field(  # type: ignore[valid-type]
        None,
        description="the cost centre the document is booked to: approval rules by cost centre route it, "
        "it is read back here; not in the e-invoice. An empty string removes it",
        examples=["CC-PARIS"],
    )


class QuoteCreateIn(HeaderIn):
    customer: uuid.UUID
    lines: LineListIn
    allowances_charges: list[AllowanceChargeIn] = []
    issue_date: DateIn | None = Field(None, description="default: today")
    valid_until: DateIn | None = None


class OrderCreateIn(HeaderIn):
    customer: uuid.UUID
    lines: LineListIn
    allowances_charges: list[AllowanceChargeIn] = []
    issue_date: DateIn | None = Field(None, description="default: today")


class InvoiceCreateIn(HeaderIn):
    customer: uuid.UUID
    type_code: Literal["380", "384", "386"] = Field(
        "380", description="380 invoice, 384 corrective invoice, 386 deposit invoice"
    )
    lines: LineListIn
    allowances_charges: list[AllowanceChargeIn] = []
    deposits: list[uuid.UUID] = Field(
        [], description="issued deposit invoices deducted by this final invoice"
    )
    preceding_invoice: uuid.UUID | None = Field(None, description="the invoice a corrective invoice corrects")


class CreditNoteCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    invoice: uuid.UUID = Field(description="the issued invoice credited")
    lines: LineListIn | None = Field(None, description="default: every line of the invoice (full credit)")
    reason: text() = ""  # type: ignore[valid-type]


class CreditNoteFromInvoiceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lines: LineListIn | None = Field(None, description="default: every line of the invoice (full credit)")
    reason: text() = ""  # type: ignore[valid-type]


class DocumentUpdateIn(HeaderIn):
    """Only the fields sent change; `lines` and `allowances_charges` replace the whole lists."""

    customer: uuid.UUID | None = None
    lines: LineListIn | None = None
    allowances_charges: list[AllowanceChargeIn] | None = None
    issue_date: DateIn | None = Field(None, description="quotes and orders only")
    valid_until: DateIn | None = None


class IssueIn(Schema):
    model_config = ConfigDict(extra="forbid")

    issue_date: DateIn | None = Field(None, description="default: today in the company's time zone")


class RejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: required_text(1000)  # type: ignore[valid-type]


class ConvertIn(Schema):
    model_config = ConfigDict(extra="forbid")

    to: Literal["order", "invoice"]


class QuoteStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["sent", "accepted", "declined"]


class LineOut(Schema):
    position: int
    product: uuid.UUID | None
    description: str
    quantity: DecimalOut
    unit: str
    unit_price: DecimalOut
    discount_percent: DecimalOut
    vat_category: str
    vat_rate: DecimalOut
    accounting_category: str
    net_amount: DecimalOut
    price_source: str = Field(
        description="where the unit price came from: `price_list`, `product` (the catalogue), `manual` (typed); "
        "empty on lines written before pricing rules existed"
    )
    price_rule: str = Field(description="the price list (and quantity break) that gave the price, if any")
    discount_rule: str = Field(description="the discount or promotion that applied, `manual` when typed")

    @staticmethod
    def resolve_product(obj: Any) -> uuid.UUID | None:
        product_id: uuid.UUID | None = obj.product_id
        return product_id


class AllowanceChargeOut(Schema):
    is_charge: bool
    reason: str
    amount: DecimalOut
    percent: DecimalOut | None
    base_amount: DecimalOut | None
    vat_category: str
    vat_rate: DecimalOut


class VatBreakdownOut(Schema):
    category: str
    rate: str
    taxable_amount: str
    tax_amount: str


def _actor_name(user: Any, key: Any) -> str | None:
    """A document's user or API key as the audit trail names it; None when neither is recorded."""
    actor = user or key
    return None if actor is None else actor_label(actor)


def cents(amount: Any) -> Decimal:
    """A sum read from the database, to the cent (SQLite returns sums unscaled)."""
    return Decimal(amount).quantize(Decimal("0.01"))


class DocumentSummaryOut(Schema):
    id: uuid.UUID
    kind: str
    type_code: str
    status: str
    number: str
    customer: uuid.UUID
    customer_name: str
    issue_date: dt.date | None
    due_date: dt.date | None
    currency: str
    tax_exclusive: DecimalOut
    tax_total: DecimalOut
    tax_inclusive: DecimalOut
    payable: DecimalOut
    amount_paid: DecimalOut = Field(description="payments allocated to it")
    amount_credited: DecimalOut = Field(description="issued credit notes against it")
    balance: DecimalOut = Field(description="amount due less payments and credit notes")
    settlement: str | None = Field(
        description="issued invoices: unpaid, partially_paid, paid or overpaid (derived from allocations)"
    )
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_customer(obj: Any) -> uuid.UUID:
        customer_id: uuid.UUID = obj.customer_id
        return customer_id

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj.customer_snapshot.get("name") or obj.customer.name)

    @staticmethod
    def resolve_amount_paid(obj: Any) -> Decimal:
        return cents(obj.paid_amount)

    @staticmethod
    def resolve_amount_credited(obj: Any) -> Decimal:
        return cents(obj.credited_amount)

    @staticmethod
    def resolve_balance(obj: Any) -> Decimal:
        return cents(obj.balance)

    @staticmethod
    def resolve_settlement(obj: Any) -> str | None:
        return str(obj.settlement) if is_issued_invoice(obj) else None


class DocumentOut(DocumentSummaryOut):
    delivery_date: dt.date | None
    valid_until: dt.date | None
    exchange_rate: DecimalOut | None
    language: str
    payment_terms: str
    operation_category: str
    vat_on_debits: bool
    buyer_reference: str
    purchase_order_reference: str
    note: str
    promotion_code: str = Field(description="the promotion code entered on the document, if any")
    cost_centre: str = Field(description="the cost centre the document is booked to, if any")
    source: uuid.UUID | None = Field(description="the quote or order this was created from")
    preceding_invoice: uuid.UUID | None = Field(description="the invoice credited or corrected")
    deposits: list[uuid.UUID]
    lines: list[LineOut]
    allowances_charges: list[AllowanceChargeOut]
    line_total: DecimalOut
    allowance_total: DecimalOut
    charge_total: DecimalOut
    tax_total_accounting: DecimalOut | None
    prepaid: DecimalOut
    vat_breakdown: list[VatBreakdownOut]
    issued_at: dt.datetime | None
    created_by: str | None = Field(description="`user:<username>` or `apikey:<prefix>`; null: the system")
    submitted_by: str | None = Field(description="who submitted it for approval, named as `created_by`")
    approved_by: str | None = Field(description="who approved it: never its creator nor its submitter")
    rejection_reason: str = Field(description="the comment of the last rejection, if it was rejected")
    payment_url: str | None = Field(
        None, description="issued invoices of a company taking online payment: the customer's pay link"
    )

    @staticmethod
    def resolve_payment_url(obj: Any) -> str | None:
        from facturier.payments.online import pay_url

        return pay_url(obj) if is_issued_invoice(obj) else None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return _actor_name(obj.created_by, obj.created_by_key)

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str | None:
        return _actor_name(obj.submitted_by, obj.submitted_by_key)

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return _actor_name(obj.approved_by, obj.approved_by_key)

    @staticmethod
    def resolve_source(obj: Any) -> uuid.UUID | None:
        source_id: uuid.UUID | None = obj.source_id
        return source_id

    @staticmethod
    def resolve_preceding_invoice(obj: Any) -> uuid.UUID | None:
        preceding_id: uuid.UUID | None = obj.preceding_invoice_id
        return preceding_id

    @staticmethod
    def resolve_deposits(obj: Any) -> list[uuid.UUID]:
        return [deposit.pk for deposit in obj.deposits.all()]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_allowances_charges(obj: Any) -> list[Any]:
        return list(obj.allowances_charges.all())


class DocumentPageOut(Schema):
    items: list[DocumentSummaryOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")
