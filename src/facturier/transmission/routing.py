"""Which channel an invoice leaves through, decided by its customer.

Public-sector customers must be invoiced through Chorus Pro (identified by their SIRET, with the
service code when they have one); customers reachable on the e-invoicing network (an electronic
address, BT-49) through our approved platform; everyone else by email.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from facturier.common.errors import ValidationFailed
from facturier.parties.models import Customer, CustomerKind
from facturier.transmission.models import ChannelName


@dataclass(frozen=True)
class Route:
    channel: str
    recipient: str


def route_for(customer: Customer, *, channel: str | None = None) -> Route:
    """The channel for ``customer`` (or the one asked for) and the recipient address on it."""
    chosen = channel or _default_channel(customer)
    if chosen == ChannelName.CHORUS_PRO:
        if not customer.siret:
            raise ValidationFailed(
                _("A public-sector customer is invoiced through Chorus Pro, which needs its SIRET."),
                field="siret", code="missing_siret",
            )  # fmt: skip
        recipient = customer.siret + (f"/{customer.service_code}" if customer.service_code else "")
        return Route(ChannelName.CHORUS_PRO, recipient)
    if chosen == ChannelName.PDP:
        if not customer.electronic_address:
            raise ValidationFailed(
                _("This customer has no e-invoicing address (BT-49) to send to through a platform."),
                field="electronic_address", code="missing_electronic_address",
            )  # fmt: skip
        scheme = customer.electronic_address_scheme or "0225"
        return Route(ChannelName.PDP, f"{scheme}:{customer.electronic_address}")
    if chosen == ChannelName.EMAIL:
        if not customer.email:
            raise ValidationFailed(
                _("This customer has no billing email address."), field="email", code="missing_email"
            )
        return Route(ChannelName.EMAIL, customer.email)
    raise ValidationFailed(_("Unknown transmission channel."), field="channel", code="unknown_channel")


def _default_channel(customer: Customer) -> str:
    if customer.kind == CustomerKind.PUBLIC or customer.service_code:
        return ChannelName.CHORUS_PRO
    if customer.electronic_address:
        return ChannelName.PDP
    if customer.email:
        return ChannelName.EMAIL
    raise ValidationFailed(
        _("No way to send to this customer: add an email address, an e-invoicing address or a SIRET."),
        field="customer", code="no_channel",
    )  # fmt: skip
