"""``facturier transmit``: send issued invoices now, or sweep the sendings the database says are due.

``facturier transmit FAC-2026-00012 ... --entity X`` sends those invoices through their customers'
channels (or ``--channel``); ``facturier transmit --pending`` sends every transmission still waiting
(requested but lost from the queue, or left half-way by a dead worker). One line per invoice; exit
code 1 when any sending failed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.common.errors import BusinessError
from facturier.invoicing.models import Document, Kind
from facturier.transmission.failures import failure_label
from facturier.transmission.models import ChannelName, Transmission, TransmissionStatus
from facturier.transmission.selectors import pending_transmissions
from facturier.transmission.services import transmission_deliver, transmission_request


class Command(BaseCommand):
    help = "Send issued invoices through their channel (email, Chorus Pro, platform), or the pending ones."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("invoices", nargs="*", metavar="INVOICE", help="invoice numbers or ids")
        parser.add_argument("--entity", help="entity id, SIREN or name (needed with invoice numbers)")
        parser.add_argument("--channel", choices=ChannelName.values, help="force a channel")
        parser.add_argument("--pending", action="store_true", help="send every transmission still due")

    def _documents(self, options: dict[str, Any]) -> list[Document]:
        entity = find_entity(options["entity"]) if options["entity"] else None
        documents = []
        for value in options["invoices"]:
            query = Q(number=value)
            try:
                query |= Q(pk=uuid.UUID(value))
            except ValueError:
                pass
            matches = Document.objects.filter(query, kind=Kind.INVOICE)
            if entity is not None:
                matches = matches.filter(entity=entity)
            found = list(matches[:2])
            if len(found) != 1:
                raise CommandError(
                    f"No single invoice matches {value!r} (give its id, or its number and --entity)."
                )
            documents.append(found[0])
        return documents

    def _report(self, transmission: Transmission | None, label: str) -> bool:
        if transmission is None:
            self.stdout.write(f"SKIPPED  {label}: nothing to send")
            return True
        if transmission.status == TransmissionStatus.FAILED:
            reason = failure_label(transmission.last_error_code)
            self.stdout.write(self.style.ERROR(
                f"FAILED   {label} via {transmission.channel}: {reason} ({transmission.last_error})"
            ))  # fmt: skip
            return False
        self.stdout.write(f"{transmission.status.upper():<8} {label} via {transmission.channel} "
                          f"to {transmission.recipient} ({transmission.external_id})")  # fmt: skip
        return True

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["invoices"] and not options["pending"]:
            raise CommandError("Name the invoices to send, or use --pending.")
        ok = True
        for document in self._documents(options):
            try:
                requested = transmission_request(document=document, by=SYSTEM, channel=options["channel"])
            except BusinessError as error:
                self.stdout.write(self.style.ERROR(f"REFUSED  {document}: {error.message} [{error.code}]"))
                ok = False
                continue
            delivered = transmission_deliver(transmission_id=str(requested.pk))
            requested.refresh_from_db()
            ok &= self._report(delivered or requested, str(document))
        if options["pending"]:
            for row in pending_transmissions():
                ok &= self._report(transmission_deliver(transmission_id=str(row.pk)), str(row.document))
        if not ok:
            raise CommandError("Some invoices could not be sent.", returncode=1)
