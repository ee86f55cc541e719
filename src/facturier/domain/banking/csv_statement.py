"""CSV bank statements: every bank exports its own columns, so each account keeps a `CsvMapping`.

The mapping names the columns (by their header text), the delimiter, the encoding, the date format and
the decimal separator. The amount is either one signed column, or a debit column and a credit column
(a debit is money out whatever its printed sign). Rows before the header (a bank's title lines) are
skipped with `skip_rows`. Anything the mapping cannot read is a `StatementError` naming the row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict, dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine

MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_CSV_ROWS = 200_000
MAX_FIELD_CHARS = 2_000
AMOUNT_DECIMALS = Decimal("0.01")


@dataclass(frozen=True)
class CsvMapping:
    """How to read one bank's CSV export (stored as JSON on the bank account)."""

    date_column: str
    amount_column: str = ""  # a signed amount; or debit_column + credit_column
    debit_column: str = ""
    credit_column: str = ""
    reference_column: str = ""  # the bank's own reference of the movement (the natural key when present)
    text_column: str = ""  # remittance / label
    counterparty_column: str = ""
    iban_column: str = ""
    value_date_column: str = ""
    currency_column: str = ""
    currency: str = "EUR"  # when the file has no currency column
    delimiter: str = ";"
    encoding: str = "utf-8"
    date_format: str = "%d/%m/%Y"
    decimal_separator: str = ","
    thousands_separator: str = ""
    skip_rows: int = 0  # lines before the header row

    def __post_init__(self) -> None:
        if not self.date_column:
            raise ValueError("the date column is required")
        if bool(self.amount_column) == bool(self.debit_column or self.credit_column):
            raise ValueError("give either an amount column or debit and credit columns")
        if len(self.delimiter) != 1:
            raise ValueError("the delimiter is one character")
        if self.decimal_separator not in (",", "."):
            raise ValueError("the decimal separator is ',' or '.'")
        if self.thousands_separator == self.decimal_separator:
            raise ValueError("the thousands separator differs from the decimal separator")
        if not 0 <= self.skip_rows <= 100:
            raise ValueError("skip_rows is between 0 and 100")
        try:
            "".encode(self.encoding)
        except LookupError as error:
            raise ValueError(f"unknown encoding {self.encoding!r}") from error

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CsvMapping:
        """A mapping from its JSON form; unknown keys are refused (a typo would silently drop a column)."""
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown mapping keys: {', '.join(unknown)}")
        return cls(**data)

    def columns(self) -> list[str]:
        names = [
            self.date_column, self.amount_column, self.debit_column, self.credit_column, self.reference_column,
            self.text_column, self.counterparty_column, self.iban_column, self.value_date_column,
            self.currency_column,
        ]  # fmt: skip
        return [name for name in names if name]


def _decode(data: bytes, encoding: str) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise StatementError(f"The CSV file is over {MAX_CSV_BYTES} bytes.", code="too_large")
    if b"\x00" in data:
        raise StatementError("The file is binary, not a CSV text file.", code="encoding")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise StatementError(
            f"The file is not in the {encoding} encoding the mapping expects (byte {error.start}).",
            code="encoding",
        ) from error
    return text.removeprefix("\ufeff")


def _amount(raw: str, mapping: CsvMapping, row: int, column: str) -> Decimal | None:
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if mapping.thousands_separator:
        text = text.replace(mapping.thousands_separator, "")
    if mapping.decimal_separator == ",":
        text = text.replace(",", ".")
    negative = text.startswith("(") and text.endswith(")")  # accounting notation
    text = text.strip("()")
    if text.endswith("-"):  # "12,50-"
        negative, text = True, text[:-1]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise StatementError(f"Row {row}: '{raw}' in column '{column}' is not an amount.") from None
    if not value.is_finite() or abs(value) >= Decimal("1e15"):
        raise StatementError(f"Row {row}: '{raw}' in column '{column}' is not an amount.")
    if value != value.quantize(AMOUNT_DECIMALS):
        raise StatementError(f"Row {row}: '{raw}' in column '{column}' has more than 2 decimals.")
    return -value if negative else value


def _date(raw: str, mapping: CsvMapping, row: int, column: str) -> dt.date:
    try:
        return dt.datetime.strptime(raw.strip(), mapping.date_format).date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        raise StatementError(
            f"Row {row}: '{raw}' in column '{column}' is not a date in the format {mapping.date_format}."
        ) from None


def _signed_amount(record: dict[str, str], mapping: CsvMapping, row: int) -> Decimal:
    if mapping.amount_column:
        amount = _amount(record.get(mapping.amount_column) or "", mapping, row, mapping.amount_column)
    else:
        debit = _amount(record.get(mapping.debit_column, "") or "", mapping, row, mapping.debit_column)
        credit = _amount(record.get(mapping.credit_column, "") or "", mapping, row, mapping.credit_column)
        if debit and credit:
            raise StatementError(f"Row {row}: both a debit and a credit amount.")
        amount = -abs(debit) if debit else (abs(credit) if credit is not None else None)
    if amount is None or amount == 0:
        raise StatementError(f"Row {row}: no amount (or a zero amount).")
    return amount


def _line(record: dict[str, str], mapping: CsvMapping, row: int) -> StatementLine:
    def text(column: str) -> str:
        value = (record.get(column) or "").strip() if column else ""
        return " ".join(value.split())

    currency = (text(mapping.currency_column) or mapping.currency).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise StatementError(f"Row {row}: '{currency}' is not a currency code.")
    value_date = text(mapping.value_date_column)
    return StatementLine(
        booking_date=_date(record.get(mapping.date_column) or "", mapping, row, mapping.date_column),
        value_date=_date(value_date, mapping, row, mapping.value_date_column) if value_date else None,
        amount=_signed_amount(record, mapping, row),
        currency=currency,
        bank_reference=text(mapping.reference_column),
        remittance=text(mapping.text_column),
        counterparty_name=text(mapping.counterparty_column),
        counterparty_iban=text(mapping.iban_column).replace(" ", "").upper(),
    )


def parse_csv(data: bytes, mapping: CsvMapping) -> ParsedStatement:
    """The statement in `data`, read with `mapping`; a `StatementError` names the first unreadable row."""
    lines = _decode(data, mapping.encoding).splitlines()[mapping.skip_rows :]
    reader = csv.DictReader(io.StringIO("\n".join(lines)), delimiter=mapping.delimiter, strict=True)
    try:
        header = [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        raise StatementError(f"The CSV header cannot be read: {error}.") from None
    missing = [name for name in mapping.columns() if name not in header]
    if missing:
        raise StatementError(
            f"The file has no column {', '.join(repr(name) for name in missing)} (its columns: "
            f"{', '.join(header) or 'none'}).",
            code="csv_columns",
        )
    reader.fieldnames = header
    parsed: list[StatementLine] = []
    try:
        for row, record in enumerate(reader, start=mapping.skip_rows + 2):
            if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
                continue  # blank line
            if len(parsed) >= MAX_CSV_ROWS:
                raise StatementError(f"The file has more than {MAX_CSV_ROWS} rows.", code="too_large")
            if any(isinstance(value, str) and len(value) > MAX_FIELD_CHARS for value in record.values()):
                raise StatementError(f"Row {row}: a field is over {MAX_FIELD_CHARS} characters.")
            parsed.append(_line(record, mapping, row))
    except csv.Error as error:
        raise StatementError(f"The CSV file is malformed: {error}.") from None
    if not parsed:
        raise StatementError("The CSV file has no movement.", code="empty")
    dates = [line.booking_date for line in parsed]
    currencies = {line.currency for line in parsed}
    return ParsedStatement(
        format="csv",
        currency=currencies.pop() if len(currencies) == 1 else "",
        period_start=min(dates),
        period_end=max(dates),
        lines=tuple(parsed),
    )
