"""`facturier conformance install PATH` / `verify`: the official validation rules, installed for users.

The XSDs and schematron XSLTs (CEN EN 16931, FNFE BR-FR, PEPPOL, Factur-X) are copied from a folder of
official artefacts into ``$FACTURIER_DATA_DIR/conformance``; issuing validates against that copy.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.domain.validation import ArtefactMissing, install_conformance
from facturier.invoicing.einvoice import artefact_store


class Command(BaseCommand):
    help = "Install (or check) the official e-invoicing validation artefacts in the data directory."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser("install", help="copy the artefacts from PATH into the data directory")
        install.add_argument("path", help="folder of official conformance data (XSD, XSLT)")
        sub.add_parser("verify", help="check every artefact validation needs is installed")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if options["action"] == "install":
            source = Path(options["path"]).expanduser()
            if not source.is_dir():
                raise CommandError(f"{source} is not a folder.")
            try:
                target = install_conformance(source, Path(settings.DATA_DIR))
            except ArtefactMissing as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"Validation artefacts installed in {target}.")
            return
        store = artefact_store()
        try:
            store.verify()
        except ArtefactMissing as error:
            missing = str(error).count("validation artefact '")
            raise CommandError(
                f"{missing} validation artefact(s) missing in {store.root}. "
                f"Install them with: facturier conformance install PATH\n{error}"
            ) from error
        self.stdout.write(f"All validation artefacts are installed ({store.root}).")
