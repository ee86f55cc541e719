"""SEPA payment initiation files (ISO 20022 pain.008 direct debits, pain.001 credit transfers).

Pure builders: dataclasses in, XML bytes out, checked against the published XSDs in tests. Text is
restricted to the SEPA Latin character subset (`charset.sepa_text`), amounts are Decimal, every
message carries its number of transactions and control sum.
"""

from facturier.domain.sepa.charset import sepa_text
from facturier.domain.sepa.common import Party, SepaError
from facturier.domain.sepa.creditor_id import creditor_id_is_valid, validate_creditor_id
from facturier.domain.sepa.pain001 import CreditTransfer, TransferMessage, build_pain001
from facturier.domain.sepa.pain008 import (
    CollectionBatch,
    CollectionMessage,
    DirectDebit,
    build_pain008,
)

__all__ = [
    "CollectionBatch",
    "CollectionMessage",
    "CreditTransfer",
    "DirectDebit",
    "Party",
    "SepaError",
    "TransferMessage",
    "build_pain001",
    "build_pain008",
    "creditor_id_is_valid",
    "sepa_text",
    "validate_creditor_id",
]
