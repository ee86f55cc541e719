"""Usage events: batches recorded once (duplicates, late events, bad input refused per event), metered
items billed per period in the entity's calendar, progressive invoices at thresholds, alerts."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.audit.models import AuditEvent
from facturier.billing.models import BilledPeriod, UsageAlert, UsageCharge, UsageEvent
from facturier.billing.runs import billing_run_start
from facturier.billing.services import ItemData
from facturier.billing.usage import EventData, metric_create, usage_record
from facturier.invoicing.models import Document
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=PARIS), tick=False)


def ev(event_id, quantity="1", when=dt.datetime(2026, 1, 10, 12, tzinfo=UTC), metric="api_calls",
       customer="C001", **extra):  # fmt: skip
    return EventData(event_id=event_id, metric=metric, customer=customer, quantity=Decimal(quantity),
                     occurred_at=when, **extra)  # fmt: skip


@pytest.fixture
def metric(entity, owner, customer):
    return metric_create(entity=entity, by=owner, code="api_calls", name="API calls", late_days=3)


@pytest.fixture
def metered(make_contract, metric):
    def make(timing="arrears", **item):
        item = {"unit_price": Decimal("0.01"), **item}
        data = ItemData(description="Appels API", metric=metric, quantity=Decimal(0), **item)
        return make_contract(reference="M-1", items=[data], timing=timing)

    return make


def _run(entity, day):
    run = billing_run_start(entity=entity, day=day, by=None)
    for job in JobRun.objects.filter(status=RunStatus.QUEUED):
        job_execute(run_id=job.pk)
    run.refresh_from_db()
    return run


def _invoice_of(contract, start):
    return BilledPeriod.objects.get(contract=contract, period_start=start).document


def test_a_batch_is_recorded_once_and_resending_it_changes_nothing(entity, owner, metric):
    batch = [ev("e1", "5"), ev("e2", "7"), ev("e1", "5")]  # e1 twice in the batch
    with at(2026, 1, 15, 10):
        first = usage_record(entity=entity, by=owner, events=batch)
        again = usage_record(entity=entity, by=owner, events=batch)
    assert (first.accepted, first.duplicates, first.refused) == (["e1", "e2"], ["e1"], [])
    assert (again.accepted, again.duplicates) == ([], ["e1", "e2", "e1"])
    assert UsageEvent.objects.filter(entity=entity).count() == 2
    assert AuditEvent.objects.filter(action="usage.recorded").count() == 1  # the second batch wrote nothing


def test_bad_events_are_refused_one_by_one_and_the_rest_accepted(entity, owner, metric):
    batch = [
        ev("ok"), ev("neg", "-1"), ev("nometric", metric="nope"), ev("nocustomer", customer="X9"),
        ev("naive", when=dt.datetime(2026, 1, 10, 12)),  # noqa: DTZ001 - the point of the test
        ev("future", when=dt.datetime(2027, 1, 1, tzinfo=UTC)), ev("decimals", "0.0000001"),
        ev("", "1"), ev("nocontract", contract="NOPE"),
    ]  # fmt: skip
    with at(2026, 1, 15, 10):
        result = usage_record(entity=entity, by=owner, events=batch)
    assert result.accepted == ["ok"]
    codes = {r["event_id"]: r["code"] for r in result.refused}
    assert codes == {"neg": "negative_quantity", "nometric": "unknown_metric", "nocustomer": "unknown_customer",
                     "naive": "invalid_time", "future": "invalid_time", "decimals": "invalid_quantity",
                     "": "invalid_event_id", "nocontract": "unknown_contract"}  # fmt: skip
    assert [r["index"] for r in result.refused] == list(range(1, 9))
    assert all(r["reason"] for r in result.refused)


def test_a_metered_item_bills_the_period_usage_in_arrears_in_the_entity_calendar(entity, owner, metered):
    contract = metered(pricing_model="tiered", tiers=[{"up_to": 100, "unit_price": "1"},
                                                      {"up_to": None, "unit_price": "0.5"}])  # fmt: skip
    with at(2026, 2, 1, 0, 45):  # just after midnight in Paris
        usage_record(entity=entity, by=owner, events=[
            ev("jan", "150", dt.datetime(2026, 1, 31, 22, 30, tzinfo=UTC)),  # 23:30 in Paris: January
            ev("feb", "40", dt.datetime(2026, 1, 31, 23, 30, tzinfo=UTC)),  # 00:30 on 1 February in Paris
        ])  # fmt: skip
        run = _run(entity, dt.date(2026, 2, 1))
    assert run.status == "done", run.results
    assert _invoice_of(contract, dt.date(2026, 1, 1)).tax_exclusive == Decimal("125.00")  # 100 + 50 × 0.5
    with at(2026, 3, 1, 8):
        _run(entity, dt.date(2026, 3, 1))
    assert _invoice_of(contract, dt.date(2026, 2, 1)).tax_exclusive == Decimal("40.00")


def test_dst_day_events_fall_in_their_local_period(entity, owner, metered):
    contract = metered(unit_price=Decimal(1))
    with at(2026, 4, 1, 8):
        usage_record(entity=entity, by=owner, events=[
            ev("before", "1", dt.datetime(2026, 2, 28, 22, 59, tzinfo=UTC)),  # 23:59 28 Feb Paris
            ev("first", "2", dt.datetime(2026, 2, 28, 23, 0, tzinfo=UTC)),  # 00:00 1 March Paris
            ev("dst", "4", dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),  # 03:30 CEST, after the change
            ev("last", "8", dt.datetime(2026, 3, 31, 21, 59, tzinfo=UTC)),  # 23:59 CEST 31 March
            ev("april", "16", dt.datetime(2026, 3, 31, 22, 0, tzinfo=UTC)),  # 00:00 1 April
        ])  # fmt: skip
        _run(entity, dt.date(2026, 4, 1))
    assert _invoice_of(contract, dt.date(2026, 3, 1)).tax_exclusive == Decimal("14.00")
    assert _invoice_of(contract, dt.date(2026, 2, 1)).tax_exclusive == Decimal("1.00")


def test_late_events_are_billed_within_the_window_and_refused_after_it(entity, owner, metered):
    contract = metered(unit_price=Decimal(1))
    with at(2026, 2, 1, 8):
        usage_record(entity=entity, by=owner, events=[ev("a", "10")])
        _run(entity, dt.date(2026, 2, 1))
    assert _invoice_of(contract, dt.date(2026, 1, 1)).tax_exclusive == Decimal("10.00")
    with at(2026, 2, 3, 8):  # January is invoiced; 3 days of late window: until 3 February included
        late = usage_record(entity=entity, by=owner, events=[ev("b", "5")])
    with at(2026, 2, 4, 8):
        refused = usage_record(entity=entity, by=owner, events=[ev("c", "5"), ev("d", "1", dt.datetime(2026, 2, 2, tzinfo=UTC))])  # fmt: skip
    assert late.accepted == ["b"]
    assert refused.accepted == ["d"]
    assert [(r["event_id"], r["code"]) for r in refused.refused] == [("c", "late_event")]
    with at(2026, 3, 1, 8):
        _run(entity, dt.date(2026, 3, 1))
    march = _invoice_of(contract, dt.date(2026, 2, 1))
    assert march.tax_exclusive == Decimal("6.00")  # February's 1, and January's late 5 as an adjustment
    assert BilledPeriod.objects.get(contract=contract, period_start=dt.date(2026, 1, 1)).amounts == {
        str(contract.items.get().pk): "15.00"}  # fmt: skip


def test_an_event_older_than_the_window_of_a_period_not_invoiced_is_accepted(entity, owner, metered):
    metered(unit_price=Decimal(1))
    with at(2026, 3, 15, 8):  # nothing was ever billed: the usage of January will be
        result = usage_record(entity=entity, by=owner, events=[ev("old", "1")])
    assert result.accepted == ["old"]


def test_usage_of_a_contract_billed_in_advance_is_charged_on_the_next_invoice(
    entity, owner, metered, make_contract
):
    contract = metered(timing="advance", unit_price=Decimal(2))
    with at(2026, 1, 1, 8):
        _run(entity, dt.date(2026, 1, 1))
    with at(2026, 1, 20, 8):
        usage_record(entity=entity, by=owner, events=[ev("a", "3")])
    with at(2026, 2, 1, 8):
        _run(entity, dt.date(2026, 2, 1))
    assert _invoice_of(contract, dt.date(2026, 1, 1)) is None  # nothing due on 1 January
    assert _invoice_of(contract, dt.date(2026, 2, 1)).tax_exclusive == Decimal("6.00")


def test_an_amount_threshold_invoices_at_once_exactly_once_and_the_period_invoice_deducts_it(
    entity, owner, metered
):
    contract = metered(unit_price=Decimal(1), threshold_amount=Decimal(100), alert_percents=[80])
    with at(2026, 1, 10, 8):
        usage_record(entity=entity, by=owner, events=[ev("a", "79")])
        assert not UsageAlert.objects.exists()
        usage_record(entity=entity, by=owner, events=[ev("b", "1")])
        assert UsageAlert.objects.get().percent == 80
        usage_record(entity=entity, by=owner, events=[ev("c", "1"), ev("b", "1")])  # 81: no second alert
        assert UsageAlert.objects.count() == 1
        assert not UsageCharge.objects.exists()
        usage_record(entity=entity, by=owner, events=[ev("d", "30")])  # 111 >= 100: invoiced now
    charge = UsageCharge.objects.get()
    assert (charge.sequence, charge.amount, charge.quantity) == (1, Decimal("111.00"), Decimal(111))
    assert charge.document.status == "issued"
    assert charge.document.tax_exclusive == Decimal("111.00")
    assert AuditEvent.objects.filter(action="usage.threshold_invoiced").count() == 1
    assert AuditEvent.objects.filter(action="usage.alert").count() == 1
    assert JobRun.objects.filter(key__startswith="usage-alert:").count() == 1
    with at(2026, 1, 20, 8):
        usage_record(entity=entity, by=owner, events=[ev("e", "20")])  # below the threshold again
    assert UsageCharge.objects.count() == 1
    with at(2026, 2, 1, 8):
        _run(entity, dt.date(2026, 2, 1))
    assert _invoice_of(contract, dt.date(2026, 1, 1)).tax_exclusive == Decimal("20.00")  # 131 - 111
    assert Document.objects.filter(customer=contract.customer, status="issued").count() == 2


def test_a_quantity_threshold_crosses_again_after_each_invoice(entity, owner, metered):
    metered(unit_price=Decimal(2), threshold_quantity=Decimal(10))
    with at(2026, 1, 10, 8):
        for index in range(25):
            usage_record(entity=entity, by=owner, events=[ev(f"e{index}", "1")])
    assert [(c.sequence, c.quantity, c.amount) for c in UsageCharge.objects.order_by("sequence")] == [
        (1, Decimal(10), Decimal("20.00")), (2, Decimal(10), Decimal("20.00"))]  # fmt: skip


def test_thresholds_need_a_metered_item(entity, owner, make_contract):
    from facturier.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        make_contract(items=[ItemData(description="x", unit_price=Decimal(1), threshold_amount=Decimal(5))])


def test_the_billing_page_shows_this_period_usage_in_both_languages(entity, owner, metered):
    from django.test import Client

    metered(unit_price=Decimal(1), threshold_amount=Decimal(200))
    with at(2026, 1, 20, 8):
        usage_record(entity=entity, by=owner, events=[ev("a", "50"), ev("b", "25")])
        client = Client()
        client.force_login(owner)
        french = client.get("/billing/").content.decode()
        client.cookies["django_language"] = "en"
        english = client.get("/billing/").content.decode()
    assert "Consommation de la période" in french
    assert "Usage this period" in english
    assert 'id="usage-table"' in english
    assert "75.00 EUR" in english
    assert "(37 %)" in english  # 75 of a 200.00 threshold


def test_an_alert_is_emailed_to_the_company_once(entity, owner, metered, settings):
    from django.core import mail

    settings.EMAIL_URL = "memory://"
    metered(unit_price=Decimal(1), threshold_amount=Decimal(100), alert_percents=[50, 80])
    with at(2026, 1, 10, 8):
        usage_record(entity=entity, by=owner, events=[ev("a", "85")])  # both alerts at once
        for job in JobRun.objects.filter(status=RunStatus.QUEUED, key__startswith="usage-alert:"):
            job_execute(run_id=job.pk)
    assert sorted(m.subject for m in mail.outbox) == [
        "Alerte de consommation : Boulangerie Martin SARL a atteint 50 % de son seuil",
        "Alerte de consommation : Boulangerie Martin SARL a atteint 80 % de son seuil",
    ]
    assert {tuple(m.to) for m in mail.outbox} == {("compta@dupont.example",)}
