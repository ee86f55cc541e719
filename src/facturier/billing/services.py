"""Writes on contracts: create, change (quantity, price, plan), terminate. One transaction each, audited.

A change never edits the past: the item in force ends the day the change takes effect and a new item
starts that day, so a period already invoiced is re-computed exactly (compute.py) and the difference
charged or credited on the next invoice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.billing import errors
from facturier.billing.models import (
    ChangeKind,
    Contract,
    ContractChange,
    ContractItem,
    ContractStatus,
    IndexSeries,
    Metric,
    ProrationPolicy,
)
from facturier.catalog.models import Product
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.billing.periods import InvalidFrequency, parse_frequency
from facturier.domain.billing.pricing import InvalidTiers, PricingModel, check_tiers
from facturier.domain.money import InvalidCurrency, validate_currency
from facturier.invoicing.services.common import entity_today
from facturier.parties.models import Customer
from facturier.pricing.resolution import Pricer


@dataclass(frozen=True)
class ItemData:
    """One contract item as given; VAT as on an invoice line (category S/E/AE/K/G/O/Z and rate)."""

    description: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal | None = None
    pricing_model: str = PricingModel.PER_UNIT
    tiers: list[dict[str, Any]] = field(default_factory=list)
    product: Product | None = None
    unit: str = "C62"
    vat_category: str | None = None
    vat_rate: Decimal | None = None
    metric: Metric | None = None  # metered: billed in arrears on the period's usage (billing.metering)
    threshold_amount: Decimal | None = None
    threshold_quantity: Decimal | None = None
    alert_percents: list[int] = field(default_factory=list)
    index_base: Decimal | None = None  # S0: the index value the price was set at (indexed items only)


def state_of(contract: Contract) -> dict[str, Any]:
    return {
        "reference": contract.reference, "customer": str(contract.customer_id), "status": contract.status,
        "start_date": contract.start_date, "end_date": contract.end_date, "frequency": contract.frequency,
        "timing": contract.timing, "alignment": contract.alignment, "currency": contract.currency,
    }  # fmt: skip


def _listed_price(contract: Contract, product: Product | None, quantity: Decimal, start: dt.date) -> Decimal:
    """An item with a product and no price of its own: the customer's price (price lists, then the
    catalogue) on the day the item starts, as an invoice line would get it (docs/pricing.md)."""
    if product is None:
        return Decimal(0)
    pricer = Pricer(entity=contract.entity, customer=contract.customer, currency=contract.currency, day=start)
    return pricer.price(product, quantity).unit_price


def _item(contract: Contract, data: ItemData, start: dt.date, index: int) -> ContractItem:
    where = f"items[{index}]"
    product = data.product
    if product is not None and product.entity_id != contract.entity_id:
        raise ValidationFailed(_("Unknown product."), field=f"{where}.product", code="unknown_product")
    description = data.description or (product.name if product else "")
    if not description.strip():
        raise ValidationFailed(
            _("An item needs a description."), field=f"{where}.description", code="required"
        )
    price = (
        data.unit_price
        if data.unit_price is not None
        else _listed_price(contract, product, data.quantity, start)
    )
    if data.quantity < 0 or price < 0:
        raise ValidationFailed(_("Quantities and prices are not negative."), field=f"{where}.quantity",
                               code="invalid_amount")  # fmt: skip
    try:
        model = PricingModel(data.pricing_model)
        if model in (PricingModel.TIERED, PricingModel.VOLUME):
            check_tiers(data.tiers)
    except (ValueError, InvalidTiers) as error:
        raise ValidationFailed(_("Invalid pricing: %(reason)s") % {"reason": error}, field=f"{where}.tiers",
                               code=errors.INVALID_TIERS) from error  # fmt: skip
    _check_metered(contract, data, where)
    return ContractItem.objects.create(
        metric=data.metric, threshold_amount=data.threshold_amount, threshold_quantity=data.threshold_quantity,
        alert_percents=list(data.alert_percents), contract=contract, product=product, description=description, pricing_model=model, tiers=list(data.tiers),
        quantity=data.quantity, unit_price=price, unit=data.unit,
        vat_category=data.vat_category or (product.vat_category if product else "S"),
        vat_rate=data.vat_rate if data.vat_rate is not None else (product.vat_rate if product else Decimal("20")),
        start_date=start, index_base=data.index_base,
    )  # fmt: skip


def _check_metered(contract: Contract, data: ItemData, where: str) -> None:
    if data.metric is None:
        if data.threshold_amount is not None or data.threshold_quantity is not None or data.alert_percents:
            raise ValidationFailed(_("Only a metered item has usage thresholds."), field=f"{where}.metric",
                                   code="required")  # fmt: skip
        return
    if data.metric.entity_id != contract.entity_id:
        raise ValidationFailed(_("Unknown metric."), field=f"{where}.metric", code=errors.UNKNOWN_METRIC)
    if data.pricing_model == PricingModel.FLAT:
        raise ValidationFailed(_("A metered item is priced per unit, tiered or by volume."),
                               field=f"{where}.pricing_model", code=errors.INVALID_TIERS)  # fmt: skip
    thresholds = [t for t in (data.threshold_amount, data.threshold_quantity) if t is not None]
    if len(thresholds) > 1 or any(t <= 0 for t in thresholds):
        raise ValidationFailed(_("One positive threshold: an amount or a quantity."),
                               field=f"{where}.threshold_amount", code="invalid_threshold")  # fmt: skip
    if any(not isinstance(p, int) or not 0 < p < 100 for p in data.alert_percents) or (
        data.alert_percents and not thresholds
    ):
        raise ValidationFailed(_("Alerts are percentages between 1 and 99 of a threshold."),
                               field=f"{where}.alert_percents", code="invalid_threshold")  # fmt: skip


@transaction.atomic
def contract_create(
    *,
    entity: LegalEntity,
    customer: Customer,
    by: Actor,
    reference: str,
    start_date: dt.date,
    items: list[ItemData],
    end_date: dt.date | None = None,
    frequency: str = "monthly",
    timing: str = "advance",
    alignment: str = "calendar",
    trial_days: int = 0,
    currency: str | None = None,
    tacit_renewal: bool = True,
    term_months: int | None = None,
    notice_days: int = 0,
    proration_policy: str = ProrationPolicy.NEXT_INVOICE,
    minimum_amount: Decimal | None = None,
    notify_days: int | None = None,
    index_series: IndexSeries | None = None,
    revision_date: dt.date | None = None,
) -> Contract:
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="contracts")
    if customer.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer")
    try:
        frequency = parse_frequency(frequency).spec
    except InvalidFrequency as error:
        raise ValidationFailed(str(error), field="frequency", code=errors.INVALID_FREQUENCY) from error
    try:
        currency = validate_currency(currency or customer.currency or entity.default_currency)
    except InvalidCurrency as error:
        raise ValidationFailed(str(error), field="currency", code="invalid_currency") from error
    if end_date is not None and end_date <= start_date:
        raise ValidationFailed(
            _("A contract ends after it starts."), field="end_date", code=errors.INVALID_DATES
        )
    if index_series is not None and (index_series.entity_id != entity.pk or revision_date is None):
        raise ValidationFailed(_("An indexed contract needs an index of the company and a revision date."),
                               field="revision_date", code=errors.INVALID_DATES)  # fmt: skip
    if minimum_amount is not None and minimum_amount < 0:
        raise ValidationFailed(_("Quantities and prices are not negative."), field="minimum_amount",
                               code="invalid_amount")  # fmt: skip
    contract = Contract.objects.create(
        entity=entity, customer=customer, reference=reference, start_date=start_date, end_date=end_date,
        frequency=frequency, timing=timing, alignment=alignment, trial_days=trial_days, currency=currency,
        tacit_renewal=tacit_renewal, term_months=term_months, notice_days=notice_days,
        proration_policy=ProrationPolicy(proration_policy), minimum_amount=minimum_amount, notify_days=notify_days,
        index_series=index_series, revision_date=revision_date if index_series is not None else None,
    )  # fmt: skip
    for index, data in enumerate(items):
        _item(contract, data, start_date, index)
    audit_record(entity=entity, actor=by, action="contract.created", obj=contract, after=state_of(contract))
    return contract


def _locked(contract: Contract) -> Contract:
    locked: Contract = Contract.objects.select_for_update().get(pk=contract.pk)
    return locked


@transaction.atomic
def contract_change(
    *,
    contract: Contract,
    by: Actor,
    effective_date: dt.date,
    item: ContractItem | None = None,
    new: ItemData | None = None,
    kind: str = ChangeKind.QUANTITY,
) -> ContractChange:
    """From ``effective_date``: ``item`` replaced by ``new`` (quantity, price, plan), removed (``new`` None),
    or ``new`` added (``item`` None). Days already invoiced are credited or charged on the next invoice."""
    contract = _locked(contract)
    authorize(by, Action.EDIT_DOCUMENTS, contract.entity, resource="contracts")
    if contract.status != ContractStatus.ACTIVE:
        raise Conflict(_("A terminated contract does not change."), code=errors.CONTRACT_TERMINATED)
    if effective_date < contract.start_date or (contract.end_date and effective_date >= contract.end_date):
        raise ValidationFailed(_("The change takes effect while the contract runs."), field="effective_date",
                               code=errors.INVALID_DATES)  # fmt: skip
    old = None
    if item is not None:
        old = ContractItem.objects.select_for_update().filter(pk=item.pk, contract=contract).first()
        if (
            old is None
            or old.start_date > effective_date
            or (old.end_date and old.end_date <= effective_date)
        ):
            raise ValidationFailed(
                _("This item is not in force on that day."), field="item", code=errors.UNKNOWN_ITEM
            )
        old.end_date = effective_date
        old.save(update_fields=["end_date"])
    created = _item(contract, new, effective_date, 0) if new is not None else None
    kind = ChangeKind(kind) if old and created else (ChangeKind.ADDED if created else ChangeKind.REMOVED)
    change = ContractChange.objects.create(
        contract=contract, effective_date=effective_date, kind=kind, old_item=old, new_item=created,
        details={"before": _item_state(old), "after": _item_state(created)},
    )  # fmt: skip
    audit_record(entity=contract.entity, actor=by, action="contract.changed", obj=contract,
                 after={**state_of(contract), "change": kind, "effective_date": effective_date})  # fmt: skip
    _settle_now(contract, change, by)
    return change


def _settle_now(contract: Contract, change: ContractChange, by: Actor) -> None:
    """Policy `immediate`: the difference on periods already invoiced is invoiced or credited now (an
    adjustment invoice or a credit note), not on the next invoice."""
    if contract.proration_policy != ProrationPolicy.IMMEDIATE:
        return
    from facturier.billing.runs import settle_pending

    done = settle_pending(contract, by)
    change.details = {**change.details, "settled": done}
    change.save(update_fields=["details"])


def _item_state(item: ContractItem | None) -> dict[str, str] | None:
    if item is None:
        return None
    return {"description": item.description, "quantity": str(item.quantity), "unit_price": str(item.unit_price),
            "pricing_model": item.pricing_model}  # fmt: skip


@transaction.atomic
def contract_terminate(*, contract: Contract, by: Actor, end_date: dt.date) -> Contract:
    """The contract stops being billed from ``end_date`` (first day no longer billed); unused days billed
    in advance are credited on the next invoice (or a credit note when nothing else is billed)."""
    contract = _locked(contract)
    authorize(by, Action.EDIT_DOCUMENTS, contract.entity, resource="contracts")
    if contract.status != ContractStatus.ACTIVE:
        raise Conflict(_("This contract is already terminated."), code=errors.CONTRACT_TERMINATED)
    if end_date <= contract.start_date:
        raise ValidationFailed(
            _("A contract ends after it starts."), field="end_date", code=errors.INVALID_DATES
        )
    earliest = entity_today(contract.entity) + dt.timedelta(days=contract.notice_days)
    if contract.notice_days and end_date < earliest:
        raise ValidationFailed(
            _("This contract has %(days)s days' notice: it ends on %(earliest)s at the earliest.")
            % {"days": contract.notice_days, "earliest": earliest},
            field="end_date", code=errors.NOTICE_PERIOD,
        )  # fmt: skip
    before = state_of(contract)
    contract.end_date = min(end_date, contract.end_date) if contract.end_date else end_date
    contract.status = ContractStatus.TERMINATED
    contract.save(update_fields=["end_date", "status", "updated_at"])
    change = ContractChange.objects.create(
        contract=contract, effective_date=contract.end_date, kind=ChangeKind.TERMINATION
    )
    audit_record(entity=contract.entity, actor=by, action="contract.terminated", obj=contract, before=before,
                 after=state_of(contract))  # fmt: skip
    _settle_now(contract, change, by)
    return contract
