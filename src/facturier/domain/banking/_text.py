"""Shared helpers of the statement parsers: size bounds, text decoding, amounts and dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from facturier.domain.banking.statement import StatementError

MAX_STATEMENT_BYTES = 64 * 1024 * 1024
"""Largest statement file read (64 MB: about 40,000 camt.053 entries, far over a year of a busy account)."""

MAX_LINES_PER_FILE = 500_000
"""Most movements one file may hold, whatever its format (bounds memory on hostile text files)."""

_CENT = Decimal("0.01")
_AMOUNT_TEXT = re.compile(r"^[0-9]{1,18}(?:[.,][0-9]{0,6})?$")


def check_size(data: bytes) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise StatementError(f"expected bytes, got {type(data).__name__}", code="malformed")
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(
            f"The file is {len(data)} bytes, over the {MAX_STATEMENT_BYTES} bytes a statement may have.",
            code="too_large",
        )
    if not bytes(data).strip():
        raise StatementError("The file is empty.", code="empty")


def decode_text(data: bytes, *, declared: str = "") -> str:
    """Text of a line-based statement: UTF-8 when it is valid UTF-8, else the declared or Windows-1252 charset."""
    raw = bytes(data)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise StatementError("The file claims UTF-16 but is not valid UTF-16.", code="encoding") from exc
    if b"\x00" in raw:
        raise StatementError("The file holds NUL bytes: it is binary, not a text statement.", code="encoding")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = declared or "cp1252"
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return raw.decode("latin-1")  # every byte maps: never fails


def parse_amount(text: str, *, what: str = "amount") -> Decimal:
    """A non-negative decimal written with `.` or `,` as separator (MT940 and OFX style), or StatementError."""
    value = text.strip()
    if not _AMOUNT_TEXT.match(value):
        raise StatementError(f"Invalid {what}: {text.strip()[:40]!r}.", code="malformed")
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise StatementError(f"Invalid {what}: {value[:40]!r}.", code="malformed") from exc
    # "9," and "9,00" are the same amount: written alike, so the line's natural key does not depend on it
    exponent = amount.as_tuple().exponent
    return amount.quantize(_CENT) if isinstance(exponent, int) and exponent > -2 else amount


def make_date(year: int, month: int, day: int, *, what: str = "date") -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise StatementError(f"Invalid {what}: {year:04d}-{month:02d}-{day:02d}.", code="malformed") from exc


def yymmdd(text: str, *, what: str = "date", clamp: bool = False) -> dt.date:
    """A YYMMDD date (MT940): years 00-79 are 20xx, 80-99 are 19xx.

    With `clamp`, a day past the end of its month (some German banks book on "February 30" under the
    30-day-month convention) is read as the month's last day.
    """
    if len(text) != 6 or not text.isdigit():
        raise StatementError(f"Invalid {what}: {text[:20]!r}.", code="malformed")
    yy = int(text[:2])
    year, month, day = 2000 + yy if yy < 80 else 1900 + yy, int(text[2:4]), int(text[4:6])
    if clamp and 1 <= month <= 12 and 28 < day <= 31:
        day = min(day, calendar.monthrange(year, month)[1])
    return make_date(year, month, day, what=what)


def ddmmyy(text: str, *, what: str = "date") -> dt.date:
    """A DDMMYY date (CFONB)."""
    if len(text) != 6 or not text.isdigit():
        raise StatementError(f"Invalid {what}: {text[:20]!r}.", code="malformed")
    yy = int(text[4:6])
    return make_date(2000 + yy if yy < 80 else 1900 + yy, int(text[2:4]), int(text[:2]), what=what)


def normalise_iban(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def looks_like_iban(text: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", normalise_iban(text)))


def join_text(*parts: str) -> str:
    return " ".join(" ".join(p.split()) for p in parts if p and p.strip())
