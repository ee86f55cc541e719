"""`facturier reconciliation export`: one row per bank line, for auditors and checks (CSV or JSON).

Keys: `bank_reference`, `date` (booking date, ISO), `amount` (decimal string), `status` (`auto`,
`proposed`, `manual` or `unmatched`: lines never decided, and lines marked unrelated, are unmatched),
`invoices` (the numbers matched or proposed), `score` (0..1, empty when the engine gave none) and
`reason` (the reasons in words). Lines are read in chunks: memory stays flat whatever the history.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any, TextIO

from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.banking.models import BankLine, LineStatus
from facturier.banking.reasons import describe_all, labels_for

FIELDS = ("bank_reference", "date", "amount", "status", "invoices", "score", "reason")
CHUNK = 2000
EXPORT_STATUS = {
    LineStatus.AUTO: "auto",
    LineStatus.MANUAL: "manual",
    LineStatus.PROPOSED: "proposed",
    LineStatus.UNRECONCILED: "unmatched",
    LineStatus.UNRELATED: "unmatched",
}


def _rows_of(lines: list[BankLine]) -> Iterator[dict[str, Any]]:
    keys = [
        [{"params": {"items": [part["item_key"] for part in line.proposed_allocations]}}] for line in lines
    ]
    labels = labels_for([*keys, *(line.reasons for line in lines)])
    for line in lines:
        reasons = line.reasons or ([{"code": "not_a_credit", "params": {}}] if line.amount < 0 else [])
        reason = describe_all(reasons, labels)
        if line.status == LineStatus.UNRELATED:
            reason = _("marked unrelated by a clerk")
        yield {
            "bank_reference": line.bank_reference,
            "date": line.booking_date.isoformat(),
            "amount": str(line.amount),
            "status": EXPORT_STATUS[LineStatus(line.status)],
            "invoices": [
                labels.get(part["item_key"], part["item_key"]) for part in line.proposed_allocations
            ],
            "score": float(line.score) if line.score is not None else None,
            "reason": reason,
        }


def export_rows(entity: LegalEntity) -> Iterator[dict[str, Any]]:
    """Every bank line of the entity, oldest first, as export rows."""
    lines = BankLine.objects.filter(entity=entity).order_by("booking_date", "created_at", "pk")
    chunk: list[BankLine] = []
    for line in lines.iterator(chunk_size=CHUNK):
        chunk.append(line)
        if len(chunk) == CHUNK:
            yield from _rows_of(chunk)
            chunk = []
    yield from _rows_of(chunk)


def write_export(entity: LegalEntity, out: TextIO, *, format: str) -> int:  # noqa: A002 - the CLI's word
    """Write the export to `out`; returns the number of rows."""
    count = 0
    if format == "json":
        out.write("[")
        for row in export_rows(entity):
            out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
        return count
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in export_rows(entity):
        writer.writerow({**row, "invoices": ";".join(row["invoices"]),
                         "score": "" if row["score"] is None else f"{row['score']:.4f}"})  # fmt: skip
        count += 1
    return count


def export_text(entity: LegalEntity, *, format: str) -> str:  # noqa: A002
    buffer = io.StringIO()
    write_export(entity, buffer, format=format)
    return buffer.getvalue()
