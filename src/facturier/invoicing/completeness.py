"""Completeness checks of `audit verify`: what must exist, found from the data rather than from head rows.

Registered with the audit layer by `facturier.invoicing.integrity` (audit cannot import invoicing).

A chain walk alone misses records removed together with their head being set back, documents inserted
outside any chain, and series or heads deleted outright. These checks compare independent facts:
- every invoice or credit note past approval is sealed (`unsealed-document`);
- the numbers of each series and period run from 1 to the period's counter without a hole, a duplicate
  or a number beyond it (`number-gap`, `number-beyond-counter`, `number-duplicate`, `counter-missing`),
  and every series a document refers to still exists (`series-missing`);
- the audit trail covers the documents: each sealed document has its issue event, each numbered
  document its creation or issue event and an event recording its current status (`event-missing`),
  and each issue event still has its sealed document (`document-missing`).
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from facturier.audit.models import AuditEvent
from facturier.audit.verify import Breach
from facturier.domain.numbering import NumberPattern, Reset
from facturier.invoicing.models import Document, Kind, NumberingSeries, SequenceCounter

UNSEALED_STATUSES = ("draft", "pending_approval", "approved")
ISSUE_ACTION = "invoice.issued"
DOCUMENT_TYPE = "invoicing.document"


def verify_completeness() -> Iterator[Breach]:
    yield from _unsealed_documents()
    yield from _numbering()
    yield from _event_coverage()


def _unsealed_documents() -> Iterator[Breach]:
    invoices = Document.objects.filter(kind=Kind.INVOICE, seal_hash="")
    for pk, number, status in (
        invoices.exclude(status__in=UNSEALED_STATUSES, number="")
        .values_list("pk", "number", "status")
        .iterator()
    ):
        yield Breach("unsealed-document", f"document {number or '-'} ({pk})",
                     _("status '%(status)s' or a number without a seal: it was never issued") % {"status": status})  # fmt: skip


def _sequence_pattern(pattern: str) -> re.Pattern[str]:
    """A regular expression reading the sequence number back out of a number made by `pattern`."""
    parts, last = [], 0
    for match in re.finditer(r"\{(YYYY|YY|MM|seq(?::0\d)?)\}", pattern):
        parts.append(re.escape(pattern[last : match.start()]))
        field = match.group(1)
        parts.append(r"(?P<seq>\d+)" if field.startswith("seq") else rf"\d{{{4 if field == 'YYYY' else 2}}}")
        last = match.end()
    parts.append(re.escape(pattern[last:]))
    return re.compile("^" + "".join(parts) + "$")


def _display(pattern: NumberPattern, period: str, sequence: int) -> str:
    if pattern.reset is Reset.NEVER:
        return f"#{sequence}"
    year, _sep, month = period.partition("-")
    return pattern.format(sequence, dt.date(int(year), int(month or 1), 1))


def _numbering() -> Iterator[Breach]:
    series_by_id = {series.pk: series for series in NumberingSeries.objects.select_related("entity")}
    numbers: dict[tuple[Any, str], list[tuple[int, str]]] = defaultdict(list)
    numbered = (
        Document.objects.exclude(number="").order_by().values_list("series_id", "number", "issue_date", "pk")
    )
    missing_series: dict[Any, int] = defaultdict(int)
    for series_id, number, issue_date, pk in numbered.iterator(chunk_size=2000):
        series = series_by_id.get(series_id)
        if series is None:
            missing_series[series_id] += 1
            continue
        pattern = NumberPattern(series.pattern, Reset(series.reset))
        match = _sequence_pattern(series.pattern).match(number)
        period = pattern.period_key(issue_date) if issue_date else "?"
        if match is None:
            yield Breach("number-format", f"document {number} ({pk})",
                         _("its number does not follow the series pattern %(pattern)s") % {"pattern": series.pattern})  # fmt: skip
            continue
        numbers[(series_id, period)].append((int(match.group("seq")), number))
    for series_id, count in missing_series.items():
        yield Breach("series-missing", f"series {series_id}",
                     _("its numbering series row is missing (%(count)s numbered documents refer to it)") % {"count": count})  # fmt: skip
    counters = {(c.series_id, c.period): c.last_value for c in SequenceCounter.objects.all()}
    for key in sorted(set(numbers) | set(counters), key=str):
        series = series_by_id.get(key[0])
        if series is None:
            continue
        yield from _series_period(series, key[1], numbers.get(key, []), counters.get(key))


def _series_period(
    series: NumberingSeries, period: str, taken: list[tuple[int, str]], counter: int | None
) -> Iterator[Breach]:
    label = f"series {series.entity.name}/{series.code} {period}"
    if counter is None:
        yield Breach(
            "counter-missing",
            label,
            _("documents are numbered in this period but its counter row is missing"),
        )
        return
    pattern = NumberPattern(series.pattern, Reset(series.reset))
    seen: dict[int, str] = {}
    for sequence, number in sorted(taken):
        if sequence in seen:
            yield Breach(
                "number-duplicate",
                f"document {number}",
                _("number used twice in %(label)s") % {"label": label},
            )
        elif sequence > counter:
            yield Breach("number-beyond-counter", f"document {number}",
                         _("number beyond the series counter (%(counter)s): not taken by the application")
                         % {"counter": counter})  # fmt: skip
        seen[sequence] = number
    holes = [sequence for sequence in range(1, counter + 1) if sequence not in seen]
    for sequence in holes[:20]:
        yield Breach("number-gap", f"document {_display(pattern, period, sequence)}",
                     _("number missing in %(label)s (the counter is at %(counter)s): the document was deleted")
                     % {"label": label, "counter": counter})  # fmt: skip
    if len(holes) > 20:
        yield Breach(
            "number-gap", label, _("%(count)s more numbers are missing") % {"count": len(holes) - 20}
        )


def _event_coverage() -> Iterator[Breach]:
    issued: set[str] = set()
    mentioned: set[str] = set()
    statuses: set[tuple[str, str]] = set()
    events = (
        AuditEvent.objects.filter(object_type=DOCUMENT_TYPE)
        .order_by()
        .values_list("object_id", "action", "after")
    )
    for object_id, action, after in events.iterator(chunk_size=2000):
        mentioned.add(object_id)
        if action == ISSUE_ACTION:
            issued.add(object_id)
        if isinstance(after, dict) and "status" in after:
            statuses.add((object_id, after["status"]))
    sealed: set[str] = set()
    documents = (
        Document.objects.exclude(number="").order_by().values_list("pk", "number", "status", "seal_hash")
    )
    for pk, number, status, seal_hash in documents.iterator(chunk_size=2000):
        key, record = str(pk), f"document {number} ({pk})"
        if seal_hash:
            sealed.add(key)
            if key not in issued:
                yield Breach("event-missing", record, _("no audit event records its issue"))
                continue
        if key not in mentioned:
            yield Breach("event-missing", record, _("no audit event records its creation"))
        elif (key, status) not in statuses:
            yield Breach("event-missing", record,
                         _("no audit event records its current status '%(status)s'") % {"status": status})  # fmt: skip
    for object_id in sorted(issued - sealed):
        yield Breach("document-missing", f"document {object_id}",
                     _("the audit trail records its issue but the sealed document is gone"))  # fmt: skip
