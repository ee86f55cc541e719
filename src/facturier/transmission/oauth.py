"""Transmission's OAuth2 client: the shared one (``facturier.common.oauth2``) raising ``ChannelError``."""

from __future__ import annotations

from dataclasses import dataclass

from facturier.common.http import OutboundError
from facturier.common.oauth2 import ClientCredentials as _ClientCredentials
from facturier.transmission.base import ChannelError


@dataclass
class ClientCredentials(_ClientCredentials):
    error: type[OutboundError] = ChannelError
