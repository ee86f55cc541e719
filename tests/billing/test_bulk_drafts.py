"""The draft side of a billing run's batch in bulk (`billing.bulk_drafts`): the same documents, lines,
claims, audit and outbox events as billing each contract one by one, written by one insert per table;
a contract it cannot bill alone goes one by one and is reported as before; a failed bulk write bills
the whole batch one by one."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from facturier.audit.models import AuditEvent
from facturier.billing import bulk_drafts, execution
from facturier.billing.models import BilledPeriod, BillingRun
from facturier.billing.services import ItemData
from facturier.invoicing.models import AllowanceCharge, Document, Line
from facturier.jobs.models import OutboxEvent

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
FEBRUARY = dt.datetime(2026, 2, 1, 8, tzinfo=PARIS)
SKIPPED = {"id", "created_at", "updated_at", "issued_at", "occurred_at", "hash", "previous_hash",
           "seal_hash", "seal_previous_hash", "series_id", "tx", "event_id"}  # fmt: skip
"""Columns that legitimately differ between two runs: ids, timestamps, seals (their input holds ids)."""


class _Undo(Exception):  # noqa: N818 - rolls a run back
    pass


def _contracts(make_contract):
    """Contracts of every shape a run bills at once, and one that fails (no exchange rate for USD)."""
    make_contract(reference="A-1", price="100.00")  # January and February due: a backlog of two
    make_contract(reference="B-1", start=dt.date(2026, 1, 16), items=[  # half of January, by the day
        ItemData(description="Licences", quantity=Decimal("3"), unit_price=Decimal("49.90")),
        ItemData(description="Livres", quantity=Decimal("2.5"), unit_price=Decimal("12.345678"),
                 vat_category="S", vat_rate=Decimal("5.5")),
    ])  # fmt: skip
    make_contract(reference="C-1", start=dt.date(2026, 2, 1), minimum_amount=Decimal("500.00"), items=[
        ItemData(description="Mise en service", unit_price=Decimal("250.00"), pricing_model="one_off"),
        ItemData(description="Hébergement", unit_price=Decimal("99.99"), vat_rate=Decimal("10")),
    ])  # fmt: skip
    make_contract(reference="D-1", currency="USD")  # refused: reported, the others billed
    make_contract(reference="E-1", start=dt.date(2026, 2, 1), price="0.01", quantity="7")


def _normalize(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _normalize(v, names) for k, v in value.items() if k not in SKIPPED}
    if isinstance(value, list):
        return [_normalize(item, names) for item in value]
    if isinstance(value, uuid.UUID):
        value = str(value)
    if isinstance(value, str):
        for key, name in names.items():
            value = value.replace(key, name)
    return value


def _rows(queryset, names: dict[str, str]) -> list[dict[str, Any]]:
    return [_normalize(row, names) for row in queryset.values()]


def _snapshot(entity, run: BillingRun, events_from: int, outbox_from: int) -> dict[str, Any]:
    """Every row the run wrote, ids replaced by names (documents by number, else note; the run)."""
    documents = list(Document.objects.filter(entity=entity).order_by("note", "number"))
    names = {str(document.pk): f"document:{document.number or document.note}" for document in documents}
    names[str(run.pk)] = "run"
    claims = BilledPeriod.objects.filter(contract__entity=entity).order_by(
        "contract__reference", "period_start"
    )
    run.refresh_from_db()
    return {
        "documents": _rows(Document.objects.filter(entity=entity).order_by("note", "number"), names),
        "lines": _rows(Line.objects.filter(document__entity=entity).order_by("document__note", "position"), names),
        "allowances": _rows(AllowanceCharge.objects.filter(document__entity=entity).order_by("document__note"), names),
        "claims": [_normalize({k: v for k, v in row.items() if k != "id"}, names) for row in claims.values()],
        "audit": _rows(AuditEvent.objects.filter(entity=entity, position__gt=events_from).order_by("position"), names),
        "outbox": [{k: v for k, v in row.items() if k != "position"}  # a sequence: not rolled back
                   for row in _rows(OutboxEvent.objects.filter(position__gt=outbox_from).order_by("position"), names)],
        "results": _normalize(run.results, names),
    }  # fmt: skip


def _bill(entity, settings, *, bulk: bool) -> dict[str, Any]:
    """Bill the contracts due on 1 February in one batch, snapshot what was written, roll it back."""
    settings.FACTURIER_BILLING_BULK_DRAFTS = bulk
    events_from = (
        AuditEvent.objects.filter(entity=entity).order_by("-position").values_list("position", flat=True)
    )
    outbox_from = OutboxEvent.objects.order_by("-position").values_list("position", flat=True)
    first_event, first_outbox = next(iter(events_from), 0), next(iter(outbox_from), 0)
    try:
        with transaction.atomic():
            run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
            with time_machine.travel(FEBRUARY, tick=False):
                execution.execute(run)
            snapshot = _snapshot(entity, run, first_event, first_outbox)
            raise _Undo
    except _Undo:
        pass
    return snapshot


def test_the_bulk_drafts_write_exactly_what_billing_one_by_one_writes(entity, make_contract, settings):
    # given contracts with a backlog, a prorated start, two VAT rates, a one-off item and a minimum
    # commitment, and one refused for its currency
    _contracts(make_contract)
    # when the same run bills them one by one, then (rolled back) in bulk
    one_by_one = _bill(entity, settings, bulk=False)
    in_bulk = _bill(entity, settings, bulk=True)
    # then every column of every document, line, claim, audit and outbox event is the same
    assert len(one_by_one["documents"]) == 6  # A-1 and B-1: two periods each
    assert len(one_by_one["lines"]) == 10
    assert [(e["contract"], e["code"]) for e in one_by_one["results"]["errors"]] == [
        ("D-1", "exchange_rate_required")
    ]
    for table in one_by_one:
        assert in_bulk[table] == one_by_one[table], table


def test_a_batch_inserts_its_drafts_lines_and_claims_once_whatever_its_size(entity, make_contract):
    # given six contracts due on 1 February
    for index in range(6):
        make_contract(reference=f"G-{index}", start=dt.date(2026, 2, 1))
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    # when the run bills them in one batch
    with time_machine.travel(FEBRUARY, tick=False), CaptureQueriesContext(connection) as captured:
        result = execution.execute(run)
    # then their drafts, lines and claims were each inserted by one statement
    assert result == {"invoices": 6, "errors": 0}
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    for table in ("invoicing_document", "invoicing_line", "billing_billedperiod"):
        assert sum(f'INTO "{table}"' in sql for sql in inserts) == 1, table


def test_a_bulk_write_that_fails_bills_the_batch_one_by_one(entity, make_contract, monkeypatch):
    # given three contracts due on 1 February, one of them claimed by another run after the batch read it
    contracts = [make_contract(reference=f"H-{index}", start=dt.date(2026, 2, 1)) for index in range(3)]
    real = execution.load_contracts

    def claimed_meanwhile(run, keys):
        loaded = real(run, keys)
        if not BilledPeriod.objects.exists():  # once, after the batch read its contracts
            BilledPeriod.objects.create(
                contract=contracts[1], period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 3, 1),
                amounts={str(contracts[1].items.get().pk): "100.00"},
            )  # fmt: skip
        return loaded

    monkeypatch.setattr(execution, "load_contracts", claimed_meanwhile)
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    # when the run bills them (the bulk insert of the claims fails on the unique claim)
    with time_machine.travel(FEBRUARY, tick=False):
        result = execution.execute(run)
    # then the batch was billed one by one: the claimed period is skipped, the two others invoiced once
    assert result == {"invoices": 2, "errors": 0}
    assert [BilledPeriod.objects.get(contract=c).document_id is not None for c in contracts] == [
        True,
        False,
        True,
    ]
    assert Document.objects.count() == 2


def test_a_contract_whose_draft_is_refused_is_reported_and_the_others_are_billed_in_bulk(
    entity, make_contract, monkeypatch
):
    # given three contracts due on 1 February, the middle one in a currency without exchange rate
    make_contract(reference="K-1", start=dt.date(2026, 2, 1))
    make_contract(reference="K-2", start=dt.date(2026, 2, 1), currency="USD")
    make_contract(reference="K-3", start=dt.date(2026, 2, 1))
    written = []
    real = bulk_drafts.drafts_create_many
    monkeypatch.setattr(bulk_drafts, "drafts_create_many",
                        lambda *, drafts, by: written.append(len(drafts)) or real(drafts=drafts, by=by))  # fmt: skip
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    # when the run bills them
    with time_machine.travel(FEBRUARY, tick=False):
        result = execution.execute(run)
    # then the two good ones were written together; the third, billed alone, is reported with its reason
    assert written == [2]
    assert result == {"invoices": 2, "errors": 1}
    run.refresh_from_db()
    [error] = run.results["errors"]
    assert (error["contract"], error["code"]) == ("K-2", "exchange_rate_required")
    assert not BilledPeriod.objects.filter(contract__reference="K-2").exists()


def test_drafts_made_at_once_equal_drafts_made_one_by_one(entity, customer, owner):
    # given the lines and allowances/charges of an invoice: discounts, two VAT rates, percent allowance
    from facturier.invoicing.services import AllowanceChargeData, LineData, document_create
    from facturier.invoicing.services.drafts_many import draft_build, drafts_create_many

    lines = [LineData(description="Conseil", quantity=Decimal("1.5"), unit_price=Decimal("333.333333"),
                      discount_percent=Decimal("12.5")),
             LineData(description="Livre", quantity=Decimal("3"), unit_price=Decimal("19.99"),
                      vat_rate=Decimal("5.5"), accounting_category="goods")]  # fmt: skip
    charges = [AllowanceChargeData(reason="Remise fidélité", percent=Decimal("5"), base_amount=Decimal("100.00"),
                                   vat_rate=Decimal("20")),
               AllowanceChargeData(reason="Port", amount=Decimal("7.90"), is_charge=True, vat_rate=Decimal("20"))]  # fmt: skip
    # when it is created by document_create, and by draft_build and drafts_create_many
    one = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=lines,
                          allowances_charges=charges, note="note-alpha")  # fmt: skip
    [many] = drafts_create_many(drafts=[draft_build(entity=entity, customer=customer, by=owner, lines=lines,
                                                    allowances_charges=charges, note="note-beta")], by=owner)  # fmt: skip
    # then both rows, their lines, allowances/charges and "created" events are the same
    names = {str(one.pk): "document", str(many.pk): "document", "note-alpha": "note", "note-beta": "note"}
    for model, key in ((Document, "pk"), (Line, "document"), (AllowanceCharge, "document")):
        rows = [
            _rows(model.objects.filter(**{key: doc.pk}).order_by("created_at", "id"), names)
            for doc in (one, many)
        ]
        if model is not Document:
            rows = [sorted(r, key=repr) for r in rows]
        assert rows[0] == rows[1], model
    events = [
        [
            {k: v for k, v in row.items() if k != "position"}
            for row in _rows(AuditEvent.objects.filter(object_id=str(doc.pk)), names)
        ]
        for doc in (one, many)
    ]  # one after the other in the chain
    assert events[0] == events[1]
    assert one.tax_inclusive == many.tax_inclusive
    assert one.vat_breakdown == many.vat_breakdown
