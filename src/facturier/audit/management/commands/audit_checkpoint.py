"""`facturier audit checkpoint`: write a signed checkpoint of every entity's chains (run it daily)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from facturier.audit.checkpoints import checkpoint_dir, write_checkpoints


class Command(BaseCommand):
    help = "Write a signed checkpoint of every chain to the checkpoint directory (never overwritten)."

    def handle(self, *args: Any, **options: Any) -> None:
        paths = write_checkpoints(reason="command")
        self.stdout.write(
            _("%(count)s checkpoint(s) written to %(folder)s")
            % {"count": len(paths), "folder": checkpoint_dir()}
        )
