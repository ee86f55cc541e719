"""`facturier audit keygen`: create the seal key file, or rotate by putting a new current key first.

The previous keys stay in the file so that older seals still verify. With `FACTURIER_SEAL_KEYS` set,
the keys live in the environment: rotate there (prepend a new `kid:secret`) instead.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from facturier.audit.keys import key_file, rotate


class Command(BaseCommand):
    help = "Create the seal key file (mode 0600), or put a new current key first in it (key rotation)."

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "FACTURIER_SEAL_KEYS", ""):
            raise CommandError(
                _(
                    "The seal keys come from FACTURIER_SEAL_KEYS: rotate by putting a new kid:secret first there."
                )
            )
        key_id = rotate()
        self.stdout.write(
            _("New current seal key %(key_id)s in %(path)s: keep a copy of this file away from the database.")
            % {"key_id": key_id, "path": key_file()}
        )
