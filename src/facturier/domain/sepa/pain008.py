"""pain.008 customer direct debit initiation: `pain.008.001.08` (current) or `pain.008.001.02` (older banks).

One message holds batches (`PmtInf`), one per (collection date, scheme, sequence type), as the SEPA
rulebook requires; each batch has its transactions with their mandate reference and signature date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

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
from facturier.domain.sepa.creditor_id import validate_creditor_id

Pain008Version = Literal["pain.008.001.08", "pain.008.001.02"]
VERSIONS: tuple[Pain008Version, ...] = ("pain.008.001.08", "pain.008.001.02")
SCHEMES = ("CORE", "B2B")
SEQUENCES = ("FRST", "RCUR", "FNAL", "OOFF")
FIRST_OF_MANDATE = ("FRST", "OOFF")  # at most one per mandate and collection date in a message


@dataclass(frozen=True)
class DirectDebit:
    end_to_end_id: str
    amount: Decimal
    mandate_id: str
    mandate_signed_on: dt.date
    debtor: Party
    remittance: str = ""
    creditor_reference: str = ""  # RF reference (ISO 11649), structured remittance when present


@dataclass(frozen=True)
class CollectionBatch:
    payment_info_id: str
    collection_date: dt.date
    sequence: str
    transactions: tuple[DirectDebit, ...]
    scheme: str = "CORE"


@dataclass(frozen=True)
class CollectionMessage:
    message_id: str
    created_at: dt.datetime
    creditor: Party
    creditor_id: str
    batches: tuple[CollectionBatch, ...]
    currency: str = "EUR"
    initiating_party: str = ""
    batch_booking: bool = True
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def transactions(self) -> list[DirectDebit]:
        return [tx for batch in self.batches for tx in batch.transactions]

    @property
    def control_sum(self) -> Decimal:
        return sum((tx.amount for tx in self.transactions), Decimal("0.00"))


def _check(message: CollectionMessage) -> None:
    if message.currency != "EUR":
        raise SepaError("SEPA direct debits are in euros", field="currency")
    if not message.batches or not message.transactions:
        raise SepaError("a collection file needs at least one transaction", field="transactions")
    if message.created_at.tzinfo is None:
        raise SepaError("the creation time must be timezone-aware", field="created_at")
    seen: set[str] = set()
    firsts: set[tuple[str, dt.date]] = set()
    for batch in message.batches:
        if batch.scheme not in SCHEMES:
            raise SepaError(f"unknown scheme {batch.scheme!r}", field="scheme")
        if batch.sequence not in SEQUENCES:
            raise SepaError(f"unknown sequence type {batch.sequence!r}", field="sequence")
        if not batch.transactions:
            raise SepaError("an empty batch", field="transactions")
        for tx in batch.transactions:
            checked_amount(tx.amount, field="amount")
            end_to_end = checked_id(tx.end_to_end_id, field="end_to_end_id")
            if end_to_end in seen:
                raise SepaError(f"end-to-end id {end_to_end} used twice", field="end_to_end_id")
            seen.add(end_to_end)
            if batch.sequence in FIRST_OF_MANDATE:
                # a mandate has one first (or one-off) collection: a second on the same date is RCUR
                first = (tx.mandate_id, batch.collection_date)
                if first in firsts:
                    raise SepaError(
                        f"mandate {tx.mandate_id} has two first collections ({batch.sequence}) on "
                        f"{batch.collection_date.isoformat()}", field="sequence",
                    )  # fmt: skip
                firsts.add(first)


def build_pain008(message: CollectionMessage, version: Pain008Version = "pain.008.001.08") -> bytes:
    """The collection file, or SepaError on input a bank would reject (bad IBAN, zero amount, bad ICS…)."""
    if version not in VERSIONS:
        raise SepaError(f"unsupported version {version}", field="version")
    _check(message)
    bic_tag = "BICFI" if version == "pain.008.001.08" else "BIC"
    creditor_iban = checked_iban(message.creditor.iban, field="creditor_iban")
    creditor_bic = checked_bic(message.creditor.bic, field="creditor_bic")
    creditor_name = checked_name(message.creditor.name, field="creditor_name")
    creditor_id = validate_creditor_id(message.creditor_id)
    w = Writer(version, "CstmrDrctDbtInitn")
    header = w.sub(w.root, "GrpHdr")
    w.sub(header, "MsgId", checked_id(message.message_id, field="message_id"))
    w.sub(header, "CreDtTm", message.created_at.replace(microsecond=0).isoformat())
    w.sub(header, "NbOfTxs", str(len(message.transactions)))
    w.sub(header, "CtrlSum", amount_text(message.control_sum))
    w.path(
        header, "InitgPty/Nm", checked_name(message.initiating_party or message.creditor.name, field="name")
    )
    for batch in message.batches:
        info = w.sub(w.root, "PmtInf")
        w.sub(info, "PmtInfId", checked_id(batch.payment_info_id, field="payment_info_id"))
        w.sub(info, "PmtMtd", "DD")
        w.sub(info, "BtchBookg", "true" if message.batch_booking else "false")
        w.sub(info, "NbOfTxs", str(len(batch.transactions)))
        w.sub(info, "CtrlSum", amount_text(sum((tx.amount for tx in batch.transactions), Decimal(0))))
        kind = w.sub(info, "PmtTpInf")
        w.path(kind, "SvcLvl/Cd", "SEPA")
        w.path(kind, "LclInstrm/Cd", batch.scheme)
        w.sub(kind, "SeqTp", batch.sequence)
        w.sub(info, "ReqdColltnDt", batch.collection_date.isoformat())
        w.path(info, "Cdtr/Nm", creditor_name)
        w.path(info, "CdtrAcct/Id/IBAN", creditor_iban)
        w.agent(info, "CdtrAgt", creditor_bic, bic_tag=bic_tag)
        w.sub(info, "ChrgBr", "SLEV")
        scheme_id = w.path(info, "CdtrSchmeId/Id/PrvtId/Othr")
        w.sub(scheme_id, "Id", creditor_id)
        w.path(scheme_id, "SchmeNm/Prtry", "SEPA")
        for tx in batch.transactions:
            _transaction(w, info, tx, bic_tag=bic_tag)
    return w.tostring()


def _transaction(w: Writer, info: object, tx: DirectDebit, *, bic_tag: str) -> None:
    element = w.sub(info, "DrctDbtTxInf")
    w.path(element, "PmtId/EndToEndId", checked_id(tx.end_to_end_id, field="end_to_end_id"))
    w.sub(element, "InstdAmt", amount_text(tx.amount), Ccy="EUR")
    mandate = w.path(element, "DrctDbtTx/MndtRltdInf")
    w.sub(mandate, "MndtId", checked_id(tx.mandate_id, field="mandate_id"))
    w.sub(mandate, "DtOfSgntr", tx.mandate_signed_on.isoformat())
    w.agent(element, "DbtrAgt", checked_bic(tx.debtor.bic, field="debtor_bic"), bic_tag=bic_tag)
    debtor = w.sub(element, "Dbtr")
    w.sub(debtor, "Nm", checked_name(tx.debtor.name, field="debtor_name"))
    if tx.debtor.country:
        w.path(debtor, "PstlAdr/Ctry", tx.debtor.country.upper())
    w.path(element, "DbtrAcct/Id/IBAN", checked_iban(tx.debtor.iban, field="debtor_iban"))
    remittance(w, element, text=tx.remittance, creditor_reference=tx.creditor_reference)
