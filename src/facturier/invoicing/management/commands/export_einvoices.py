"""`facturier export --format facturx|cii|ubl|peppol --out DIR [--entity ...]`: every issued document, one file each.

``peppol`` writes the PEPPOL BIS Billing 3.0 UBL a PEPPOL-routed customer receives: the same
``document_xml(..., syntax="ubl", profile="PEPPOL")`` that issuing validates, as ``<number>.peppol.xml``.
A document whose buyer has no PEPPOL participant identifier (a consumer, a business known only by its
email) cannot travel on PEPPOL: it is not written, and the command names it.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import track

from facturier.accounts.management.lookup import find_entity
from facturier.accounts.models import LegalEntity
from facturier.invoicing.einvoice import (
    Syntax,
    cii_profile,
    document_filename,
    document_xml,
    peppol_recipient,
)
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.to_en16931 import document_to_en16931

FORMATS = ("facturx", "cii", "ubl", "peppol")


def issued_documents(entity: LegalEntity) -> Any:
    """Issued invoices and credit notes of one entity, in number order."""
    return (
        Document.objects.filter(entity=entity, kind=Kind.INVOICE)
        .exclude(seal_hash="")
        .select_related("entity", "customer")
        .order_by("issue_date", "number")
    )


def export_document(document: Document, fmt: str, out: Path) -> Path | None:
    """Write one document's file into ``out``; the file name is its number (None: not exportable)."""
    if fmt == "facturx":
        from facturier.documents.render import render_pdf

        target = out / f"{document.number.replace('/', '-')}.pdf"
        target.write_bytes(render_pdf(document))
        return target
    if fmt == "peppol":
        if peppol_recipient(document_to_en16931(document)) is None:
            return None
        target = out / f"{document.number.replace('/', '-')}.peppol.xml"
        target.write_bytes(document_xml(document, syntax="ubl", profile="PEPPOL"))
        return target
    syntax: Syntax = "ubl" if fmt == "ubl" else "cii"
    profile = None if syntax == "ubl" else cii_profile(document)
    target = out / document_filename(document, syntax)
    target.write_bytes(document_xml(document, syntax=syntax, profile=profile))
    return target


class Command(BaseCommand):
    help = "Export every issued invoice and credit note as Factur-X PDF, CII, UBL or PEPPOL BIS 3 UBL files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
        parser.add_argument("--out", required=True, help="output folder (created if needed)")
        parser.add_argument("--entity", help="company name, SIREN or id (default: every company)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]).expanduser()
        entities = [find_entity(options["entity"])] if options["entity"] else list(LegalEntity.objects.all())
        if not entities:
            raise CommandError("No company to export.")
        written, skipped = 0, []
        for entity in entities:
            folder = out if len(entities) == 1 else out / (entity.siren or str(entity.pk))
            folder.mkdir(parents=True, exist_ok=True)
            documents = list(issued_documents(entity))
            shown = self.stdout.isatty() and len(documents) > 20
            for document in track(documents, description=entity.name, disable=not shown):
                if export_document(document, options["fmt"], folder) is None:
                    skipped.append(document)
                else:
                    written += 1
        self.stdout.write(f"{written} file(s) written to {out}.")
        for document in skipped:
            self.stdout.write(
                f"{document.number} not exported: {document.customer.name} has no PEPPOL participant "
                "identifier (an e-invoicing address or a registration number with an ISO 6523 scheme)."
            )
