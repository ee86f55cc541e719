"""`facturier unlock-user USERNAME` (or `--address ADDRESS`): lift a sign-in lock before it expires."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.login_guard import unlock_account, unlock_address


class Command(BaseCommand):
    help = (
        "Unlock an account locked after too many failed sign-ins (its failures are forgotten too), "
        "or unblock a client address. Audited as done by the system."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", help="the username (case does not matter)")
        parser.add_argument("--address", help="a client IP address blocked for sign-in and the API")

    def handle(self, *args: Any, **options: Any) -> None:
        username, address = options["username"], options["address"]
        if not username and not address:
            raise CommandError("give a USERNAME, --address ADDRESS, or both.")
        if username:
            locked = unlock_account(username=username, by=SYSTEM)
            state = "was locked and is unlocked" if locked else "was not locked; its failures are cleared"
            self.stdout.write(f"account '{username}' {state}.")
        if address:
            blocked = unlock_address(address=address, by=SYSTEM)
            state = "was blocked and is unblocked" if blocked else "was not blocked; its failures are cleared"
            self.stdout.write(f"address {address} {state}.")
