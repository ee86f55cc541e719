"""SWIFT MT940 (and MT942) customer statements, with the structured :86: of German and Dutch banks.

:86: information is read in three shapes:

* German (DK/ZKA) `?nn` subfields: GVC, booking text (?00), purpose (?20-?29, ?60-?63, with SEPA keywords
  EREF+, SVWZ+, ...), counterparty bank (?30), account (?31) and name (?32/?33);
* Dutch (Rabobank, ING, ABN AMRO SEPA) `/KEY/value` fields: EREF, CNTP, BENM/ORDP NAME, REMI, RTRN, TRCD;
* anything else is kept as free text in the remittance.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from facturier.domain.banking._text import (
    MAX_LINES_PER_FILE,
    decode_text,
    join_text,
    looks_like_iban,
    normalise_iban,
    parse_amount,
    yymmdd,
)
from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine

_TAG = re.compile(r"^:([0-9]{2}[A-Z]?):(.*)$")
_BALANCE = re.compile(r"^([CD])([0-9]{6})([A-Z]{3})?([0-9][0-9.]*,?[0-9]*)$")
_LINE = re.compile(
    r"^(?P<value>[0-9]{6})(?P<entry>[0-9]{4})?(?P<mark>R?[CD]|E[CD])(?P<funds>[A-Z])?"
    r"(?P<amount>[0-9][0-9.]*,?[0-9]*)(?P<type>[NFS][A-Z0-9]{3})?(?P<ref>(?:(?!//).)*)(?://(?P<bankref>.*))?$"
)
_NOREF = {"", "NONREF", "NOTPROVIDED", "EREF", "PREF", "MARF"}  # Rabobank: "see :86: EREF", not a reference
_DUTCH_KEYS = (
    "EREF|PREF|MARF|CSID|CNTP|REMI|RTRN|BENM|ORDP|TRCD|ISDT|NAME|IBAN|BIC|ADDR|PURP|ULTC|ULTD|ULTB|SVCL|"
    "CDTRREFTP|CDTRREF|CD|ISSR|ID|BUSP|FX|ORDI|BENI|EXCH|CHGS|ABNA|ACCW|OCMT"
)
_DUTCH = re.compile(rf"/({_DUTCH_KEYS})/")
_GERMAN_SUBFIELD = re.compile(r"\?([0-9]{2})")
_SEPA_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC|COAM|OAMT|RTRN)\+")
_ISO_RETURN = re.compile(r"\b([A-Z]{2}[0-9]{2}|MS0[23]|FF0[1-5]|SL01|RR0[1-4])\b")


def is_mt940(text_head: bytes) -> bool:
    head = text_head.lstrip(b"\xef\xbb\xbf\r\n\t \x01")
    return head.startswith(b"{1:") or (
        re.search(rb"(?m)^:20:", head) is not None
        and re.search(rb"(?m)^:(25|60[FM]|61|28C?):", head) is not None
    )


@dataclass
class _Builder:
    reference: str = ""
    account: str = ""
    account_number: str = ""
    number: str = ""
    currency: str = ""
    opening: Decimal | None = None
    closing: Decimal | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    lines: list[StatementLine] = field(default_factory=list)
    pending: dict[str, object] | None = None
    seen_any: bool = False
    mt942: bool = False


def _fields(text: str) -> list[tuple[str, str]]:
    """(tag, value) pairs in file order; continuation lines are joined to their field with newlines."""
    text = re.sub(r"(?m)^:\r?\n([0-9]{2}[A-Z]?:)", r":\1", text)  # a tag wrapped right after its colon
    fields: list[tuple[str, list[str]]] = []
    for raw in text.splitlines():
        line = raw.rstrip("\r\n").replace("\x00", "")
        stripped = line.strip()
        match = _TAG.match(line.lstrip())
        if match:
            fields.append((match.group(1), [match.group(2)]))
        elif stripped in ("-", "-}", "}", "") or stripped.startswith(
            ("{1:", "{2:", "{3:", "{4:", "{5:", "-}{5:")
        ):
            continue
        elif fields:
            fields[-1][1].append(line)
        if len(fields) > 4 * MAX_LINES_PER_FILE:
            raise StatementError("The MT940 file holds too many fields.", code="too_large")
    return [(tag, "\n".join(parts)) for tag, parts in fields]


def parse_mt940(data: bytes) -> list[ParsedStatement]:
    text = decode_text(data)
    fields = _fields(text)
    if not any(tag == "61" or tag.startswith("60") for tag, _ in fields):
        raise StatementError("This file has no MT940 statement fields (:60F:, :61:).", code="unknown_format")
    statements: list[ParsedStatement] = []
    current: _Builder | None = None
    total = 0
    for tag, value in fields:
        if tag == "20" or current is None:
            if current is not None and current.seen_any:
                statements.append(_finish(current))
            current = _Builder(reference=value.strip())
            if tag == "20":
                continue
        if tag == "25":
            if current.lines or current.pending is not None:
                raise StatementError(
                    "An account field (:25:) comes after the statement lines.", code="malformed"
                )
            _account(current, value)
        elif tag in ("28", "28C"):
            current.number = "".join(value.split())
        elif tag in ("60F", "60M", "60"):
            amount, currency, day = _balance(value, tag)
            current.opening, current.start, current.seen_any = amount, day, True
            current.currency = current.currency or currency
        elif tag in ("62F", "62M", "62"):
            amount, currency, day = _balance(value, tag)
            current.closing, current.end = amount, day
            current.currency = current.currency or currency
        elif tag in ("13", "13D", "34F", "90D", "90C"):
            current.mt942 = True
            if tag == "34F" and not current.currency:
                current.currency = value.strip()[:3]
        elif tag == "61":
            _flush(current)
            current.pending = _statement_line(value)
            current.seen_any = True
            total += 1
            if total > MAX_LINES_PER_FILE:
                raise StatementError(f"The file holds over {MAX_LINES_PER_FILE} movements.", code="too_large")
        elif tag == "86":
            if current.pending is not None and "info" not in current.pending:
                current.pending["info"] = value
    if current is not None and current.seen_any:
        statements.append(_finish(current))
    if not statements:
        raise StatementError("The MT940 file holds no statement.", code="no_statement")
    return statements


def _account(builder: _Builder, value: str) -> None:
    account = value.strip().split("\n")[0].strip()
    candidate = normalise_iban(account)
    if len(candidate) > 5 and re.fullmatch(r"[A-Z]{3}", candidate[-3:]) and looks_like_iban(candidate[:-3]):
        builder.currency = builder.currency or candidate[-3:]
        candidate = candidate[:-3]
    if looks_like_iban(candidate):
        builder.account = candidate
    else:
        suffix = re.search(r"[0-9]([A-Z]{3})$", account)
        if suffix:  # Rabobank: "1291.99.348EUR"
            builder.currency = builder.currency or suffix.group(1)
            account = account[:-3]
        builder.account, builder.account_number = "", account


def _balance(value: str, tag: str) -> tuple[Decimal, str, dt.date]:
    first = value.strip().split("\n")[0]  # ABN AMRO puts its header lines between statements
    match = _BALANCE.match(first.strip().replace(" ", ""))
    if match is None:
        raise StatementError(f"Invalid MT940 balance :{tag}: {value.strip()[:40]!r}.", code="malformed")
    mark, day, currency, amount = match.groups()
    value_ = _amount(amount)
    return (
        (-value_ if mark == "D" else value_),
        currency or "",
        yymmdd(day, what=f"date of :{tag}:", clamp=True),
    )


def _amount(text: str) -> Decimal:
    if "," in text:
        text = text.replace(".", "")
    if text.endswith((",", ".")):
        text = text[:-1]
    return parse_amount(text, what="MT940 amount")


def _statement_line(value: str) -> dict[str, object]:
    first, _, extra = value.partition("\n")
    match = _LINE.match(first.strip())
    if match is None:
        raise StatementError(f"Invalid MT940 statement line :61: {first.strip()[:60]!r}.", code="malformed")
    value_date = yymmdd(match["value"], what="value date of :61:", clamp=True)
    booking = value_date
    if match["entry"]:
        month, day = int(match["entry"][:2]), int(match["entry"][2:])
        year = value_date.year
        if value_date.month == 12 and month == 1:
            year += 1
        elif value_date.month == 1 and month == 12:
            year -= 1
        booking = yymmdd(f"{year % 100:02d}{month:02d}{day:02d}", what="entry date of :61:", clamp=True)
    mark = match["mark"]
    amount = _amount(match["amount"])
    negative = mark in ("D", "RC", "ED")
    ref = match["ref"].strip()
    bankref = (match["bankref"] or "").strip()
    return {
        "booking": booking,
        "value": value_date,
        "amount": -amount if negative else amount,
        "reversal": mark.startswith("R"),
        "type": match["type"] or "",
        "reference": bankref or ("" if ref.upper() in _NOREF else ref),
        "customer_ref": "" if ref.upper() in _NOREF else ref,
        "extra": " ".join(extra.split()),
    }


def _flush(builder: _Builder) -> None:
    pending = builder.pending
    if pending is None:
        return
    builder.pending = None
    info = str(pending.get("info", ""))
    details = _details(info)
    amount = pending["amount"]
    assert isinstance(amount, Decimal)
    reason = details.get("return_reason", "")
    extra = str(pending["extra"])
    if not details.get("iban") and looks_like_iban(extra):  # Rabobank: counterparty IBAN after :61:
        details["iban"] = normalise_iban(extra)
    builder.lines.append(
        StatementLine(
            booking_date=pending["booking"],  # type: ignore[arg-type]
            amount=amount,
            currency=builder.currency,
            value_date=pending["value"],  # type: ignore[arg-type]
            bank_reference=str(pending["reference"]),
            end_to_end_id=details.get("end_to_end_id", ""),
            structured_reference=details.get("structured_reference", ""),
            remittance=details.get("remittance", ""),
            counterparty_name=details.get("name", ""),
            counterparty_iban=details.get("iban", ""),
            counterparty_bic=details.get("bic", ""),
            bank_transaction_code=details.get("code", "") or str(pending["type"]),
            return_reason=reason,
            description=join_text(str(pending["extra"]), details.get("description", "")),
        )
    )


def _finish(builder: _Builder) -> ParsedStatement:
    _flush(builder)
    # Lines were built before :62F: could give the currency: fill it in.
    lines = tuple(line if line.currency else _with_currency(line, builder.currency) for line in builder.lines)
    return ParsedStatement(
        format="mt942" if builder.mt942 and builder.opening is None else "mt940",
        account_iban=builder.account,
        account_number="" if builder.account else builder.account_number,
        currency=builder.currency,
        statement_id=builder.number or builder.reference,
        period_start=builder.start,
        period_end=builder.end,
        opening_balance=builder.opening,
        closing_balance=builder.closing,
        lines=lines,
    )


def _with_currency(line: StatementLine, currency: str) -> StatementLine:
    from dataclasses import replace

    return replace(line, currency=currency)


def _details(info: str) -> dict[str, str]:
    """What an :86: field says, in the StatementLine vocabulary."""
    if not info.strip():
        return {}
    flat = "".join(part.rstrip("\r") for part in info.split("\n"))
    if re.match(r"^\s*[0-9]{3}\?", flat) or "?20" in flat or "?00" in flat:
        return _german(flat)
    if _DUTCH.search(flat) and flat.lstrip().startswith("/"):
        return _dutch(flat)
    return {"remittance": join_text(*info.split("\n"))}


def _german(flat: str) -> dict[str, str]:
    out: dict[str, str] = {}
    head = re.match(r"^\s*([0-9]{3})", flat)
    if head:
        out["code"] = head.group(1)
    parts = _GERMAN_SUBFIELD.split(flat)
    subfields: dict[str, list[str]] = {}
    for i in range(1, len(parts) - 1, 2):
        subfields.setdefault(parts[i], []).append(parts[i + 1])
    purpose = "".join("".join(subfields.get(f"{n:02d}", [])) for n in [*range(20, 30), *range(60, 64)])
    out["description"] = join_text("".join(subfields.get("00", [])))
    out["bic"] = "".join(subfields.get("30", [])).strip()
    account = "".join(subfields.get("31", [])).strip()
    out["iban"] = normalise_iban(account) if looks_like_iban(account) else account
    out["name"] = join_text("".join(subfields.get("32", [])) + "".join(subfields.get("33", [])))
    keywords = list(_SEPA_KEYWORD.finditer(purpose))
    if keywords:
        values: dict[str, str] = {}
        for n, match in enumerate(keywords):
            stop = keywords[n + 1].start() if n + 1 < len(keywords) else len(purpose)
            values.setdefault(match.group(1), purpose[match.end() : stop].strip())
        end_to_end = values.get("EREF", "")
        out["end_to_end_id"] = "" if end_to_end.upper() in _NOREF else end_to_end
        out["remittance"] = join_text(values.get("SVWZ", "") or purpose[: keywords[0].start()])
        if values.get("IBAN") and not out["iban"]:
            out["iban"] = normalise_iban(values["IBAN"])
        if values.get("BIC") and not out["bic"]:
            out["bic"] = values["BIC"]
        reason = values.get("RTRN", "")
        if reason:
            out["return_reason"] = reason[:4]
    else:
        out["remittance"] = join_text(purpose)
    remittance = out.get("remittance", "")
    if re.fullmatch(r"RF[0-9]{2}[A-Z0-9]{1,21}", remittance.replace(" ", "")):
        out["structured_reference"] = remittance.replace(" ", "")
    return {k: v for k, v in out.items() if v}


def _dutch(flat: str) -> dict[str, str]:
    parts = _DUTCH.split(flat.strip())
    values: dict[str, str] = {}
    for i in range(1, len(parts) - 1, 2):
        key, value = parts[i], parts[i + 1].strip("/ ")
        if key == "NAME" and "NAME" in values:
            continue
        values.setdefault(key, value) if key != "REMI" else values.__setitem__(key, value)
    out: dict[str, str] = {}
    end_to_end = values.get("EREF", "")
    out["end_to_end_id"] = "" if end_to_end.upper() in _NOREF else end_to_end
    cntp = values.get("CNTP", "").split("/")
    if any(cntp):
        out["iban"] = normalise_iban(cntp[0]) if cntp[0] else ""
        out["bic"] = cntp[1] if len(cntp) > 1 else ""
        out["name"] = join_text(cntp[2]) if len(cntp) > 2 else ""
    out["name"] = out.get("name") or join_text(values.get("NAME", ""))
    out["iban"] = out.get("iban") or normalise_iban(values.get("IBAN", ""))
    out["bic"] = out.get("bic") or values.get("BIC", "")
    remi = values.get("REMI", "")
    if remi.startswith("STRD"):
        bits = [b for b in remi.split("/") if b]
        out["structured_reference"] = values.get("CDTRREF", "") or (bits[-1] if len(bits) > 1 else "")
    else:
        if remi.startswith("USTD"):
            remi = remi[4:].lstrip("/")
        out["remittance"] = join_text(remi)
    if values.get("CDTRREF") and not out.get("structured_reference"):
        out["structured_reference"] = values["CDTRREF"]
    rtrn = values.get("RTRN", "")
    if rtrn:
        found = _ISO_RETURN.search(rtrn)
        out["return_reason"] = found.group(1) if found else rtrn.split("/")[0][:35]
    out["code"] = values.get("TRCD", "")
    return {k: v for k, v in out.items() if v}
