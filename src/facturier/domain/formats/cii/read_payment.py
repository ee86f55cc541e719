"""CII payment means -> BG-17 credit transfers and BG-18 card."""

from __future__ import annotations

from facturier.domain.en16931.model import CreditTransfer, PaymentCard
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.xml_reader import Node


def read_credit_transfers(means: list[Node]) -> tuple[tuple[CreditTransfer, ...], PaymentCard | None]:
    """Every PayeePartyCreditorFinancialAccount becomes a credit transfer; the first card wins."""
    transfers: list[CreditTransfer] = []
    card: PaymentCard | None = None
    for entry in means:
        account = entry.find("ram:PayeePartyCreditorFinancialAccount")
        if account is not None:
            account_id = account.text("ram:IBANID") or account.text("ram:ProprietaryID")
            if account_id is None:
                raise InvoiceParseError("BT-84 Payment account identifier is missing")
            transfers.append(
                CreditTransfer(
                    account_id=account_id,
                    account_name=account.text("ram:AccountName"),
                    service_provider_id=entry.text(
                        "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"
                    ),
                )
            )
        card_node = entry.find("ram:ApplicableTradeSettlementFinancialCard")
        if card_node is not None and card is None:
            card = PaymentCard(
                primary_account_number=card_node.required_text(
                    "ram:ID", "BT-87 Payment card primary account number"
                ),
                holder_name=card_node.text("ram:CardholderName"),
            )
    return tuple(transfers), card
