"""`facturier manage two_factor_reset USERNAME`: remove a user's authenticator and recovery codes.

For the operator of the server, when the person who lost their phone is the only administrator (an
administrator resets a colleague from the company page). Audited in each of the user's companies.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.two_factor import is_required, two_factor_reset_by_operator
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "Remove a user's two-factor authentication (lost phone and recovery codes); audited."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            two_factor_reset_by_operator(user=user)
        except BusinessError as error:
            raise CommandError(error.message) from error
        then = " they set up a new one at their next sign-in." if is_required(user) else ""
        self.stderr.write(f"Two-factor authentication of {user.get_username()} removed.{then}")
