"""Billing in the background: one run per company and day, fired daily by the scheduler."""

from __future__ import annotations

from typing import Any

from django_tasks import task


@task()
def execute_billing_run(billing_run: str, job_run: Any = None) -> dict[str, Any]:
    """Execute a queued billing run (one chunk per contract, resumable, shared with helper tasks)."""
    from facturier.billing.execution import execute
    from facturier.billing.models import BillingRun

    return execute(BillingRun.objects.select_related("entity").get(pk=billing_run), job_run=job_run)


@task()
def help_billing_run(billing_run: str, job_run_id: int) -> dict[str, Any]:
    """Bill a share of a running billing run's contracts in this worker (queued by the run's worker)."""
    from facturier.billing.execution import help_execute
    from facturier.billing.models import BillingRun

    run = BillingRun.objects.select_related("entity").get(pk=billing_run)
    return {"chunks": help_execute(run, job_run_id)}


@task()
def daily_billing_runs(job_run: Any = None) -> dict[str, Any]:
    """Start today's billing run of every company that has contracts (its own day, in its time zone).

    Idempotent: a company already run today is not started again, and a period is billed once anyway.
    """
    from facturier.accounts.actor import SYSTEM
    from facturier.accounts.models import LegalEntity
    from facturier.billing.models import BillingRun, Contract
    from facturier.billing.runs import billing_run_start
    from facturier.invoicing.services.common import entity_today

    started = 0
    entity_ids = Contract.objects.values_list("entity_id", flat=True).distinct()
    for entity in LegalEntity.objects.filter(pk__in=list(entity_ids)):
        day = entity_today(entity)
        if BillingRun.objects.filter(entity=entity, run_date=day, dry_run=False).exists():
            continue
        billing_run_start(entity=entity, day=day, by=SYSTEM)
        started += 1
    return {"started": started}


@task()
def send_billing_notices(job_run: Any = None) -> dict[str, Any]:
    """Email customers before their next invoice or renewal (once per contract, kind and date)."""
    from facturier.billing.notices import send_due_notices

    return {"sent": send_due_notices()}
