"""`facturier export --format facturx|cii|ubl|peppol --out DIR [--entity ...]`: every issued document, one file each.

Every file is the one stored at issue (``documents.files``): the XML validated then, the Factur-X PDF
rendered once after it; nothing is serialized again from today's data.
``peppol`` writes the PEPPOL BIS Billing 3.0 UBL a PEPPOL-routed customer receives: the same
PEPPOL variant stored at issue, as ``<number>.peppol.xml``.
A document whose buyer has no PEPPOL participant identifier (a consumer, a business known only by its
email) cannot travel on PEPPOL: it is not written, and the command names it.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import track

from facturier.accounts.management.lookup import find_entity
from facturier.accounts.models import LegalEntity
from facturier.documents.files import issued_pdf, issued_xml
from facturier.documents.models import FileKind
from facturier.invoicing.einvoice import document_filename
from facturier.invoicing.models import Document, Kind

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
    base = document.number.replace("/", "-")
    if fmt == "facturx":
        target = out / f"{base}.pdf"
        target.write_bytes(issued_pdf(document))
        return target
    content = issued_xml(document, FileKind(fmt))
    if content is None:  # only the PEPPOL variant may be missing: the buyer cannot be reached on PEPPOL
        return None
    target = out / (
        f"{base}.peppol.xml"
        if fmt == "peppol"
        else document_filename(document, "ubl" if fmt == "ubl" else "cii")
    )
    target.write_bytes(content)
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
