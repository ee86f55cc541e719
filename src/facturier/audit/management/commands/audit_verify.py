"""`facturier audit verify`: recompute every hash chain; exit 1 naming the first tampered record."""

import sys
from typing import Any

from django.core.management.base import BaseCommand

from facturier.audit.verify import verify_all


class Command(BaseCommand):
    help = (
        "Verify the hash chains of issued documents and audit events; exit 1 if anything was tampered with."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        breaches = verify_all()
        if not breaches:
            self.stdout.write(
                self.style.SUCCESS("OK: every issued document and audit event matches its seal.")
            )
            return
        for breach in breaches:
            self.stderr.write(f"TAMPERED: {breach}")
        sys.exit(1)
