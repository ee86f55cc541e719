"""``facturier sepa-dd-collect --entity E --date D [--out F]``: the SEPA direct debit run of one date.

1. schedules (and pre-notifies) every open invoice due by D whose customer has a mandate, when D is
   far enough ahead for the pre-notification (otherwise only what was scheduled before is collected);
2. writes the pain.008 file of that date (stored; run twice, nothing is collected twice);
3. with ``--out``, copies the file there for the bank. Exit 1 on any failure.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.common.commands import date_option, refused
from facturier.common.errors import BusinessError
from facturier.payments import errors
from facturier.payments.management.commands._sepa_output import write_out
from facturier.payments.sepa_collections import collection_file_generate, collections_schedule


class Command(BaseCommand):
    help = (
        "Collect open invoices by SEPA direct debit at a date: schedule, pre-notify, write the pain.008 file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--date", required=True, help="requested collection date, YYYY-MM-DD")
        parser.add_argument("--out", help="also write the pain.008 file to this path")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        date = date_option(options["date"])
        try:
            with transaction.atomic():
                scheduled = collections_schedule(entity=entity, collection_date=date, by=SYSTEM)
            self.stdout.write(f"[1/2] scheduled and pre-notified {len(scheduled)} invoice(s) for {date}")
        except BusinessError as error:
            if getattr(error, "code", "") != errors.PRENOTIFICATION_TOO_LATE:
                raise refused(error) from error
            self.stdout.write(f"[1/2] no new invoice scheduled: {error.message}")
        try:
            sepa_file = collection_file_generate(entity=entity, collection_date=date, by=SYSTEM)
        except BusinessError as error:
            raise refused(error) from error
        if sepa_file is None:
            self.stdout.write(f"[2/2] nothing left to collect on {date}")
            return
        self.stdout.write(
            f"[2/2] {sepa_file.filename}: {sepa_file.transactions} debit(s), {sepa_file.control_sum} EUR, "
            f"{sepa_file.version}, sha256 {sepa_file.sha256[:16]}"
        )
        write_out(self, sepa_file, options.get("out"))
