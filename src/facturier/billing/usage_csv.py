"""CSV import of usage events: the same outcomes as the API, streamed in batches (bounded memory).

The file is UTF-8 (a BOM is allowed) with a header naming at least ``event_id, metric, customer,
quantity, occurred_at`` (``contract`` and ``dimension`` optional; other columns ignored), separated by
commas or semicolons. It is read line by line and recorded `MAX_BATCH` events at a time
(`billing.usage.usage_record`, one transaction per batch), so a file of any length uses the memory of
one batch, and importing it again writes nothing (every event a duplicate). A row that cannot be read
(a quantity or a time that is not one) is refused with its line number; a file that is not a CSV of
usage (binary, not UTF-8, no header, a line longer than `MAX_LINE`) is refused whole, cleanly.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.billing import errors
from facturier.billing.usage import MAX_BATCH, EventData, usage_record
from facturier.common.errors import ValidationFailed

REQUIRED = ("event_id", "metric", "customer", "quantity", "occurred_at")
MAX_LINE = 4096
MAX_REPORTED = 1000


def _lines(stream: IO[bytes]) -> Iterator[str]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        while line := text.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE and not line.endswith("\n"):
                raise ValidationFailed(_("A line is longer than %(max)s characters.") % {"max": MAX_LINE},
                                       field="file", code="invalid_csv")  # fmt: skip
            if "\x00" in line:
                raise ValidationFailed(
                    _("This file is not a CSV text file."), field="file", code="invalid_csv"
                )
            yield line
    except UnicodeDecodeError as error:
        raise ValidationFailed(_("This file is not UTF-8 text."), field="file", code="invalid_csv") from error


def _event(row: dict[str, str]) -> EventData | tuple[str, str]:
    try:
        quantity = Decimal(row["quantity"].strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return errors.INVALID_QUANTITY, _("The quantity is not a number.")
    try:
        when = dt.datetime.fromisoformat(row["occurred_at"].strip())
    except ValueError:
        return errors.INVALID_TIME, _("The time is not ISO 8601 (2026-01-31T23:30:00+01:00).")
    return EventData(event_id=row["event_id"].strip(), metric=row["metric"].strip(), customer=row["customer"].strip(),
                     quantity=quantity, occurred_at=when, contract=(row.get("contract") or "").strip(),
                     dimension=(row.get("dimension") or "").strip())  # fmt: skip


def usage_import(*, entity: LegalEntity, by: Actor, stream: IO[bytes]) -> dict[str, Any]:
    """Import a CSV of usage events; ``{"accepted", "duplicates", "refused": [{line, event_id, code, reason}]}``."""
    lines = _lines(stream)
    try:
        header_line = next(lines)
    except StopIteration:
        raise ValidationFailed(_("The file is empty."), field="file", code="invalid_csv") from None
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [name.strip().lower() for name in next(csv.reader([header_line], delimiter=delimiter))]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationFailed(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, field="file",
                               code="invalid_csv")  # fmt: skip
    totals: dict[str, Any] = {"accepted": 0, "duplicates": 0, "refused": [], "refused_count": 0}
    batch: list[EventData] = []
    numbers: list[int] = []

    def flush() -> None:
        result = usage_record(entity=entity, by=by, events=batch)
        totals["accepted"] += len(result.accepted)
        totals["duplicates"] += len(result.duplicates)
        for refusal in result.refused:
            _refuse(
                totals, numbers[refusal["index"]], refusal["event_id"], refusal["code"], refusal["reason"]
            )
        batch.clear()
        numbers.clear()

    try:
        for number, values in enumerate(csv.reader(lines, delimiter=delimiter, strict=True), start=2):
            if not any(value.strip() for value in values):
                continue
            row = dict(zip(header, values, strict=False))
            if len(values) < len(header) and any(name not in row for name in REQUIRED):
                _refuse(
                    totals, number, row.get("event_id", ""), "invalid_row", _("This row has too few columns.")
                )
                continue
            event = _event(row)
            if isinstance(event, tuple):
                _refuse(totals, number, row.get("event_id", ""), *event)
                continue
            batch.append(event)
            numbers.append(number)
            if len(batch) >= MAX_BATCH:
                flush()
    except csv.Error as error:
        raise ValidationFailed(_("This file is not a valid CSV: %(reason)s") % {"reason": error}, field="file",
                               code="invalid_csv") from error  # fmt: skip
    if batch:
        flush()
    return totals


def _refuse(totals: dict[str, Any], line: int, event_id: str, code: str, reason: str) -> None:
    totals["refused_count"] += 1
    if len(totals["refused"]) < MAX_REPORTED:
        totals["refused"].append({"line": line, "event_id": event_id[:100], "code": code, "reason": reason})
