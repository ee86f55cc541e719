"""French CFONB 120 account statements ("relevé de compte 120 caractères", ETEBAC).

A statement is an 01 record (previous balance), 04 records (movements), each optionally followed by
05 records (complementary information, appended to the movement), and an 07 record (new balance).
Amounts are 14 characters whose last one carries both the last digit and the sign: ``{`` and ``A``..``I``
are +0..+9, ``}`` and ``J``..``R`` are -0..-9; the number of decimals is in column 20.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from facturier.domain.banking._text import MAX_LINES_PER_FILE, ddmmyy, decode_text, join_text
from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine

RECORD_LENGTH = 120
_POSITIVE = "{ABCDEFGHI"
_NEGATIVE = "}JKLMNOPQR"
_CODES = (b"01", b"04", b"05", b"07")
_REMITTANCE_QUALIFIERS = {"LIB", "LCC", "LC2", "LCS", "LCZ", "RCN", "REF"}


def decode_amount(field_: str, decimals: int) -> Decimal:
    """The signed amount of a 14-character CFONB amount field, or StatementError."""
    if len(field_) != 14 or not field_[:13].isdigit():
        raise StatementError(f"Invalid CFONB amount {field_!r}.", code="malformed")
    last = field_[13]
    if last in _POSITIVE:
        sign, digit = 1, _POSITIVE.index(last)
    elif last in _NEGATIVE:
        sign, digit = -1, _NEGATIVE.index(last)
    else:
        raise StatementError(f"Invalid CFONB amount sign character in {field_!r}.", code="malformed")
    units = int(field_[:13]) * 10 + digit
    return Decimal(sign * units).scaleb(-decimals)


def encode_amount(amount: Decimal, decimals: int) -> str:
    """The 14-character CFONB field of `amount` with `decimals` decimals (the inverse of decode_amount)."""
    units = int(amount.scaleb(decimals).to_integral_value())
    if Decimal(units).scaleb(-decimals) != amount:
        raise ValueError(f"{amount} has more than {decimals} decimals")
    if abs(units) >= 10**14:
        raise ValueError(f"{amount} does not fit in a CFONB amount")
    digits = f"{abs(units):014d}"
    table = _NEGATIVE if units < 0 or (units == 0 and amount.is_signed()) else _POSITIVE
    return digits[:13] + table[int(digits[13])]


def is_cfonb120(head: bytes) -> bool:
    """Whether the start of a file looks like CFONB 120 records (with or without line breaks)."""
    lines = [line for line in head.replace(b"\r", b"\n").split(b"\n") if line.strip()][:3]
    if not lines:
        return False
    first = lines[0]
    records = [
        first[i : i + RECORD_LENGTH] for i in range(0, min(len(first), 3 * RECORD_LENGTH), RECORD_LENGTH)
    ]
    return (
        first[2:7].isdigit()
        and len(first.rstrip()) >= 30
        and all(record[:2] in _CODES for record in records + lines[1:])
    )


def _records(text: str) -> list[str]:
    records = []
    for raw in text.splitlines():
        line = raw.rstrip("\r\n\x1a")
        if not line.strip():
            continue
        # Some banks send the records without line breaks, or several on one line.
        while len(line) > RECORD_LENGTH and line[RECORD_LENGTH : RECORD_LENGTH + 2] in (
            "01",
            "04",
            "05",
            "07",
        ):
            records.append(line[:RECORD_LENGTH])
            line = line[RECORD_LENGTH:]
        if len(line) > RECORD_LENGTH and line[RECORD_LENGTH:].strip():
            raise StatementError(
                f"A CFONB record is longer than {RECORD_LENGTH} characters.", code="malformed"
            )
        records.append(line[:RECORD_LENGTH].ljust(RECORD_LENGTH))
        if len(records) > 4 * MAX_LINES_PER_FILE:
            raise StatementError("The CFONB file holds too many records.", code="too_large")
    return records


@dataclass
class _Open:
    account: str
    currency: str
    decimals: int
    opening: Decimal
    start: dt.date
    lines: list[StatementLine] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)


def _decimals(record: str, number: int) -> int:
    value = record[19]
    if value == " ":
        return 2
    if not value.isdigit():
        raise StatementError(f"Record {number}: invalid number of decimals {value!r}.", code="malformed")
    return int(value)


def _account(record: str) -> str:
    return "".join(part.strip() for part in (record[2:7], record[11:16], record[21:32]))


def parse_cfonb120(data: bytes) -> list[ParsedStatement]:
    text = decode_text(data)
    records = _records(text)
    statements: list[ParsedStatement] = []
    current: _Open | None = None
    total = 0
    for number, record in enumerate(records, start=1):
        kind = record[:2]
        if kind == "01":
            if current is not None:
                raise StatementError(
                    f"Record {number}: a new statement (01) starts before the previous one ended (07).",
                    code="malformed",
                )
            decimals = _decimals(record, number)
            current = _Open(
                account=_account(record),
                currency=record[16:19].strip().upper() or "EUR",
                decimals=decimals,
                opening=decode_amount(record[90:104], decimals),
                start=ddmmyy(record[34:40], what=f"date of record {number}"),
            )
        elif kind == "04":
            if current is None:
                raise StatementError(
                    f"Record {number}: a movement (04) outside a statement (01...07).", code="malformed"
                )
            _close_line(current)
            current.lines.append(_movement(record, number, current))
            total += 1
            if total > MAX_LINES_PER_FILE:
                raise StatementError(f"The file holds over {MAX_LINES_PER_FILE} movements.", code="too_large")
        elif kind == "05":
            if current is None or not current.lines:
                raise StatementError(
                    f"Record {number}: a complement (05) without its movement (04).", code="malformed"
                )
            current.extra.append(record)
        elif kind == "07":
            if current is None:
                raise StatementError(
                    f"Record {number}: a statement end (07) without its start (01).", code="malformed"
                )
            _close_line(current)
            decimals = _decimals(record, number)
            statements.append(
                ParsedStatement(
                    format="cfonb120",
                    account_number=current.account,
                    currency=current.currency,
                    statement_id="",
                    period_start=current.start,
                    period_end=ddmmyy(record[34:40], what=f"date of record {number}"),
                    opening_balance=current.opening,
                    closing_balance=decode_amount(record[90:104], decimals),
                    lines=tuple(current.lines),
                )
            )
            current = None
        else:
            raise StatementError(f"Record {number}: unknown CFONB record type {kind!r}.", code="malformed")
    if current is not None:
        raise StatementError(
            "The CFONB file ends inside a statement (no 07 record): truncated?", code="truncated"
        )
    if not statements:
        raise StatementError("The CFONB file holds no statement.", code="no_statement")
    return statements


def _movement(record: str, number: int, current: _Open) -> StatementLine:
    decimals = _decimals(record, number)
    booking = ddmmyy(record[34:40], what=f"booking date of record {number}")
    value_text = record[42:48]
    value = ddmmyy(value_text, what=f"value date of record {number}") if value_text.strip(" 0") else None
    reason = record[40:42].strip()
    return StatementLine(
        booking_date=booking,
        amount=decode_amount(record[90:104], decimals),
        currency=record[16:19].strip().upper() or current.currency,
        value_date=value,
        bank_reference=record[104:120].strip(),
        remittance=join_text(record[48:79]),
        bank_transaction_code=record[32:34].strip(),
        return_reason="" if reason in ("", "00") else reason,
    )


def _close_line(current: _Open) -> None:
    """Fold the 05 records read since the last 04 into it."""
    if not current.extra or not current.lines:
        current.extra = []
        return
    line = current.lines[-1]
    remittance = [line.remittance]
    updates: dict[str, Any] = {}
    names: dict[str, str] = {}
    for record in current.extra:
        qualifier, content = record[45:48], record[48:118]
        if qualifier in ("NPY", "NBE"):
            names[qualifier] = names.get(qualifier) or join_text(content)
        elif qualifier == "RCN" and "end_to_end_id" not in updates:
            updates["end_to_end_id"] = content[:35].strip()
            remittance.append(content)
        elif qualifier in _REMITTANCE_QUALIFIERS:
            remittance.append(content)
        elif qualifier in (
            "NPO",
            "NBU",
            "IPY",
            "IBE",
            "IPO",
            "IBU",
            "MMO",
            "CBE",
            "BDB",
            "LEM",
            "ICS",
            "RUM",
            "DRF",
        ):
            continue
        else:
            remittance.append(record[45:118])
    # The payer of a credit, the payee of a debit; else whichever name the bank gave.
    mine, other = ("NPY", "NBE") if line.amount > 0 else ("NBE", "NPY")
    if names.get(mine) or names.get(other):
        updates["counterparty_name"] = names.get(mine) or names.get(other, "")
    current.lines[-1] = replace(line, remittance=join_text(*remittance), **updates)
    current.extra = []
