"""pain.001.001.09 customer credit transfer initiation: refunds to customers, supplier payments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from facturier.domain.sepa.common import (
    Party,
    SepaError,
    Writer,
    amount_text,
    checked_amount,
    checked_bic,
    checked_iban,
    checked_id,
    checked_name,
    remittance,
)

VERSION = "pain.001.001.09"


@dataclass(frozen=True)
class CreditTransfer:
    end_to_end_id: str
    amount: Decimal
    creditor: Party
    remittance: str = ""
    creditor_reference: str = ""


@dataclass(frozen=True)
class TransferMessage:
    message_id: str
    payment_info_id: str
    created_at: dt.datetime
    execution_date: dt.date
    debtor: Party
    transactions: tuple[CreditTransfer, ...]
    currency: str = "EUR"
    batch_booking: bool = True

    @property
    def control_sum(self) -> Decimal:
        return sum((tx.amount for tx in self.transactions), Decimal("0.00"))


def build_pain001(message: TransferMessage) -> bytes:
    """The credit-transfer file, or SepaError on input a bank would reject."""
    if message.currency != "EUR":
        raise SepaError("SEPA credit transfers are in euros", field="currency")
    if not message.transactions:
        raise SepaError("a transfer file needs at least one transaction", field="transactions")
    if message.created_at.tzinfo is None:
        raise SepaError("the creation time must be timezone-aware", field="created_at")
    seen: set[str] = set()
    for tx in message.transactions:
        checked_amount(tx.amount, field="amount")
        end_to_end = checked_id(tx.end_to_end_id, field="end_to_end_id")
        if end_to_end in seen:
            raise SepaError(f"end-to-end id {end_to_end} used twice", field="end_to_end_id")
        seen.add(end_to_end)
    w = Writer(VERSION, "CstmrCdtTrfInitn")
    header = w.sub(w.root, "GrpHdr")
    w.sub(header, "MsgId", checked_id(message.message_id, field="message_id"))
    w.sub(header, "CreDtTm", message.created_at.replace(microsecond=0).isoformat())
    w.sub(header, "NbOfTxs", str(len(message.transactions)))
    w.sub(header, "CtrlSum", amount_text(message.control_sum))
    w.path(header, "InitgPty/Nm", checked_name(message.debtor.name, field="debtor_name"))
    info = w.sub(w.root, "PmtInf")
    w.sub(info, "PmtInfId", checked_id(message.payment_info_id, field="payment_info_id"))
    w.sub(info, "PmtMtd", "TRF")
    w.sub(info, "BtchBookg", "true" if message.batch_booking else "false")
    w.sub(info, "NbOfTxs", str(len(message.transactions)))
    w.sub(info, "CtrlSum", amount_text(message.control_sum))
    w.path(info, "PmtTpInf/SvcLvl/Cd", "SEPA")
    w.path(info, "ReqdExctnDt/Dt", message.execution_date.isoformat())
    w.path(info, "Dbtr/Nm", checked_name(message.debtor.name, field="debtor_name"))
    w.path(info, "DbtrAcct/Id/IBAN", checked_iban(message.debtor.iban, field="debtor_iban"))
    w.agent(info, "DbtrAgt", checked_bic(message.debtor.bic, field="debtor_bic"), bic_tag="BICFI")
    w.sub(info, "ChrgBr", "SLEV")
    for tx in message.transactions:
        element = w.sub(info, "CdtTrfTxInf")
        w.path(element, "PmtId/EndToEndId", checked_id(tx.end_to_end_id, field="end_to_end_id"))
        w.sub(w.sub(element, "Amt"), "InstdAmt", amount_text(tx.amount), Ccy="EUR")
        bic = checked_bic(tx.creditor.bic, field="creditor_bic")
        if bic:
            w.agent(element, "CdtrAgt", bic, bic_tag="BICFI")
        creditor = w.sub(element, "Cdtr")
        w.sub(creditor, "Nm", checked_name(tx.creditor.name, field="creditor_name"))
        if tx.creditor.country:
            w.path(creditor, "PstlAdr/Ctry", tx.creditor.country.upper())
        w.path(element, "CdtrAcct/Id/IBAN", checked_iban(tx.creditor.iban, field="creditor_iban"))
        remittance(w, element, text=tx.remittance, creditor_reference=tx.creditor_reference)
    return w.tostring()
