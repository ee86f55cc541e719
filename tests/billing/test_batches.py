"""A billing run bills its contracts a batch per transaction and issues the batch's drafts together
(`billing.batches`, `invoice_issue_many`): consecutive numbers, one refused draft reported alone, and a
batch that fails leaves none of its contracts half billed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing import batches, execution
from facturier.billing.models import BilledPeriod, BillingRun
from facturier.billing.runs import TASK
from facturier.common.errors import ValidationFailed
from facturier.invoicing.models import Document
from facturier.jobs.models import JobChunk, JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
FEBRUARY = dt.datetime(2026, 2, 1, 8, tzinfo=PARIS)


def _issued_together(monkeypatch):
    """Watch `invoice_issue_many` as the batches call it: the number of drafts of each call."""
    real, calls = batches.invoice_issue_many, []

    def watching(*, invoices, **options):
        calls.append(len(invoices))
        return real(invoices=invoices, **options)

    monkeypatch.setattr(batches, "invoice_issue_many", watching)
    return calls


def _numbers(contract):
    return list(
        Document.objects.filter(pk__in=BilledPeriod.objects.filter(contract=contract).values("document"))
        .order_by("number")
        .values_list("number", flat=True)
    )


def _rank(number):
    return int(number.rsplit("-", 1)[1])


def test_a_batch_of_contracts_is_issued_together_with_consecutive_numbers(entity, make_contract, monkeypatch):
    # given four monthly contracts from 1 January, due for January and February on 1 February
    contracts = [make_contract(reference=f"{letter}-1") for letter in "ABCD"]
    calls = _issued_together(monkeypatch)
    # when the run bills them (one batch)
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    with time_machine.travel(FEBRUARY, tick=False):
        result = execution.execute(run)
    # then their eight invoices were issued by one call, numbered 1 to 8 in the contracts' order
    assert result == {"invoices": 8, "errors": 0}
    assert calls == [8]
    numbers = [_numbers(contract) for contract in contracts]
    assert [_rank(number) for each in numbers for number in each] == list(range(1, 9))
    run.refresh_from_db()
    assert sorted(run.results["invoices"]) == sorted(number for each in numbers for number in each)
    assert (
        Document.objects.filter(kind="invoice", status="issued", issue_date=dt.date(2026, 2, 1)).count() == 8
    )


def test_a_draft_refused_at_issue_stays_a_draft_reported_and_the_others_of_its_batch_are_issued(
    entity, make_contract, monkeypatch
):
    # given three contracts due on 1 February, the e-invoice rules refusing the invoice of B-1
    good = [make_contract(reference="A-1", start=dt.date(2026, 2, 1)),
            make_contract(reference="C-1", start=dt.date(2026, 2, 1))]  # fmt: skip
    bad = make_contract(reference="B-1", start=dt.date(2026, 2, 1))
    from facturier.invoicing import einvoice

    def refusing(document, files=None):
        if "B-1" in document.note:
            raise ValidationFailed("refused by the e-invoice rules", code="einvoice_invalid")

    monkeypatch.setattr(einvoice, "validate_for_issue", refusing)
    calls = _issued_together(monkeypatch)
    # when the run bills them in one batch
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    with time_machine.travel(FEBRUARY, tick=False):
        result = execution.execute(run)
    # then the batch was refused together, and issued draft by draft: B-1's stays a draft, reported
    assert calls == [3]
    assert result == {"invoices": 2, "errors": 1}
    run.refresh_from_db()
    draft = Document.objects.get(pk=BilledPeriod.objects.get(contract=bad).document_id)
    assert (draft.status, draft.number) == ("draft", "")
    assert run.results["drafts"] == [str(draft.pk)]
    [error] = run.results["errors"]
    assert (error["contract"], error["code"], error["draft"]) == ("B-1", "issue_failed", str(draft.pk))
    # and the two others are issued, numbered 1 and 2 without a gap
    assert [_rank(number) for contract in good for number in _numbers(contract)] == [1, 2]
    assert run.status == "failed"


def test_a_batch_that_fails_leaves_none_of_its_contracts_billed_and_the_next_attempt_bills_them_once(
    entity, make_contract, monkeypatch, settings
):
    # given five contracts due on 1 February, billed by a job run in batches of 3
    settings.FACTURIER_BILLING_BATCH = 3
    for index in range(5):
        make_contract(reference=f"F-{index}", start=dt.date(2026, 2, 1))
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    job = JobRun.objects.create(key=f"billing:test:{run.pk}", task=TASK, args={"billing_run": str(run.pk)})
    run.job_run = job
    run.save(update_fields=["job_run"])
    # and the worker dying in its second batch, after that batch's invoices were issued
    real, calls = batches.issue_together, []

    def dying(later, by):
        calls.append(len(later))
        real(later, by)
        if len(calls) == 2:
            raise RuntimeError("worker lost")

    monkeypatch.setattr(batches, "issue_together", dying)
    with time_machine.travel(FEBRUARY, tick=False):
        assert job_execute(run_id=job.pk) == RunStatus.FAILED
    # then the first batch is billed and marked; of the second, nothing: no claim, no draft, no number
    assert calls == [3, 2]
    assert BilledPeriod.objects.count() == Document.objects.count() == 3
    assert sorted(_rank(n) for n in Document.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert JobChunk.objects.filter(run=job, done_at__isnull=True).count() == 2
    job.refresh_from_db()
    assert job.done == 3
    # when the run is executed again
    JobRun.objects.filter(pk=job.pk).update(status=RunStatus.QUEUED)
    with time_machine.travel(FEBRUARY, tick=False):
        assert job_execute(run_id=job.pk) == RunStatus.DONE
    # then the rest is billed once, numbered on from 4
    assert calls == [3, 2, 2]
    assert BilledPeriod.objects.count() == Document.objects.count() == 5
    assert sorted(_rank(n) for n in Document.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    run.refresh_from_db()
    assert (run.status, len(run.results["invoices"])) == ("done", 5)
