"""Aggregates maintained for the dashboard, so that its figures do not grow with history (issue 9).

Five tables, written by database triggers in the same transaction as the writes that change them
(issuing, status changes, payments and their allocations, credit notes), whatever the code path:

- `ReceivableOpen`: one row per issued invoice with something still to pay (its balance in cents and
  its due date): what `payments.selectors.still_owed` would find, kept row by row;
- `ReceivableByDue`: the same balances summed per entity and due date (a day, not an invoice: at most
  a few thousand rows for ten years), from which the dashboard reads outstanding, overdue and the aged
  balance in one small aggregate;
- `StatusCount`: issued documents per entity, kind and status (not those in preparation:
  `aggregates.IN_PREPARATION` says why);
- `DocumentSale` and `SalesByMonth`: each issued invoice's or credit note's net sales excl. VAT, and
  their sums per entity, month and currency (the dashboard's "invoiced this month / this year").

The per-day, per-month and per-status rows are split into 16 slots (the last hex digit of the document's id), so
that concurrent transactions rarely wait on the same counter row. Triggers are plain SQL (no Django
signal): `read_aggregate_sql` builds them for SQLite and PostgreSQL, `rebuild` recomputes every row
from the documents and allocations (the data migration, and after a bulk load with triggers off).
"""

from django.db import models

NOT_DUE = "9999-12-31"  # the due date of a document that has none (never overdue)


class ReceivableOpen(models.Model):
    document = models.OneToOneField(
        "invoicing.Document", on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False,
        related_name="+",
    )  # fmt: skip
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    due_date = models.DateField()
    slot = models.CharField(max_length=1)
    cents = models.BigIntegerField()

    class Meta:
        db_table = "invoicing_receivable_open"
        indexes = [models.Index(fields=["entity", "due_date"], name="receivable_open_by_due")]

    def __str__(self) -> str:
        return f"{self.document_id} due {self.due_date}: {self.cents} cents"


class ReceivableByDue(models.Model):
    id = models.BigAutoField(primary_key=True)
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    due_date = models.DateField()
    slot = models.CharField(max_length=1)
    cents = models.BigIntegerField(default=0)
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "invoicing_receivable_by_due"
        constraints = [
            models.UniqueConstraint(fields=["entity", "due_date", "slot"], name="receivable_by_due_key")
        ]

    def __str__(self) -> str:
        return f"due {self.due_date}/{self.slot}: {self.n} open, {self.cents} cents"


class StatusCount(models.Model):
    id = models.BigAutoField(primary_key=True)
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    kind = models.CharField(max_length=10)
    status = models.CharField(max_length=20)
    slot = models.CharField(max_length=1)
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "invoicing_status_count"
        constraints = [
            models.UniqueConstraint(fields=["entity", "kind", "status", "slot"], name="status_count_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}/{self.slot}: {self.n}"


class DocumentSale(models.Model):
    """What one issued invoice or credit note adds to its month's sales excl. VAT, in cents: the invoice's
    amount, minus a credit note's, nothing for a deposit invoice deducted by an issued final invoice (the
    final invoice carries the whole sale). Kept so that a change (a deposit becoming deducted, a deletion)
    takes exactly the old contribution off the monthly sums."""

    document = models.OneToOneField(
        "invoicing.Document", on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False,
        related_name="+",
    )  # fmt: skip
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.DateField()  # the first day of the issue date's month
    currency = models.CharField(max_length=3)
    slot = models.CharField(max_length=1)
    cents = models.BigIntegerField()

    class Meta:
        db_table = "invoicing_document_sale"

    def __str__(self) -> str:
        return f"{self.document_id} in {self.month:%Y-%m}: {self.cents} {self.currency} cents"


class SalesByMonth(models.Model):
    """Net sales excl. VAT per entity, month and currency (the sum of `DocumentSale`), split in slots."""

    id = models.BigAutoField(primary_key=True)
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.DateField()
    currency = models.CharField(max_length=3)
    slot = models.CharField(max_length=1)
    cents = models.BigIntegerField(default=0)
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "invoicing_sales_by_month"
        constraints = [
            models.UniqueConstraint(fields=["entity", "month", "currency", "slot"], name="sales_by_month_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.currency}/{self.slot}: {self.n} documents, {self.cents} cents"
