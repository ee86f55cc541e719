"""`load_demo`: load the demo company (run by `facturier demo` after `migrate`); a second run does nothing."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facturier.demo.company import MAIN_USERS
from facturier.demo.loader import load_demo
from facturier.invoicing.models import Document


class Command(BaseCommand):
    help = "Load the demo companies, users, customers, products and two years of documents (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0,
                            help="multiply the number of deals (e.g. 0.1 for a quick load in tests)")  # fmt: skip
        parser.add_argument("--port", type=int, default=8000, help="port shown in the login message")

    @contextmanager
    def _reporting(self) -> Iterator[tuple[Callable[[str], None], Callable[[int, int], None]]]:
        """(log, progress): a progress bar on a terminal, plain lines when the output is a file or a pipe."""
        if not self.stdout.isatty():
            yield self.stdout.write, lambda _done, _total: None
            return
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("Two years of business", total=None)
            yield bar.console.print, lambda done, total: bar.update(task, completed=done, total=total)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] <= 0:
            self.stderr.write("--scale must be positive.")
            raise SystemExit(2)
        with self._reporting() as (log, progress):
            result = load_demo(scale=options["scale"], log=log, progress=progress)
        if result.loaded:
            documents = Document.objects.filter(entity__memberships__user__username="demo").distinct().count()
            self.stdout.write(self.style.SUCCESS(
                f"Demo loaded in {result.seconds:.1f} s: {result.steps} business steps, {documents} documents."
            ))  # fmt: skip
        else:
            self.stdout.write(f"Demo data already loaded ({result.entity.name}): nothing to do.")
        others = ", ".join(user.username for user in MAIN_USERS if user.username != "demo")
        self.stdout.write(f"One user per role in {result.entity.name}, password demo: {others}.")
        self.stdout.write(
            self.style.SUCCESS(f"Log in at http://127.0.0.1:{options['port']}/ with demo / demo")
        )
