"""``facturier manage pdp_webhook_subscribe URL``: ask the platform to call us back on flow events.

Prints the webhook id and the signing key to put in ``PDP_WEBHOOK_KEY`` (or the company's account).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.transmission.base import ChannelError
from facturier.transmission.channels import get_channel
from facturier.transmission.pdp.channel import PdpChannel


class Command(BaseCommand):
    help = "Subscribe to the approved platform's flow events (XP Z12-013 createWebhook)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("callback_url", help="https://<this server>/api/v1/transmission/pdp/webhook")
        parser.add_argument("--siren", default="", help="use this company's platform account")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            channel = get_channel("pdp", options["siren"])
            if not isinstance(channel, PdpChannel):  # pragma: no cover - the registry always builds one
                raise ChannelError("the platform channel is not available")
            data = channel.subscribe_webhook(options["callback_url"])
        except ChannelError as error:
            raise CommandError(error.message, returncode=1) from error
        self.stdout.write(
            f"webhook {data['webhookId']} created; signing key (set PDP_WEBHOOK_KEY): {data['signingKey']}"
        )
