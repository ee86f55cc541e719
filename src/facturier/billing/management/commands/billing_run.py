"""``facturier billing-run --entity E --date D [--dry-run] [--format text|json]``.

Bills every contract of the company due at the date (its calendar): a dry run prints what would be
invoiced, with totals and anomalies; a real run creates and issues the invoices here, contract by
contract, with a progress bar (a chunked job run: interrupted, it resumes where it stopped). JSON:
``{"invoices": [numbers, or draft ids when approval is needed], "errors": [{contract, code, reason}]}``.
The exit code is 1 when any contract failed.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.billing.runs import PROGRESS, billing_run_start
from facturier.common.commands import date_option
from facturier.common.errors import BusinessError
from facturier.invoicing.services.common import entity_today
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.progress import follow
from facturier.jobs.runs import job_execute


class Command(BaseCommand):
    help = "Invoice every contract due at a date (dry run: preview what would be invoiced)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--date", help="YYYY-MM-DD in the company's time zone (default: its today)")
        parser.add_argument("--dry-run", action="store_true", help="preview only: nothing is written")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--approval", action="store_true", help="hold the run for approval (web UI)")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        day = date_option(options["date"]) if options["date"] else entity_today(entity)
        try:
            run = billing_run_start(entity=entity, day=day, by=SYSTEM, dry_run=options["dry_run"],
                                    approval=options["approval"])  # fmt: skip
        except BusinessError as error:
            raise CommandError(error.message) from None
        if run.job_run_id is not None:
            self._execute(run.job_run_id)
            run.refresh_from_db()
        results = run.results
        previewed = run.dry_run or run.status == "awaiting_approval"
        output = {"invoices": [*results.get("invoices", []), *results.get("drafts", [])]
                  if not previewed else results.get("invoices", []),
                  "errors": results.get("errors", [])}  # fmt: skip
        output["credit_notes"] = results.get("credit_notes", [])
        if previewed:
            output |= {"totals": results.get("totals", {}), "anomalies": results.get("anomalies", [])}
        if run.status == "awaiting_approval":
            output["awaiting_approval"] = str(run.pk)
        if options["format"] == "json":
            self.stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        else:
            self._text(output, dry_run=previewed, day=day)
        if output["errors"]:
            raise CommandError(f"{len(output['errors'])} contract(s) could not be billed", returncode=1)

    def _execute(self, job_run_id: int) -> None:
        """Run the job here (a worker that took it first is followed instead), drawing a progress bar."""
        stream = sys.stderr
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=Console(file=stream), disable=not stream.isatty()) as bar:  # fmt: skip
            task = bar.add_task("Billing", total=None)
            token = PROGRESS.set(lambda done, total: bar.update(task, completed=done, total=total))
            try:
                status = job_execute(run_id=job_run_id)
            finally:
                PROGRESS.reset(token)
        final = follow(job_run_id) if status == "skipped" else JobRun.objects.get(pk=job_run_id)
        if final.status != RunStatus.DONE:
            raise CommandError(final.error or "the billing run failed")

    def _text(self, output: dict[str, Any], *, dry_run: bool, day: dt.date) -> None:
        if dry_run:
            for invoice in output["invoices"]:
                self.stdout.write(f"WOULD BILL  {invoice['contract']:<20} {invoice['period'][0]} – "
                                  f"{invoice['period'][1]}  {invoice['total']:>12} {invoice['currency']}")  # fmt: skip
            for currency, total in output["totals"].items():
                self.stdout.write(f"TOTAL       {total} {currency}")
            for anomaly in output["anomalies"]:
                self.stdout.write(f"ANOMALY     {anomaly['contract']}: {anomaly['reason']}")
        else:
            for number in output["invoices"]:
                self.stdout.write(f"INVOICED    {number}")
            self.stdout.write(f"{len(output['invoices'])} invoice(s) for {day}")
        for error in output["errors"]:
            self.stderr.write(
                self.style.ERROR(f"ERROR       {error['contract']}: {error['reason']} ({error['code']})")
            )
