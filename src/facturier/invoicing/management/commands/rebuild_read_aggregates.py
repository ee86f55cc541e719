"""`facturier manage rebuild_read_aggregates`: recompute the dashboard's maintained aggregates from the
documents and allocations (after a bulk load or a restore that ran with triggers off)."""

from typing import Any

from django.core.management.base import BaseCommand

from facturier.invoicing.aggregates import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard's aggregates (open balances per due date, counts per status)."

    def handle(self, *args: Any, **options: Any) -> None:
        rebuild()
        self.stdout.write("read aggregates rebuilt")
