"""Upgrading a database that recorded payments as invoice statuses keeps every euro: each old payment
becomes a payment allocated to its invoice, and the invoice's settlement says what its status said."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from facturier.invoicing.models import Document
from facturier.payments.models import Allocation, Payment
from facturier.payments.selectors import Settlement, settlement_of

# the schema the settlement migration upgrades (the accounts of then: later columns would be NOT NULL here)
BEFORE = [
    ("invoicing", "0005_document_created_submitted_by"),
    ("payments", None),
    ("accounts", "0002_einvoice_settings"),
]


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_old_paid_statuses_and_payments_move_to_allocations():
    if connection.vendor != "postgresql":
        # going back to the old schema re-adds a column: SQLite rebuilds the document table for it, which the
        # immutability triggers of the line tables refuse mid-rebuild. The upgrade itself runs on both.
        pytest.skip(
            "needs PostgreSQL to migrate backwards first: run with DATABASE_URL=postgres://... (CI does)"
        )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([BEFORE[0]]).apps
    try:
        # given, before the upgrade, a paid invoice (sent) and a partially paid one (never sent)
        entity = old.get_model("accounts", "LegalEntity").objects.create(
            name="Ancienne SAS", siren="552100554", time_zone="Europe/Paris"
        )
        customer = old.get_model("parties", "Customer").objects.create(
            entity=entity, code="C1", name="Client"
        )
        OldDocument = old.get_model("invoicing", "Document")
        common = {
            "entity": entity,
            "customer": customer,
            "kind": "invoice",
            "type_code": "380",
            "currency": "EUR",
        }
        paid = OldDocument.objects.create(**common, status="paid", payable=Decimal("120.00"),
                                          amount_paid=Decimal("120.00"), sent_at=dt.datetime(2026, 1, 2, tzinfo=dt.UTC))  # fmt: skip
        partial = OldDocument.objects.create(**common, status="partially_paid", payable=Decimal("300.00"),
                                             amount_paid=Decimal("100.00"))  # fmt: skip
        OldPayment = old.get_model("invoicing", "Payment")
        OldPayment.objects.create(
            document=paid, amount=Decimal("120.00"), received_on=dt.date(2026, 1, 20), reference="VIR 1"
        )
        OldPayment.objects.create(
            document=partial, amount=Decimal("100.00"), received_on=dt.date(2026, 1, 21)
        )
    finally:
        # when the database is upgraded
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    # then the statuses say where the invoices are, the settlement what was paid
    paid_now, partial_now = Document.objects.get(pk=paid.pk), Document.objects.get(pk=partial.pk)
    assert (paid_now.status, partial_now.status) == ("sent", "issued")
    assert Payment.objects.count() == 2
    assert Allocation.objects.get(document=paid_now).payment.reference == "VIR 1"
    assert settlement_of(paid_now).settlement == Settlement.PAID
    assert settlement_of(partial_now).settlement == Settlement.PARTIALLY_PAID
    assert settlement_of(partial_now).balance == Decimal("200.00")
