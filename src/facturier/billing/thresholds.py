"""Progressive billing: when accepted usage makes a metered item cross its threshold in the current
period, the usage not invoiced yet is invoiced and issued at once; alerts at chosen percentages.

Where and when: in the transaction of the batch that crossed it (`billing.usage.usage_record`), so the
invoice exists if and only if the events that caused it are committed. For each touched item the row of
the item is locked (`SELECT ... FOR UPDATE`): two batches of the same customer queue on it, the second
one sees the first one's events and progressive invoice, so a crossing is invoiced exactly once (and the
`UsageCharge(item, period, sequence)` unique constraint is the backstop). The invoice is made by the
system actor (the API key that sent the events need not hold `invoices:write`) and issued in a savepoint
(kept as a draft when the company requires approval or the issue fails).

The measure is what is not invoiced yet in the current period: the amount (the period's usage priced,
rounded, minus the progressive invoices of the period) for ``threshold_amount``, else the quantity
(aggregated minus invoiced) for ``threshold_quantity``. Alerts (``alert_percents``, e.g. ``[80]``) fire
once per crossing sequence and percentage: an audited `usage.alert` event (hence an outbox event for
webhooks) and an email to the company's address (a job run, sent after commit when email is set up).
The period's own invoice deducts the amounts already invoiced (`billing.metering.metered_amount`).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import SYSTEM
from facturier.accounts.models import LegalEntity
from facturier.audit.services import audit_record
from facturier.billing.metering import aggregated_many, charged_many, current_period, item_days, usage_price
from facturier.billing.models import ContractItem, UsageAlert, UsageCharge
from facturier.common.errors import BusinessError
from facturier.domain.billing.periods import Period
from facturier.domain.billing.proration import CENT
from facturier.domain.billing.usage import alerts_reached, threshold_reached
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.invoicing.services.common import entity_today
from facturier.jobs.runs import job_start

logger = logging.getLogger(__name__)
ALERT_TASK = "facturier.billing.thresholds.alert_send"


def check_thresholds(
    entity: LegalEntity, touched: set[tuple[Any, Any]], today: dt.date | None = None
) -> None:
    """Invoice and alert the metered items with a threshold whose (customer, metric) got new usage:
    once per item whatever the number of events, with a fixed number of queries (items locked, their
    usage, what was invoiced) plus those of the alerts and invoices."""
    if not touched:
        return
    customers, metrics = {c for c, _m in touched}, {m for _c, m in touched}
    candidates = (
        ContractItem.objects.filter(contract__entity=entity, contract__customer_id__in=customers, metric_id__in=metrics)
        .exclude(threshold_amount__isnull=True, threshold_quantity__isnull=True)
        .values_list("pk", "contract__customer_id", "metric_id")
    )  # fmt: skip
    ids = sorted(str(pk) for pk, customer, metric in candidates if (customer, metric) in touched)
    if not ids:
        return
    today = today or entity_today(entity)
    locked = (
        ContractItem.objects.select_for_update(of=("self",))
        .select_related("contract__customer", "contract__entity", "metric")
        .filter(pk__in=ids)
        .order_by("pk")  # one statement, rows locked in a fixed order: two batches never deadlock
    )
    due = []
    for item in locked:
        period = current_period(item, today)
        if period is None:  # a period billed in advance still bills its usage later (compute.py)
            continue
        due.append((item, period, *item_days(item, item.contract, period)))
    quantities = aggregated_many([(item, item.contract, start, end) for item, _period, start, end in due])
    invoiced = charged_many([(item, period.start) for item, period, _start, _end in due])
    for item, period, start, _end in due:
        _check_item(item, period, start, quantities[item.pk], invoiced[(item.pk, period.start)])


def _check_item(
    item: ContractItem,
    period: Period,
    start: dt.date,
    quantity: Decimal,
    invoiced: tuple[Decimal, Decimal, int],
) -> None:
    total = usage_price(item, quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    invoiced_quantity, invoiced_amount, crossings = invoiced
    by_amount = item.threshold_amount is not None
    threshold = item.threshold_amount if by_amount else item.threshold_quantity
    measure = total - invoiced_amount if by_amount else quantity - invoiced_quantity
    sequence = crossings + 1
    for percent in alerts_reached(measure, threshold, [int(p) for p in item.alert_percents or []]):
        if percent < 100:
            _alert(item, period, sequence, percent, measure, threshold)
    if threshold_reached(measure, threshold):
        _invoice(item, period, sequence, quantity - invoiced_quantity, total - invoiced_amount, start)


def _alert(
    item: ContractItem, period: Period, sequence: int, percent: int, measure: Any, threshold: Any
) -> None:
    try:
        with transaction.atomic():
            alert = UsageAlert.objects.create(
                item=item, period_start=period.start, sequence=sequence, percent=percent
            )
    except IntegrityError:
        return  # already sent for this crossing
    contract = item.contract
    audit_record(entity=contract.entity, actor=SYSTEM, action="usage.alert", obj=contract,
                 after={"item": str(item.pk), "metric": item.metric.code if item.metric else "",
                        "period": str(period.start), "percent": percent, "measure": str(measure),
                        "threshold": str(threshold)})  # fmt: skip
    if contract.entity.email:
        job_start(key=f"usage-alert:{alert.pk}", task=ALERT_TASK, args={"alert_id": alert.pk},
                  entity=contract.entity)  # fmt: skip


def _invoice(
    item: ContractItem, period: Period, sequence: int, quantity: Decimal, amount: Decimal, start: dt.date
) -> None:
    contract = item.contract
    try:
        with transaction.atomic():
            charge = UsageCharge.objects.create(item=item, period_start=period.start, sequence=sequence,
                                                quantity=quantity, amount=max(amount, Decimal(0)))  # fmt: skip
    except IntegrityError:
        return  # invoiced by a concurrent batch
    if amount > 0:
        today = entity_today(contract.entity)
        line = LineData(
            description=_("%(item)s, usage %(start)s – %(end)s") % {"item": item.description, "start": start,
                                                                   "end": today},
            quantity=Decimal(1), unit_price=amount, unit=item.unit, vat_category=item.vat_category,
            vat_rate=item.vat_rate, product=item.product,
        )  # fmt: skip
        note = _("Contract %(reference)s: usage threshold reached") % {"reference": contract.reference}
        charge.document = document_create(entity=contract.entity, kind="invoice", customer=contract.customer,
                                          by=SYSTEM, lines=[line], currency=contract.currency, note=note)  # fmt: skip
        charge.save(update_fields=["document"])
        if not contract.entity.requires_approval:
            try:
                with transaction.atomic():
                    invoice_issue(invoice=charge.document, by=SYSTEM)
            except BusinessError:
                logger.warning("progressive invoice %s kept as a draft", charge.document.pk)
    audit_record(entity=contract.entity, actor=SYSTEM, action="usage.threshold_invoiced", obj=contract,
                 after={"item": str(item.pk), "period": str(period.start), "sequence": sequence,
                        "quantity": str(quantity), "amount": str(amount),
                        "document": str(charge.document_id or "")})  # fmt: skip


def alert_send(*, alert_id: int) -> str:
    """The job: email a usage alert to the company's address; ``sent`` or why not."""
    from django.core.mail import EmailMessage, get_connection

    from config.settings.email import connection_options

    alert = UsageAlert.objects.select_related("item__contract__entity", "item__contract__customer",
                                              "item__metric").get(pk=alert_id)  # fmt: skip
    contract = alert.item.contract
    recipient = contract.entity.email
    if not recipient or not settings.EMAIL_URL:
        return "no_recipient" if not recipient else "email_not_configured"
    subject = _("Usage alert: %(customer)s reached %(percent)s%% of its threshold") % {
        "customer": contract.customer.name, "percent": alert.percent}  # fmt: skip
    body = _("Contract %(reference)s, item %(item)s: the usage not invoiced yet in the period starting "
             "%(start)s reached %(percent)s%% of its threshold.") % {
        "reference": contract.reference, "item": alert.item.description, "start": alert.period_start,
        "percent": alert.percent}  # fmt: skip
    backend, options = connection_options(settings.EMAIL_URL)
    EmailMessage(subject=subject, body=body, from_email=recipient, to=[recipient],
                 connection=get_connection(backend, fail_silently=False, **options)).send()  # fmt: skip
    return "sent"
