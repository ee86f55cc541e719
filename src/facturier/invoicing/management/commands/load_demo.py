"""`load_demo`: load the demo company (run by `facturier demo` after `migrate`); a second run does nothing."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facturier.demo.loader import load_demo
from facturier.invoicing.models import Document


class Command(BaseCommand):
    help = "Load the demo companies, users, customers, products and two years of documents (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0,
                            help="multiply the number of deals (e.g. 0.1 for a quick load in tests)")  # fmt: skip
        parser.add_argument("--port", type=int, default=8000, help="port shown in the login message")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            self.stderr.write("--scale must be positive.")
            raise SystemExit(2)
        result = load_demo(scale=options["scale"], log=self.stdout.write)
        if result.loaded:
            documents = Document.objects.filter(entity__memberships__user__username="demo").distinct().count()
            self.stdout.write(self.style.SUCCESS(
                f"Demo loaded in {result.seconds:.1f} s: {result.steps} business steps, {documents} documents."
            ))  # fmt: skip
        else:
            self.stdout.write(f"Demo data already loaded ({result.entity.name}): nothing to do.")
        self.stdout.write(
            self.style.SUCCESS(f"Log in at http://127.0.0.1:{options['port']}/ with demo / demo")
        )
