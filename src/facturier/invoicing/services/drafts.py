"""Creating and editing documents while they are drafts, and converting quote -> order -> invoice."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize, user_and_key
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common import domain_wording
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.calculation import CalculationError, Totals
from facturier.domain.money import InvalidCurrency, validate_currency
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing import errors
from facturier.invoicing.lifecycle import check_editable, check_transition, is_editable
from facturier.invoicing.line_pricing import pricer_for
from facturier.invoicing.lines import (
    AllowanceChargeData,
    LineData,
    allowance_rows,
    allowances_of,
    check_text,
    line_rows,
    lines_of,
    repriced_lines,
    write_allowances_charges,
    write_lines,
)
from facturier.invoicing.models import AllowanceCharge, Document, Kind, Line, Status, TypeCode
from facturier.invoicing.numbering import check_document_date, take_number
from facturier.invoicing.services.common import entity_today, locked, state_of
from facturier.invoicing.totals import apply_totals, set_totals
from facturier.parties.models import Customer
from facturier.pricing.resolution import Pricer

QUOTE_VALIDITY = dt.timedelta(days=30)
"""How long a quote stands when its author gives no date: printed as "Valable jusqu'au", editable."""


HEADER_FIELDS = frozenset(
    {
        "currency", "exchange_rate", "language", "payment_terms", "delivery_date", "valid_until", "buyer_reference",
        "purchase_order_reference", "note", "vat_on_debits", "issue_date", "promotion_code", "cost_centre",
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
    document.promotion_code = (document.promotion_code or "").strip()
    document.cost_centre = (document.cost_centre or "").strip()
    for name in ("buyer_reference", "purchase_order_reference", "note", "payment_terms", "promotion_code",
                 "cost_centre"):  # fmt: skip
        check_text(getattr(document, name) or "", field=name, model=Document, name=name)
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


def _checked_pricer(document: Document) -> Pricer:
    """The document's pricing rules, its promotion code refused when unknown, expired or not for its customer."""
    pricer = pricer_for(document)
    if document.promotion_code:
        pricer.check_code()
    return pricer


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


@dataclass
class DraftRows:
    """A draft built in memory and checked (`draft_build`): the document with its totals, its lines and
    allowances/charges with their amounts, as they are to be inserted."""

    document: Document
    lines: list[Line]
    allowances_charges: list[AllowanceCharge]
    deposits: list[Document]


def new_document(
    entity: LegalEntity, kind: str, customer: Customer, by: Actor, type_code: str,
    source: Document | None, preceding_invoice: Document | None, header: dict[str, Any],
) -> Document:  # fmt: skip
    """A new document with its header, checked, not saved: who may create it, for which customer, on the
    customer's terms (`starting_terms`) and the given header fields (`_set_header`)."""
    credit_note = kind == Kind.INVOICE and type_code == TypeCode.CREDIT_NOTE
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="credit_notes" if credit_note else f"{kind}s")
    if customer.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown customer."), field="customer", code=errors.UNKNOWN_CUSTOMER)
    document = Document(
        entity=entity, kind=Kind(kind), customer=customer, type_code=type_code if kind == Kind.INVOICE else "",
        **starting_terms(customer), vat_on_debits=entity.vat_on_debits, source=source, preceding_invoice=preceding_invoice,
    )  # fmt: skip
    document.created_by, document.created_by_key = user_and_key(by)
    _set_header(document, header)
    return document


def build_rows(
    document: Document,
    lines: list[LineData],
    allowances_charges: list[AllowanceChargeData],
    deposits: list[Document],
) -> DraftRows:
    """Resolve and check the lines and allowances/charges of a new document, and compute its totals
    from them before anything is written (no read-back: `lines.as_columns`, `totals.set_totals`)."""
    rows = line_rows(document, lines, _checked_pricer(document))
    line_vats = {(row.vat_category, row.vat_rate) for row in rows}
    charges = allowance_rows(document, allowances_charges, line_vats) if allowances_charges else []
    _check_deposits(document, deposits)
    document.prepaid = sum((deposit.tax_inclusive for deposit in deposits), Decimal("0"))
    try:
        totals = set_totals(document, rows, charges)
    except CalculationError as error:
        raise ValidationFailed(domain_wording.calculation(), field="lines", code="invalid_vat") from error
    _check_size(totals)
    return DraftRows(document, rows, charges, deposits)


@transaction.atomic
def document_create(
    *,
    entity: LegalEntity,
    kind: str,
    customer: Customer,
    by: Actor,
    lines: list[LineData],
    type_code: str = TypeCode.COMMERCIAL,
    allowances_charges: list[AllowanceChargeData] = (),  # type: ignore[assignment]
    deposits: list[Document] = (),  # type: ignore[assignment]
    source: Document | None = None,
    preceding_invoice: Document | None = None,
    **header: Any,
) -> Document:
    """Create a draft quote, order or invoice. Quotes and orders are numbered now; invoices at issue."""
    document = new_document(entity, kind, customer, by, type_code, source, preceding_invoice, header)
    if kind in (Kind.QUOTE, Kind.ORDER):
        taken = take_number(entity=entity, code=kind, day=document.issue_date or entity_today(entity))
        document.number, document.series, document.issue_date = taken.number, taken.series, taken.issue_date
        if kind == Kind.QUOTE and document.valid_until is None:
            document.valid_until = document.issue_date + QUOTE_VALIDITY
    else:
        document.issue_date = None
    draft = build_rows(document, list(lines), list(allowances_charges), list(deposits))
    document.save()
    Line.objects.bulk_create(draft.lines)
    if draft.allowances_charges:
        AllowanceCharge.objects.bulk_create(draft.allowances_charges)
    if draft.deposits:
        document.deposits.set(draft.deposits)
    audit_record(entity=entity, actor=by, action=f"{kind}.created", obj=document, after=state_of(document))
    return document


@transaction.atomic
def document_update(
    *,
    document: Document,
    by: Actor,
    lines: list[LineData] | None = None,
    allowances_charges: list[AllowanceChargeData] | None = None,
    deposits: list[Document] | None = None,
    customer: Customer | None = None,
    **header: Any,
) -> Document:
    """Change a draft. Issued documents are refused (their corrections are credit notes)."""
    document = locked(document)
    authorize(by, Action.EDIT_DOCUMENTS, document.entity, document)
    check_editable(document)
    before = state_of(document)
    if customer is not None and customer.pk != document.customer_id:
        if customer.entity_id != document.entity_id:
            raise ValidationFailed(_("Unknown customer."), field="customer", code=errors.UNKNOWN_CUSTOMER)
        lines, allowances_charges = _restated_for(document, customer, lines, allowances_charges)
        for name, value in starting_terms(customer, document).items():
            setattr(document, name, value)  # a new customer brings their terms, unless given below
        document.customer = customer
    if document.kind == Kind.INVOICE:
        header.pop("issue_date", None)
    elif header.get("issue_date") is not None:
        check_document_date(document.entity, header["issue_date"])  # a numbered quote or order re-dated
    code_before = document.promotion_code
    _set_header(document, header)
    pricer = _checked_pricer(document)
    if lines is None and document.promotion_code != code_before:
        lines = repriced_lines(document)  # a code entered or removed: the priced lines follow it
    if lines is not None:
        write_lines(document, lines, pricer)
    if allowances_charges is not None:
        write_allowances_charges(document, allowances_charges)
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
    stored for the old one, so the caller gives them again. Lines priced by the pricing rules take the
    new customer's prices; typed ones are kept.
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
        lines if lines is not None else repriced_lines(document),  # the new customer's prices
        allowances_charges if allowances_charges is not None else allowances_of(document),
    )


@transaction.atomic
def document_delete_draft(*, document: Document, by: Actor) -> None:
    document = locked(document)
    authorize(by, Action.EDIT_DOCUMENTS, document.entity, document)
    if document.kind != Kind.INVOICE or not is_editable(document):
        raise Conflict(_("Only draft invoices can be deleted."), code=errors.DOCUMENT_NOT_DELETABLE)
    audit_record(
        entity=document.entity, actor=by, action="invoice.deleted", obj=document, before=state_of(document)
    )
    document.delete()


@transaction.atomic
def document_convert(*, document: Document, to_kind: str, by: Actor, type_code: str = TypeCode.COMMERCIAL,
                     issue_date: dt.date | None = None) -> Document:  # fmt: skip
    """Quote -> order, quote -> invoice, order -> invoice: copies lines and keeps the link (`source`)."""
    document = locked(document)
    authorize(by, Action.EDIT_DOCUMENTS, document.entity, document)
    allowed: dict[str, set[str]] = {Kind.QUOTE: {Kind.ORDER, Kind.INVOICE}, Kind.ORDER: {Kind.INVOICE}}
    if to_kind not in allowed.get(document.kind, set()):
        raise Conflict(
            _("A %(kind_display)s cannot become a %(to_kind)s.")
            % {"kind_display": document.get_kind_display(), "to_kind": to_kind},
            code=errors.ILLEGAL_CONVERSION,
        )
    check_transition(document, Status.CONVERTED)
    header = {
        name: getattr(document, name)
        for name in ("currency", "exchange_rate", "language", "payment_terms", "buyer_reference",
                     "purchase_order_reference", "note", "delivery_date", "cost_centre")
    }  # fmt: skip
    if to_kind != Kind.INVOICE and issue_date is not None:
        header["issue_date"] = issue_date
    created = document_create(
        entity=document.entity, kind=to_kind, customer=document.customer, by=by, lines=lines_of(document),
        allowances_charges=allowances_of(document), type_code=type_code, source=document, **header,
    )  # fmt: skip
    before = state_of(document)
    document.status = Status.CONVERTED
    document.save(update_fields=["status", "updated_at"])
    audit_record(entity=document.entity, actor=by, action=f"{document.kind}.converted", obj=document,
                 before=before, after={**state_of(document), "into": str(created.pk)})  # fmt: skip
    return created
