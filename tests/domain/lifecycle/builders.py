"""Lifecycle messages as a platform or a buyer would send them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from facturier.domain.lifecycle import CdarMessage, CdarParty, StatusEvent

PLATFORM = CdarParty(global_id="0042", scheme="0238", role="WK", name="Plateforme Agréée Test")
SELLER_SIREN = "552100554"
BUYER_SIREN = "443061841"
WHEN = dt.datetime(2026, 11, 23, 10, 30, tzinfo=dt.UTC)


def status_message(
    code: int,
    *,
    number: str = "FAC-2026-00001",
    reason_code: str = "",
    reason_text: str = "",
    seller: str = SELLER_SIREN,
    issue_date: dt.date = dt.date(2026, 11, 20),
    collected: tuple[tuple[Decimal, Decimal], ...] = (),
    message_id: str = "CDV-0001",
    occurred_at: dt.datetime = WHEN,
) -> CdarMessage:
    """A message valid under the BR-FR-CDV rules: platform statuses (200-203, 213) typed 305 with a
    WK issuer, the buyer's (204-212) typed 23 with the buyer as issuer."""
    platform_phase = code in (200, 201, 202, 203, 213)
    issuer = CdarParty(role="WK") if platform_phase else CdarParty(global_id=BUYER_SIREN, role="BY")
    return CdarMessage(
        message_id=message_id,
        issued_at=occurred_at,
        sender=PLATFORM,
        issuer=issuer,
        recipients=(CdarParty(global_id=seller, role="SE", electronic_address=seller),),
        events=(
            StatusEvent(
                invoice_number=number, code=code, invoice_issue_date=issue_date, seller_id=seller,
                reason_code=reason_code, reason_text=reason_text, occurred_at=occurred_at, collected=collected,
            ),
        ),
    )  # fmt: skip
