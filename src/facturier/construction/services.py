"""Writes on construction contracts: create, record a situation, invoice it, accept the works, release
the retention. One transaction each, under the contract's row lock, audited.

A situation's invoice is an ordinary invoice made and issued through the invoicing services, so it is
numbered, validated against the EN 16931 rules and sealed as any other; docs/construction.md says how
the progress and the retention are carried in the e-invoice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.catalog.models import Product
from facturier.common.errors import Conflict, ValidationFailed
from facturier.construction import errors
from facturier.construction.models import (
    ConstructionContract,
    ContractLine,
    ContractStatus,
    RetentionRelease,
    Situation,
    SituationLine,
)
from facturier.construction.wording import invoice_note, line_description
from facturier.domain.construction.progress import (
    MAX_RETENTION_RATE,
    LineProgress,
    ProgressError,
    line_worth,
    progress_ratio,
    retention_of,
    situation_deltas,
)
from facturier.domain.money import InvalidCurrency, validate_currency
from facturier.invoicing.services import (
    AllowanceChargeData,
    LineData,
    document_create,
    invoice_issue,
    invoice_submit,
)
from facturier.invoicing.services.common import entity_today
from facturier.invoicing.totals import apply_totals
from facturier.parties.models import Customer

RESOURCE = "construction"
MAX_CONTRACT = Decimal("99999999999.99")
"""What one invoice may total (invoicing's MAX_AMOUNT): a situation never bills more than the contract."""


@dataclass(frozen=True)
class LineInput:
    """One line of the bill of quantities as given; VAT as on an invoice line."""

    description: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal | None = None
    unit: str = "C62"
    vat_category: str | None = None
    vat_rate: Decimal | None = None
    product: Product | None = None


@dataclass(frozen=True)
class ProgressInput:
    """The cumulative progress of one contract line: a percentage, or the quantity done so far."""

    line: ContractLine
    percent: Decimal | None = None
    quantity_done: Decimal | None = None


def state_of(contract: ConstructionContract) -> dict[str, Any]:
    return {
        "reference": contract.reference, "customer": str(contract.customer_id), "status": contract.status,
        "currency": contract.currency, "retention_rate": str(contract.retention_rate),
        "bank_guarantee_reference": contract.bank_guarantee_reference,
        "guarantee_months": contract.guarantee_months, "acceptance_date": contract.acceptance_date,
    }  # fmt: skip


def _checked_rate(rate: Decimal, bank_guarantee_reference: str) -> Decimal:
    if rate < 0 or rate > MAX_RETENTION_RATE:
        raise ValidationFailed(_("The retention guarantee is between 0 and 5 % (law 71-584)."),
                               field="retention_rate", code=errors.INVALID_RETENTION_RATE)  # fmt: skip
    if bank_guarantee_reference.strip() and rate != 0:
        raise ValidationFailed(
            _("A bank guarantee replaces the retention: the retention rate is then 0 %."),
            field="retention_rate", code=errors.INVALID_RETENTION_RATE,
        )  # fmt: skip
    return rate


def _fits(value: Decimal, digits: int, places: int) -> bool:
    """The value fits its column (PostgreSQL refuses what does not: an error, not a 500)."""
    if not value.is_finite():
        return False
    exponent = value.normalize().as_tuple().exponent
    return isinstance(exponent, int) and -exponent <= places and abs(value) < 10 ** (digits - places)


def _line(contract: ConstructionContract, data: LineInput, position: int) -> ContractLine:
    where = f"lines[{position - 1}]"
    product = data.product
    if product is not None and product.entity_id != contract.entity_id:
        raise ValidationFailed(_("Unknown product."), field=f"{where}.product", code="unknown_product")
    description = (data.description or (product.name if product else "")).strip()
    if not description:
        raise ValidationFailed(
            _("A line needs a description."), field=f"{where}.description", code="required"
        )
    price = data.unit_price if data.unit_price is not None else (product.unit_price if product else None)
    if (
        price is None
        or price < 0
        or data.quantity < 0
        or not _fits(data.quantity, 14, 4)
        or not _fits(price, 14, 6)
    ):
        raise ValidationFailed(_("Quantities and prices are given and not negative."),
                               field=f"{where}.quantity", code="invalid_amount")  # fmt: skip
    return ContractLine.objects.create(
        contract=contract, position=position, description=description[:300], unit=data.unit or "C62",
        quantity=data.quantity, unit_price=price, product=product,
        vat_category=data.vat_category or (product.vat_category if product else "S"),
        vat_rate=data.vat_rate if data.vat_rate is not None else (product.vat_rate if product else Decimal("20")),
    )  # fmt: skip


@transaction.atomic
def construction_contract_create(
    *,
    entity: LegalEntity,
    customer: Customer,
    by: Actor,
    reference: str,
    name: str,
    lines: list[LineInput],
    currency: str | None = None,
    retention_rate: Decimal = Decimal("5.00"),
    bank_guarantee_reference: str = "",
    guarantee_months: int = 12,
) -> ConstructionContract:
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource=RESOURCE)
    if customer.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer")
    if not reference.strip():
        raise ValidationFailed(_("A contract needs a reference."), field="reference", code="required")
    if ConstructionContract.objects.filter(entity=entity, reference=reference).exists():
        raise Conflict(_("A construction contract already has this reference."), field="reference",
                       code="duplicate_reference")  # fmt: skip
    if not lines:
        raise ValidationFailed(_("A contract needs at least one line."), field="lines", code="required")
    try:
        currency = validate_currency(currency or customer.currency or entity.default_currency)
    except InvalidCurrency as error:
        raise ValidationFailed(str(error), field="currency", code="invalid_currency") from error
    contract = ConstructionContract.objects.create(
        entity=entity, customer=customer, reference=reference.strip(), name=name.strip() or reference.strip(),
        currency=currency, retention_rate=_checked_rate(Decimal(retention_rate), bank_guarantee_reference),
        bank_guarantee_reference=bank_guarantee_reference.strip(), guarantee_months=guarantee_months,
    )  # fmt: skip
    worth = Decimal(0)
    for position, data in enumerate(lines, start=1):
        line = _line(contract, data, position)
        worth += line_worth(line.quantity, line.unit_price)
    if worth > MAX_CONTRACT:
        raise ValidationFailed(_("A contract is worth at most %(max)s.") % {"max": MAX_CONTRACT}, field="lines",
                               code="amount_too_large")  # fmt: skip
    audit_record(entity=entity, actor=by, action="construction_contract.created", obj=contract,
                 after=state_of(contract))  # fmt: skip
    return contract


def _locked(contract: ConstructionContract) -> ConstructionContract:
    locked: ConstructionContract = (
        ConstructionContract.objects.select_for_update()
        .select_related("entity", "customer")
        .get(pk=contract.pk)
    )
    return locked


def _ratio(line: ContractLine, percent: Decimal | None, done: Decimal | None) -> Fraction:
    return progress_ratio(quantity=line.quantity, percent=percent, done=done)


def _check_places(value: Decimal | None, field: str) -> None:
    if value is not None and (not value.is_finite() or value.as_tuple().exponent < -4):  # type: ignore[operator]
        raise ValidationFailed(_("At most 4 decimals."), field=field, code="invalid_amount")


@transaction.atomic
def situation_record(
    *,
    contract: ConstructionContract,
    by: Actor,
    progress: list[ProgressInput],
    date: dt.date | None = None,
    correction: bool = False,
) -> Situation:
    """Record the cumulative progress of the lines given (the others keep their progress): the next
    situation, to be invoiced by `situation_issue`."""
    contract = _locked(contract)
    authorize(by, Action.EDIT_DOCUMENTS, contract.entity, resource=RESOURCE)
    if contract.status == ContractStatus.CLOSED:
        raise Conflict(
            _("This contract is closed: it takes no more situations."), code=errors.CONTRACT_CLOSED
        )
    if contract.situations.filter(document__isnull=True).exists():
        raise Conflict(_("The previous situation is not invoiced yet: invoice it first."),
                       code=errors.SITUATION_PENDING)  # fmt: skip
    lines = list(contract.lines.all())
    given: dict[Any, ProgressInput] = {}
    for index, item in enumerate(progress):
        if item.line.contract_id != contract.pk:
            raise ValidationFailed(_("Unknown line."), field=f"progress[{index}].line", code="unknown_line")
        _check_places(item.percent, f"progress[{index}].percent")
        _check_places(item.quantity_done, f"progress[{index}].quantity_done")
        given[item.line.pk] = item
    last = contract.situations.order_by("-number").first()
    before = {sl.line_id: sl for sl in last.lines.all()} if last else {}
    states, stored = [], []
    for index, line in enumerate(lines):
        old = before.get(line.pk)
        previous = _ratio(line, old.percent, old.quantity_done) if old else Fraction(0)
        stated = given.get(line.pk)
        if stated is not None:
            percent, done = stated.percent, stated.quantity_done
        elif old is not None:
            percent, done = old.percent, old.quantity_done
        else:
            percent, done = Decimal(0), None
        try:
            current = _ratio(line, percent, done)
        except ProgressError as error:
            raise ValidationFailed(_("Line %(line)s: give a percentage or a quantity done.") % {"line": line.position},
                                   field=f"progress[{index}]", code=errors.PROGRESS_REQUIRED) from error  # fmt: skip
        states.append(LineProgress(line_worth(line.quantity, line.unit_price), previous, current))
        stored.append((line, percent, done))
    try:
        deltas = situation_deltas(states, correction=correction)
    except ProgressError as error:
        line = lines[error.index or 0]
        raise ValidationFailed(_progress_message(error.code, line), field=f"progress[{error.index}]",
                               code=error.code, line=line.position) from error  # fmt: skip
    number = (contract.situations.aggregate(n=Max("number"))["n"] or 0) + 1
    situation = Situation.objects.create(
        contract=contract, number=number, date=date or entity_today(contract.entity), correction=correction,
        amount=sum((delta.amount for delta in deltas), Decimal(0)),
    )  # fmt: skip
    SituationLine.objects.bulk_create(
        SituationLine(situation=situation, line=line, percent=percent, quantity_done=done,
                      cumulative=delta.cumulative, previous=delta.previous, amount=delta.amount)
        for (line, percent, done), delta in zip(stored, deltas, strict=True)
    )  # fmt: skip
    audit_record(entity=contract.entity, actor=by, action="construction_situation.recorded", obj=situation,
                 after={"contract": contract.reference, "number": number, "amount": str(situation.amount),
                        "correction": correction})  # fmt: skip
    return situation


def _progress_message(code: str, line: ContractLine) -> str:
    values = {"line": f"{line.position}. {line.description}"}
    if code == errors.PROGRESS_ABOVE_TOTAL:
        return _("%(line)s: progress is at most 100 %% of the line.") % values
    if code == errors.PROGRESS_DECREASING:
        return (
            _("%(line)s: progress cannot go down, unless the situation is marked as a correction.") % values
        )
    return _("%(line)s: progress is not negative.") % values


@transaction.atomic
def situation_issue(*, situation: Situation, by: Actor, issue_date: dt.date | None = None) -> Situation:
    """Invoice the situation: one line per contract line that progressed (its cumulative, previous and
    current amounts in the description), corrections as allowances, the retention withheld from the
    amount due (BT-113: docs/construction.md). The invoice is issued (numbered, validated, sealed)."""
    contract = _locked(situation.contract)
    # with approval the situation's invoice is submitted (then approved and issued by others), else issued
    action = Action.SUBMIT if contract.entity.requires_approval else Action.ISSUE
    authorize(by, action, contract.entity, resource="invoices")
    situation = Situation.objects.select_for_update().get(pk=situation.pk)
    if situation.document_id is not None:
        raise Conflict(_("This situation is already invoiced."), code=errors.SITUATION_ISSUED)
    if contract.status == ContractStatus.CLOSED:
        raise Conflict(
            _("This contract is closed: it takes no more situations."), code=errors.CONTRACT_CLOSED
        )
    rows = list(situation.lines.select_related("line", "line__product").order_by("line__position"))
    if situation.amount <= 0:
        code = errors.NOTHING_TO_BILL if situation.amount == 0 else errors.NEEDS_CREDIT_NOTE
        message = (_("Nothing progressed since the previous situation: nothing to invoice.")
                   if situation.amount == 0 else
                   _("This correction lowers what was invoiced: it needs a credit note."))  # fmt: skip
        raise Conflict(message, code=code)
    language = contract.customer.language
    lines = [LineData(description=line_description(row, contract.currency, language), quantity=Decimal(1),
                      unit_price=row.amount, unit="C62", vat_category=row.line.vat_category,
                      vat_rate=row.line.vat_rate, product=row.line.product)
             for row in rows if row.amount > 0]  # fmt: skip
    credits = [AllowanceChargeData(reason=line_description(row, contract.currency, language)[:200],
                                   amount=-row.amount, vat_category=row.line.vat_category,
                                   vat_rate=row.line.vat_rate)
               for row in rows if row.amount < 0]  # fmt: skip
    document = document_create(
        entity=contract.entity, kind="invoice", customer=contract.customer, by=by, lines=lines,
        allowances_charges=credits, currency=contract.currency,
    )  # fmt: skip
    retention = retention_of(document.tax_inclusive, contract.retention_rate)
    withheld_before = _withheld(contract)
    document.prepaid = retention
    document.note = invoice_note(contract, situation, retention, withheld_before + retention, language)
    apply_totals(document)
    document.save()
    if contract.entity.requires_approval:
        # the company approves its invoices first: the situation's invoice waits in the approval circuit,
        # retention included (an approver then issues it as any other invoice)
        issued = invoice_submit(invoice=document, by=by)
    else:
        issued = invoice_issue(invoice=document, by=by, issue_date=issue_date)
    situation.document = issued
    situation.retention = retention
    situation.save(update_fields=["document", "retention", "updated_at"])
    audit_record(entity=contract.entity, actor=by, action="construction_situation.issued", obj=situation,
                 after={"contract": contract.reference, "number": situation.number, "invoice": issued.number or str(issued.pk),
                        "amount": str(situation.amount), "retention": str(retention)})  # fmt: skip
    return situation


def _withheld(contract: ConstructionContract) -> Decimal:
    total = contract.situations.filter(document__isnull=False).aggregate(total=Sum("retention"))["total"]
    return Decimal(total or 0)


@transaction.atomic
def contract_accept(
    *, contract: ConstructionContract, by: Actor, acceptance_date: dt.date
) -> ConstructionContract:
    """Record the acceptance of the works (procès-verbal de réception): the guarantee period starts."""
    contract = _locked(contract)
    authorize(by, Action.EDIT_DOCUMENTS, contract.entity, resource=RESOURCE)
    if contract.status != ContractStatus.OPEN:
        raise Conflict(_("The works of this contract are already accepted."), code=errors.CONTRACT_CLOSED)
    before = state_of(contract)
    contract.acceptance_date = acceptance_date
    contract.status = ContractStatus.ACCEPTED
    contract.save(update_fields=["acceptance_date", "status", "updated_at"])
    audit_record(entity=contract.entity, actor=by, action="construction_contract.accepted", obj=contract,
                 before=before, after=state_of(contract))  # fmt: skip
    return contract


def release_due_date(contract: ConstructionContract) -> dt.date | None:
    """The end of the guarantee period: the acceptance date plus its months (one year by default)."""
    if contract.acceptance_date is None:
        return None
    due: dt.date = contract.acceptance_date + relativedelta(months=contract.guarantee_months)
    return due


@transaction.atomic
def retention_release(
    *,
    contract: ConstructionContract,
    by: Actor,
    day: dt.date | None = None,
    early: bool = False,
    reason: str = "",
) -> RetentionRelease:
    """Release the retention withheld on the contract's situations, exactly once: at the end of the
    guarantee period, or before it when ``early`` (with its reason). The contract closes."""
    contract = _locked(contract)
    authorize(by, Action.EDIT_DOCUMENTS, contract.entity, resource=RESOURCE)
    if RetentionRelease.objects.filter(contract=contract).exists():
        raise Conflict(
            _("The retention of this contract is already released."), code=errors.RETENTION_RELEASED
        )
    if contract.situations.filter(document__isnull=True).exists():
        raise Conflict(_("A situation is not invoiced yet: invoice it first."), code=errors.SITUATION_PENDING)
    day = day or entity_today(contract.entity)
    due = release_due_date(contract)
    if early:
        if not reason.strip():
            raise ValidationFailed(_("An early release needs its reason."), field="reason", code="required")
    elif due is None:
        raise Conflict(_("The works are not accepted yet: the guarantee period has not started."),
                       code=errors.NOT_ACCEPTED)  # fmt: skip
    elif day < due:
        raise Conflict(_("The guarantee period ends on %(date)s: the retention is released from that day.")
                       % {"date": due.isoformat()}, code=errors.RETENTION_NOT_DUE)  # fmt: skip
    release = RetentionRelease.objects.create(
        contract=contract, date=day, amount=_withheld(contract), early=early, reason=reason.strip()[:300]
    )
    before = state_of(contract)
    contract.status = ContractStatus.CLOSED
    contract.save(update_fields=["status", "updated_at"])
    audit_record(entity=contract.entity, actor=by, action="construction_retention.released", obj=contract,
                 before=before, after={**state_of(contract), "released": str(release.amount), "early": early})  # fmt: skip
    return release


def withheld_total(contract: ConstructionContract) -> Decimal:
    return _withheld(contract)
