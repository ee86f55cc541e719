"""``facturier import-statement FILE... --entity E [--account IBAN] [--no-reconcile]``.

Each file is imported on its own transaction (a refused file writes nothing and the others go on); one
line is printed per file. The exit code is 1 when any file was refused, so scripts notice.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.banking.models import Channel
from facturier.banking.reconciliation import reconcile_after_import
from facturier.banking.selectors import bank_account_find
from facturier.banking.services import ImportResult, max_statement_bytes, statement_import
from facturier.common.errors import BusinessError
from facturier.jobs.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Import bank statements (camt.053/054, MT940, OFX, CFONB 120, or CSV with the account's saved "
        "mapping) into a company's bank accounts; lines already imported are never duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="statement files")
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument(
            "--account", default=None, help="IBAN (or number) of the account, when the file names none"
        )
        parser.add_argument("--no-reconcile", action="store_true", help="do not reconcile after the import")

    def _line(self, result: ImportResult) -> str:
        if result.already_imported:
            return (
                f"ALREADY   {result.filename}: this file was imported before ({result.duplicate_lines} lines)"
            )
        parts = [
            f"{item.account.identifier if item.account else '?'} {item.format}: {item.new_lines} new, "
            f"{item.duplicate_lines} already imported"
            for item in result.imports
        ]
        return f"IMPORTED  {result.filename}: " + "; ".join(parts)

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        account = None
        if options["account"]:
            try:
                account = bank_account_find(entity=entity, reference=options["account"])
            except BusinessError as error:
                raise CommandError(error.message) from None
        refused = 0
        for name in progress_bar(options["files"], label="Importing", minimum=2):
            path = Path(name)
            try:
                if path.stat().st_size > max_statement_bytes():
                    self.stderr.write(
                        self.style.ERROR(f"REFUSED   {name}: over the {max_statement_bytes()} bytes limit")
                    )
                    refused += 1
                    continue
                content = path.read_bytes()
            except OSError as exc:
                self.stderr.write(self.style.ERROR(f"REFUSED   {name}: cannot read it ({exc.strerror})"))
                refused += 1
                continue
            try:
                result = statement_import(
                    entity=entity,
                    by=SYSTEM,
                    filename=path.name,
                    content=content,
                    account=account,
                    channel=Channel.CLI,
                )
            except BusinessError as error:
                reason = error.extra.get("reason")
                code = f"{error.code}/{reason}" if reason else error.code
                self.stderr.write(self.style.ERROR(f"REFUSED   {path.name}: {error.message} [{code}]"))
                refused += 1
                continue
            self.stdout.write(self._line(result))
            if not options["no_reconcile"]:
                summary = reconcile_after_import(entity, new_lines=result.new_lines)
                if summary is not None:
                    self.stdout.write(
                        "RECONCILED {auto} automatically, {proposed} proposed, {unmatched} unmatched".format(
                            **summary.as_dict()
                        )
                    )
        if refused:
            raise CommandError(f"{refused} file(s) refused.", returncode=1)
