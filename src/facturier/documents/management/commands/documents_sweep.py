"""`facturier documents sweep [--inline]`: queue the Factur-X PDF of every issued document lacking one."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facturier.documents.sweeper import render_missing_pdfs


class Command(BaseCommand):
    help = "Queue (or render with --inline) the Factur-X PDF of every issued document that has none stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--inline", action="store_true", help="render here instead of queueing tasks")
        parser.add_argument("--limit", type=int, help="at most this many documents")

    def handle(self, *args: Any, **options: Any) -> None:
        count = render_missing_pdfs(inline=options["inline"], limit=options["limit"])
        verb = "rendered" if options["inline"] else "queued"
        self.stdout.write(f"{count} missing PDF(s) {verb}.")
