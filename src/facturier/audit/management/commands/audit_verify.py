"""`facturier audit verify`: every check of `facturier.audit.verify`; exit 1 naming each finding."""

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from facturier.audit.verify import verify_all


class Command(BaseCommand):
    help = (
        "Verify seals (with the seal keys), chains, numbering, audit coverage and the latest checkpoints; "
        "exit 1 naming what was changed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        breaches = verify_all()
        if not breaches:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "OK: every issued document and audit event matches its seal, numbering and checkpoints."
                    )
                )
            )
            return
        for breach in breaches:
            self.stderr.write(f"TAMPERED: {breach}")
        self.stderr.write(
            _("%(count)s finding(s): the database was changed outside the application.")
            % {"count": len(breaches)}
        )
        sys.exit(1)
