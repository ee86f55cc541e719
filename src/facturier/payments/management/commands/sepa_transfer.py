"""``facturier sepa-transfer --entity E [--date D] [--out F]``: the pain.001 file of pending transfers.

Every refund or supplier payment ordered for D or earlier and not yet in a file goes into one
pain.001.001.09 file (stored, never twice). Exit 1 on failure.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.common.commands import date_option, refused
from facturier.common.errors import BusinessError
from facturier.payments.management.commands._sepa_output import write_out
from facturier.payments.sepa_transfers import credit_transfer_file_generate


class Command(BaseCommand):
    help = "Write the SEPA credit transfer file (pain.001.001.09) of pending refunds and supplier payments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--date", help="execution date, YYYY-MM-DD (default: today)")
        parser.add_argument("--out", help="also write the pain.001 file to this path")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        date = date_option(options["date"]) if options.get("date") else timezone.localdate()
        try:
            sepa_file = credit_transfer_file_generate(entity=entity, execution_date=date, by=SYSTEM)
        except BusinessError as error:
            raise refused(error) from error
        if sepa_file is None:
            self.stdout.write(f"no transfer to make by {date}")
            return
        self.stdout.write(
            f"{sepa_file.filename}: {sepa_file.transactions} transfer(s), {sepa_file.control_sum} EUR, "
            f"sha256 {sepa_file.sha256[:16]}"
        )
        write_out(self, sepa_file, options.get("out"))
