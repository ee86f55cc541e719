"""Contracts (recurring billing), their items and changes, billing runs, and the billed periods.

A contract bills its items every period (`frequency`: monthly, quarterly, yearly or an RFC 5545 rule),
in advance or in arrears, aligned on the calendar or on the anniversary of its first billed day
(`start_date` + `trial_days`). An item's state is fixed over `[start_date, end_date)`: a change of
quantity, price or plan ends the item the day it takes effect and starts a new one (`ContractChange`
links them), so the past stays what was billed and proration reads dates only.
`BilledPeriod` is the claim "this contract's period is invoiced": unique per (contract, period), taken
in the transaction that creates the invoice draft, so a period is invoiced exactly once.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel
from facturier.domain.billing.periods import Alignment, Timing
from facturier.domain.billing.pricing import PricingModel
from facturier.domain.billing.usage import Aggregation


class ContractStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    TERMINATED = "terminated", _("terminated")


class ProrationPolicy(models.TextChoices):
    NEXT_INVOICE = "next_invoice", _("on the next invoice")
    IMMEDIATE = "immediate", _("immediately")


class IndexSeries(TenantModel):
    """A price index (Syntec, an INSEE index...): its published values, entered by hand or imported."""

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["entity", "code"], name="billing_index_unique_code")]

    def __str__(self) -> str:
        return self.code


class IndexValue(models.Model):
    series = models.ForeignKey(IndexSeries, on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("published for"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["series", "date"]
        constraints = [
            models.UniqueConstraint(fields=["series", "date"], name="billing_index_one_value_a_date")
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.date} {self.value}"


class Contract(TenantModel):
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(_("reference"), max_length=50)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("First day no longer billed (empty: open-ended).")
    )
    trial_days = models.PositiveIntegerField(_("trial days"), default=0)
    frequency = models.CharField(
        _("frequency"), max_length=200, default="monthly",
        help_text=_("monthly, quarterly, yearly or an RFC 5545 rule (FREQ=WEEKLY;INTERVAL=2)."),
    )  # fmt: skip
    timing = models.CharField(
        _("billing"), max_length=10, choices=[(t.value, t.value) for t in Timing], default=Timing.ADVANCE
    )
    alignment = models.CharField(
        _("alignment"),
        max_length=12,
        choices=[(a.value, a.value) for a in Alignment],
        default=Alignment.CALENDAR,
    )
    tacit_renewal = models.BooleanField(_("tacit renewal"), default=True)
    term_months = models.PositiveIntegerField(_("term (months)"), null=True, blank=True)
    notice_days = models.PositiveIntegerField(_("notice (days)"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    proration_policy = models.CharField(
        _("changes billed"),
        max_length=12,
        choices=ProrationPolicy.choices,
        default=ProrationPolicy.NEXT_INVOICE,
    )
    minimum_amount = models.DecimalField(
        _("minimum commitment per period"), max_digits=20, decimal_places=2, null=True, blank=True,
        help_text=_("A period billed less (excluding VAT) is topped up to it, prorated by the days served."),
    )  # fmt: skip
    notify_days = models.PositiveIntegerField(
        _("notify the customer (days before)"), null=True, blank=True,
        help_text=_("Email the customer this many days before each invoice and renewal (empty: never)."),
    )  # fmt: skip
    index_series = models.ForeignKey(
        "billing.IndexSeries", on_delete=models.PROTECT, null=True, blank=True, related_name="contracts",
        verbose_name=_("price index"),
    )  # fmt: skip
    revision_date = models.DateField(
        _("next price revision"), null=True, blank=True,
        help_text=_("Prices follow the index on this day, then every year."),
    )  # fmt: skip

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "reference"], name="billing_contract_unique_reference"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gt=models.F("start_date")),
                name="billing_contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ContractItem(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True, blank=True)
    description = models.CharField(_("description"), max_length=500)
    pricing_model = models.CharField(
        _("pricing"),
        max_length=10,
        choices=[(p.value, p.value) for p in PricingModel],
        default=PricingModel.PER_UNIT,
    )
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=4, default=Decimal(1))
    unit_price = models.DecimalField(_("unit price"), max_digits=20, decimal_places=6, default=Decimal(0))
    unit = models.CharField(_("unit"), max_length=3, default="C62")
    vat_category = models.CharField(_("VAT category"), max_length=2, default="S")
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2, default=Decimal("20.00"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True, help_text=_("First day no longer billed."))
    metric = models.ForeignKey(
        "billing.Metric", on_delete=models.PROTECT, null=True, blank=True, related_name="items",
        help_text=_("Metered item: billed in arrears on the period's aggregated usage of this metric."),
    )  # fmt: skip
    threshold_amount = models.DecimalField(
        _("threshold (amount)"), max_digits=20, decimal_places=2, null=True, blank=True,
        help_text=_("Invoice the usage at once when its amount not invoiced yet in the period reaches this."),
    )  # fmt: skip
    threshold_quantity = models.DecimalField(
        _("threshold (quantity)"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    alert_percents = models.JSONField(_("alerts (% of the threshold)"), default=list, blank=True)
    index_base = models.DecimalField(
        _("index base (S0)"), max_digits=14, decimal_places=4, null=True, blank=True,
        help_text=_("The index value the unit price was set at; empty: the price is not indexed."),
    )  # fmt: skip

    class Meta:
        ordering = ["contract", "start_date", "pk"]

    def __str__(self) -> str:
        return self.description


class ChangeKind(models.TextChoices):
    QUANTITY = "quantity", _("quantity")
    PRICE = "price", _("price")
    PLAN = "plan", _("plan")
    ADDED = "added", _("item added")
    REMOVED = "removed", _("item removed")
    TERMINATION = "termination", _("termination")


class ContractChange(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    effective_date = models.DateField(_("effective date"))
    kind = models.CharField(_("change"), max_length=12, choices=ChangeKind.choices)
    old_item = models.ForeignKey(
        ContractItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_item = models.ForeignKey(
        ContractItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "effective_date", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.effective_date}"


class BillingRunStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", _("awaiting approval")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class BillingRun(TenantModel):
    run_date = models.DateField(_("date"))
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=BillingRunStatus.choices, default=BillingRunStatus.RUNNING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    results = models.JSONField(default=dict, blank=True)
    job_run = models.ForeignKey(
        "jobs.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.run_date}{' (dry run)' if self.dry_run else ''}"


class BillingRunChunk(models.Model):
    """What one chunk of a run billed (invoice numbers, drafts, errors), written in the chunk's transaction.

    Workers bill a run's chunks in parallel: each keeps its own results here instead of all appending to
    one row, and the run's ``results`` are gathered from them when its last chunk is done."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="chunks")
    key = models.CharField(max_length=200)
    results = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="billing_one_result_per_chunk")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.key}"


class BilledPeriod(models.Model):
    """One contract period invoiced: the claim that makes it exactly once, and what each item was billed."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="billed_periods")
    period_start = models.DateField()
    period_end = models.DateField()
    document = models.ForeignKey(
        "invoicing.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    billing_run = models.ForeignKey(
        BillingRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amounts = models.JSONField(
        default=dict, blank=True, help_text="item id -> amount billed so far for the period"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["contract", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start"], name="billing_one_invoice_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.period_start}"


class Metric(TenantModel):
    """What is metered (API calls, gigabytes, active users) and how a period's events add up."""

    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=3, default="C62")
    aggregation = models.CharField(
        _("aggregation"), max_length=10, choices=[(a.value, a.value) for a in Aggregation],
        default=Aggregation.SUM,
    )  # fmt: skip
    late_days = models.PositiveIntegerField(
        _("late events window (days)"), default=3,
        help_text=_("Events of an invoiced period are accepted until this many days after it ends."),
    )  # fmt: skip

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["entity", "code"], name="billing_metric_unique_code")]

    def __str__(self) -> str:
        return self.code


class UsageEvent(models.Model):
    """One reported consumption; ``event_id`` (the sender's) is unique per entity: re-sending is harmless."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The hot table (thousands of rows a second): no index of its own for the entity and the metric (the
    # unique id and the period index start with them), and no database check of the entity (the tenant
    # of the API key, never deleted) nor of the metric (never deleted: no service does; read in the batch's
    # transaction): each costs a trigger call per row, the metric's a row lock shared by every concurrent
    # batch. Customer and contract keep their database checks.
    entity = models.ForeignKey(
        "accounts.LegalEntity",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    event_id = models.CharField(max_length=100)
    metric = models.ForeignKey(
        Metric, on_delete=models.PROTECT, related_name="events", db_index=False, db_constraint=False
    )
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    occurred_at = models.DateTimeField()
    dimension = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "event_id"], name="billing_usage_event_unique_id"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="billing_usage_not_negative"),
        ]
        indexes = [
            models.Index(fields=["metric", "customer", "occurred_at"], name="billing_usage_period"),
            models.Index(fields=["entity", "created_at"], name="billing_usage_listing"),
        ]

    def __str__(self) -> str:
        return self.event_id


class UsageDayTotal(models.Model):
    """The maintained aggregate of the usage events of one (metric, customer, contract or none) on one day
    of the entity's calendar: their count, sum and peak. Written with the events, in their transaction
    (`billing.usage`), so it always equals what the events say; thresholds and billing read it instead of
    scanning the events, so a check costs the days of a period, not its events (``unique`` and ``last``
    metrics, which a daily total cannot answer, still read the events)."""

    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="+")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    day = models.DateField()
    count = models.BigIntegerField(default=0)
    total = models.DecimalField(max_digits=30, decimal_places=6, default=Decimal(0))
    peak = models.DecimalField(max_digits=20, decimal_places=6, default=Decimal(0))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "customer", "day"], condition=models.Q(contract__isnull=True),
                name="billing_usage_day_once",
            ),
            models.UniqueConstraint(
                fields=["metric", "customer", "contract", "day"], condition=models.Q(contract__isnull=False),
                name="billing_usage_day_contract_once",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.metric_id} {self.customer_id} {self.day}"


class UsageCharge(models.Model):
    """A progressive invoice: the ``sequence``-th threshold crossing of a metered item in a period.

    Unique per (item, period, sequence): a crossing is invoiced once, even by two batches at once.
    The period's own invoice deducts ``amount`` (and, for quantity thresholds, counts ``quantity``).
    """

    item = models.ForeignKey(ContractItem, on_delete=models.PROTECT, related_name="usage_charges")
    period_start = models.DateField()
    sequence = models.PositiveIntegerField()
    quantity = models.DecimalField(max_digits=20, decimal_places=6)
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    document = models.ForeignKey(
        "invoicing.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "period_start", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "period_start", "sequence"], name="billing_usage_charge_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.period_start} #{self.sequence}"


class UsageAlert(models.Model):
    """An alert sent when the usage not invoiced yet reached ``percent`` % of the threshold (once each)."""

    item = models.ForeignKey(ContractItem, on_delete=models.PROTECT, related_name="usage_alerts")
    period_start = models.DateField()
    sequence = models.PositiveIntegerField()
    percent = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "period_start", "sequence", "percent"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "period_start", "sequence", "percent"], name="billing_usage_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.period_start} {self.percent}%"


class NoticeKind(models.TextChoices):
    INVOICE = "invoice", _("upcoming invoice")
    RENEWAL = "renewal", _("upcoming renewal")


class BillingNotice(models.Model):
    """A notice emailed to the customer before an invoice or a renewal: unique per contract, kind and
    date, so the daily schedule sends it once however often it runs."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    due_date = models.DateField()
    recipient = models.CharField(max_length=254, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "due_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "kind", "due_date"], name="billing_one_notice_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.kind} {self.due_date}"
