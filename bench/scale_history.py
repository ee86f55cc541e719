"""Ten years of synthetic history written in bulk beside the demo company (used by bench/scale.py).

What it writes is what the services would have written had this history been issued before the demo:
customers; invoices with lines, numbered gapless per series and year (with their `SequenceCounter`
rows); credit notes referencing them (the credited invoice is cancelled); payments with allocations
(settlement is derived from them); one audit event per issued document and per payment. Seals come
from the project's own `invoicing.sealing.seal` (so `sealed_content` says what is covered) and audit
hashes from `event_sealed_content` keyed with the seal key (`seal_mac`): the history takes the first
positions of each chain and the demo's own documents and events are re-chained after it, so
`facturier audit verify` passes.

How it is fast enough for a million invoices on two cores: rows are generated day by day in one pass,
in bounded memory, and streamed to PostgreSQL with COPY (psycopg's `cursor.copy`, text format), never
through the ORM's INSERTs. Each document is sealed as it is generated, in its series' order (the
chain is sequential); credit notes and audit events, which happen later than the invoice that causes
them, wait in small heaps until the day being generated passes their time, so both chains stay in
chronological order. Every column the services would fill is filled: a row starts from the model's
own defaults (`Model()`), then the columns that vary are set. Everything happens in one transaction;
the indexes of the written tables that back no constraint are dropped at the start and recreated
(from their own `pg_get_indexdef`) at the end, so the schema is exactly the migrated one; triggers are
switched off for the load only (`session_replication_role = replica`). PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import heapq
import hmac
import json
import multiprocessing
import random
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
WORDS = ("Atelier", "Conseil", "Durand", "Martin", "Bernard", "Lefèvre", "Nova", "Horizon", "Boréal",
         "Granit", "Azur", "Cèdre", "Orion", "Vega", "Lumen", "Delta", "Helios", "Pivot", "Sextant")  # fmt: skip
CITIES = (
    ("75011", "Paris"),
    ("69003", "Lyon"),
    ("33000", "Bordeaux"),
    ("59000", "Lille"),
    ("44000", "Nantes"),
)
FORMS = ("SARL", "SAS", "SA", "EURL", "SCOP")
TABLES = (
    "parties_customer",
    "invoicing_document",
    "invoicing_line",
    "payments_payment",
    "payments_allocation",
    "audit_auditevent",
)
FLUSH_ROWS = 20_000
CREDITED = 0.03  # share of invoices credited (cancelled by a credit note)


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8 + rng.randrange(10), rng.randrange(60)), tzinfo=dt.UTC)


# --- COPY text format ---------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_ESCAPES)


class Table:
    """One table's COPY stream: a row is the model's defaults (`Model()`) followed by `columns`, set per row."""

    def __init__(self, model: Any, columns: tuple[str, ...], cursor: Any) -> None:
        blank = model()
        varying = [model._meta.get_field(name) for name in columns]
        fixed = [field for field in model._meta.concrete_fields if field not in varying]
        self.name = model._meta.db_table
        self.columns = ", ".join(f'"{field.column}"' for field in (*fixed, *varying))
        self.fixed = "\t".join(_text(getattr(blank, field.attname)) for field in fixed)
        self.cursor = cursor
        self.buffer: list[str] = []
        self.rows = 0

    def head(self, *values: str) -> str:
        """The start of a row: the defaults, then the first `values` (in COPY text form, see `_text`)."""
        return "\t".join((self.fixed, *values))

    def add(self, *values: str) -> None:
        self.add_row(self.head(*values))

    def add_row(self, row: str) -> None:
        self.buffer.append(row)
        if len(self.buffer) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        with self.cursor.copy(f"COPY {self.name} ({self.columns}) FROM STDIN") as copy:
            copy.write("\n".join(self.buffer) + "\n")
        self.rows += len(self.buffer)
        self.buffer.clear()


Customer_ = tuple[str, dict[str, str], str, str]  # id, snapshot, snapshot as COPY text, name as COPY text
Lines = list[tuple[int, str, int, int]]  # position, description, quantity, unit price in cents


# --- the load -----------------------------------------------------------------------------------------


def load_history(*, invoices: int, customers: int, seed: int = 9, log: Any = print, workers: int = 4) -> None:
    from django.db import connection, transaction

    from facturier.accounts.models import LegalEntity

    entities = list(LegalEntity.objects.order_by("created_at"))[:2]
    shares = (0.8, 0.2) if len(entities) == 2 else (1.0,)
    rng = random.Random(seed)
    gc.disable()  # millions of short-lived objects and no cycles: the collector would only rescan them
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            indexes = _drop_indexes(cursor)
            writers = [
                _load_entity(entity, round(invoices * share), max(1, round(customers * share)), rng, log, cursor,
                             seed, workers)
                for entity, share in zip(entities, shares, strict=False)
            ]  # fmt: skip
            started = time.perf_counter()
            for sql in indexes:
                cursor.execute(sql)
            log(f"  {len(indexes)} indexes rebuilt in {time.perf_counter() - started:.0f} s")
            # Only now are the demo's own rows updated (re-chained after the history). An index built after
            # an UPDATE of its table in the same transaction meets the old row versions of HOT updates and is
            # marked `indcheckxmin`: no query may use it while any transaction older than the load is
            # still running anywhere on the server (seen here: every document index ignored, 14 s per
            # search page, because another session held an old snapshot).
            for writer in writers:
                writer.rechain()
    finally:
        gc.enable()
    # the checkpoints taken by the demo recorded its chains before they were re-chained after the history:
    # sign new ones of the chains as they now are (the newest checkpoint is the one `audit verify` reads)
    from facturier.audit.checkpoints import write_checkpoints

    write_checkpoints(reason="scale history")


def _drop_indexes(cursor: Any) -> list[str]:
    """Drop the written tables' indexes that back no constraint; return the statements recreating them."""
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        [list(TABLES)],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


def _load_entity(entity: Any, invoices: int, customers: int, rng: random.Random, log: Any, cursor: Any,
                 seed: int, workers: int) -> _Writer:  # fmt: skip
    from facturier.audit.keys import keyring
    from facturier.invoicing.models import Document
    from facturier.invoicing.numbering import default_series_for

    global _CONTEXT
    started = time.perf_counter()
    series = {s.code: s for s in default_series_for(entity)}
    first_demo = (
        Document.objects.filter(entity=entity, seal_position__isnull=False).order_by("issue_date").first()
    )
    last_year = (first_demo.issue_date.year if first_demo else dt.datetime.now(dt.UTC).year) - 1
    seller = first_demo.seller_snapshot if first_demo else {"name": entity.name}
    log(f"{entity.name}: {customers} customers, {invoices} invoices over {last_year - 9}-{last_year}")
    people = _customers(entity, customers, rng, cursor)
    log(f"  customers: {time.perf_counter() - started:.0f} s")
    writer = _Writer(entity, series, seller, keyring(), cursor, last_year, people)
    start = dt.date(last_year - 9, 1, 1)
    span = (dt.date(last_year, 12, 31) - start).days
    per_day = [0] * span
    for _ in range(invoices):
        per_day[rng.randrange(span)] += 1
    # one slice per month, numbered on from the month before (numbers restart each year)
    slices: list[tuple[int, int, list[tuple[dt.date, int]]]] = []
    counted: dict[int, int] = defaultdict(int)
    for offset, count in enumerate(per_day):
        day = start + dt.timedelta(days=offset)
        if not slices or (slices[-1][2][0][0].month, slices[-1][2][0][0].year) != (day.month, day.year):
            slices.append((len(slices), counted[day.year], []))
        slices[-1][2].append((day, count))
        counted[day.year] += count
    writer.counters["invoice"].update(counted)
    _CONTEXT = writer.maker  # the workers are forked: they inherit it (and never touch the database)
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        tasks = [(seed, str(entity.pk), index, first, days) for index, first, days in slices]
        for (_index, _first, days), made in zip(slices, pool.imap(_make_slice, tasks), strict=True):
            writer.take(made)
            issued = [day for day, count in days if count]
            if issued:
                writer.last_issue["invoice"] = issued[-1]
            writer.advance_to(days[-1][0] + dt.timedelta(days=1))
            if days[-1][0].month == 12:
                log(f"  up to {days[-1][0]}: {writer.summary()} ({time.perf_counter() - started:.0f} s)")
    writer.finish()
    log(f"  {writer.summary()} ({time.perf_counter() - started:.0f} s)")
    return writer


_CONTEXT: Any = None


def _make_slice(task: tuple[int, str, int, int, list[tuple[dt.date, int]]]) -> dict[str, Any]:
    """In a worker: one month of invoices, with everything but the chained seals (the parent's job)."""
    seed, entity, index, first, days = task
    maker = _CONTEXT
    rng = random.Random(f"{seed}:{entity}:{index}")
    made: dict[str, Any] = {"invoices": [], "lines": [], "payments": [], "allocations": [], "events": [],
                            "credits": []}  # fmt: skip
    number = first
    for day, count in days:
        for _ in range(count):
            number += 1
            maker.invoice(rng, day, number, rng.randrange(len(maker.people)), made, check=number == first + 1)
    return made


def _customers(entity: Any, count: int, rng: random.Random, cursor: Any) -> list[Customer_]:
    """Write the customers; return what an invoice copies of each (id, snapshot, and both as COPY text)."""
    from facturier.parties.models import Customer

    table = Table(Customer, ("id", "entity", "code", "name", "siren", "address_line1", "postcode", "city",
                             "email", "created_at", "updated_at"), cursor)  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    people = []
    for n in range(count):
        postcode, city = rng.choice(CITIES)
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {FORMS[n % len(FORMS)]} {n:06d}"
        pk, code, siren = str(uuid.uuid4()), f"H{n:07d}", f"{rng.randrange(10**8, 10**9)}"
        street = f"{1 + n % 200} rue {rng.choice(WORDS)}"
        created = _text(now - dt.timedelta(seconds=rng.randrange(3650 * 86400)))
        table.add(pk, str(entity.pk), code, _text(name), siren, _text(street), postcode, _text(city),
                  f"billing{n}@example.com", created, created)  # fmt: skip
        snapshot = {"name": name, "code": code, "siren": siren, "city": city, "postcode": postcode,
                    "address_line1": street, "country": "FR"}  # fmt: skip
        people.append((pk, snapshot, _json(snapshot), _text(name)))
    table.flush()
    return people


def _cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)


class _Maker:
    """Makes documents and events as COPY text and as the bytes their seal covers, without the chain.

    Amounts are integer cents and every value is formatted once, as `sealed_content` normalizes it and as
    COPY reads it; the first document of each slice and the first event are checked, byte for byte,
    against the project's own `sealed_content` and `event_sealed_content`. What depends on the chain
    (position, previous seal) is left out: a document's sealed bytes come in two parts around it, an
    event's before its position (the last key of its content), and the rows end before those columns.
    """

    def __init__(
        self, writer: _Writer, seller: dict[str, Any], last_year: int, people: list[Customer_]
    ) -> None:
        from facturier.invoicing.immutability import SEALED_DOCUMENT_FIELDS
        from facturier.invoicing.models import Document, Line
        from facturier.invoicing.sealing import SEALED_LINE_FIELDS, _normalized

        self.entity, self.entity_id, self.seller = writer.entity, writer.entity_id, seller
        self.seller_text = _json(seller)
        self.series_ids = writer.series_ids
        self.chain_key = writer.chain_key
        self.last_day = dt.date(last_year, 12, 31)
        self.people = people
        self.tables = {name: getattr(writer, name) for name in ("documents", "lines", "payments", "allocations",
                                                                "events")}  # fmt: skip
        blank = Document(entity=writer.entity, kind="invoice", status="sent")
        self.document_defaults = {name: _normalized(blank, name) for name in SEALED_DOCUMENT_FIELDS}
        blank_line = Line()
        self.line_defaults = {name: _normalized(blank_line, name) for name in SEALED_LINE_FIELDS}

    @staticmethod
    def _time(rng: random.Random, day: str) -> str:
        """An issue time during office hours, as `datetime.isoformat` writes it (UTC, whole minutes)."""
        return f"{day}T{8 + rng.randrange(10):02d}:{rng.randrange(60):02d}:00+00:00"

    def document(self, rng: random.Random, code: str, number: int, day: dt.date, customer: Customer_,
                 lines: Lines, *, status: str = "sent", due: dt.date, preceding: str | None = None,
                 check: bool = False) -> tuple[str, str, int, tuple[str, bytes, bytes], list[str], list[Event]]:  # fmt: skip
        """One document: id, number, amount due (cents), (row head, sealed bytes before and after the chain
        fields), its line rows, and the events the services write for it: created (the draft), issued,
        and sent when its status is past "issued"."""
        from facturier.domain.sealing import canonical_json

        text = f"{'FAC' if code == 'invoice' else 'AV'}-{day.year}-{number:05d}"
        pk, day_text = str(uuid.UUID(int=rng.getrandbits(128), version=4)), str(day)
        issued = self._time(rng, day_text)
        net = sum(quantity * price for _position, _description, quantity, price in lines)
        tax = net // 5 + (1 if net % 5 >= 3 else 0)  # 20 %, rounded half even (never a half cent here)
        net_text, tax_text, total_text = _cents(net), _cents(tax), _cents(net + tax)
        breakdown = [{"category": "S", "rate": "20.00", "base": net_text, "tax": tax_text}]
        sealed_lines, line_rows = [], []
        lines_table = self.tables["lines"]
        for line_position, description, quantity, price in lines:
            values = {"position": line_position, "description": description, "quantity": f"{quantity}.000000",
                      "unit_price": f"{price // 100}.{price % 100:02d}0000", "net_amount": _cents(quantity * price)}  # fmt: skip
            sealed_lines.append({**self.line_defaults, **values})
            line_rows.append(lines_table.head(str(uuid.UUID(int=rng.getrandbits(128), version=4)), pk,
                                              str(line_position), description, values["quantity"],
                                              values["unit_price"], values["net_amount"], issued, issued))  # fmt: skip
        type_code = "380" if code == "invoice" else "381"
        document = {**self.document_defaults, "entity_id": self.entity_id, "kind": "invoice", "type_code": type_code,
                    "number": text, "series_id": self.series_ids[code], "customer_id": customer[0],
                    "issue_date": day_text, "due_date": str(due), "preceding_invoice_id": preceding,
                    "seller_snapshot": self.seller, "customer_snapshot": customer[1], "line_total": net_text,
                    "tax_exclusive": net_text, "tax_total": tax_text, "tax_inclusive": total_text,
                    "payable": total_text, "vat_breakdown": breakdown, "seal_position": 0,
                    "seal_previous_hash": PLACEHOLDER}  # fmt: skip
        content = {
            "id": pk,
            "document": document,
            "lines": sealed_lines,
            "allowances_charges": [],
            "deposits": [],
        }
        before, after = canonical_json(content).split(CHAIN_FIELDS)
        if check:
            self._check_document(content, status, issued)
        head = self.tables["documents"].head(
            pk, self.entity_id, "invoice", type_code, status, self.series_ids[code], text, customer[0], day_text,
            str(due), self.seller_text, customer[2], preceding or "\\N", net_text, net_text, tax_text, total_text,
            total_text, _json(breakdown), issued, issued, issued, issued)  # fmt: skip
        draft = _state("draft", "", None, net_text, total_text)
        done = _state("issued", text, day_text, net_text, total_text)
        events = [self.event(rng, issued, "invoice.created", DOCUMENT, pk, text, draft, check=check),
                  self.event(rng, issued, "invoice.issued", DOCUMENT, pk, text, done, before=draft, check=check)]  # fmt: skip
        if status != "issued":  # sent (then perhaps cancelled later, by its credit note's own event)
            events.append(self.event(rng, issued, "invoice.sent", DOCUMENT, pk, text,
                                     {**done, "status": "sent"}, before=done))  # fmt: skip
        return pk, text, net + tax, (head, before, after), line_rows, events

    def invoice(self, rng: random.Random, day: dt.date, number: int, who: int, made: dict[str, Any],
                check: bool = False) -> None:  # fmt: skip
        customer = self.people[who]
        lines = [(position, f"Prestation {rng.choice(WORDS)}", 1 + rng.randrange(20), rng.randrange(5000, 200000))
                 for position in range(1, 2 + rng.randrange(3))]  # fmt: skip
        credited = rng.random() < CREDITED
        pk, text, due, document, line_rows, events = self.document(
            rng, "invoice", number, day, customer, lines, status="cancelled" if credited else "sent",
            due=day + dt.timedelta(days=30), check=check)  # fmt: skip
        made["invoices"].append(document)
        made["lines"].extend(line_rows)
        made["events"].extend(events)
        if credited:
            credit_day = min(day + dt.timedelta(days=rng.randrange(1, 20)), self.last_day)
            made["credits"].append((credit_day, pk, who, lines, rng.getrandbits(64), text, str(day)))
            return
        roll = rng.random()
        if roll < 0.03:
            return  # still unpaid (the aged balance has a long tail)
        settlement = "paid"
        if roll <= 0.08:  # half paid, rounded half even like Decimal.quantize
            half, odd = divmod(due, 2)
            due, settlement = half + (1 if odd and half % 2 else 0), "partially_paid"
        amount = _cents(due)
        received = str(day + dt.timedelta(days=10 + rng.randrange(50)))
        payment, noon = str(uuid.UUID(int=rng.getrandbits(128), version=4)), f"{received}T12:00:00+00:00"
        made["payments"].append(self.tables["payments"].head(
            payment, self.entity_id, customer[0], received, amount, "EUR", f"VIR {text}", customer[3], noon, noon))  # fmt: skip
        made["allocations"].append(self.tables["allocations"].head(
            str(uuid.UUID(int=rng.getrandbits(128), version=4)), self.entity_id, payment, pk, amount, noon, noon))  # fmt: skip
        # payment_record: the payment, then its allocation to the invoice (payments.services)
        when = self._time(rng, received)
        state = {"customer": customer[0], "received_on": received, "amount": amount, "currency": "EUR",
                 "method": "transfer", "reference": f"VIR {text}", "payer": customer[1]["name"], "reversed": False}  # fmt: skip
        made["events"].append(self.event(rng, when, "payment.received", "payments.payment", payment,
                                         f"{amount} EUR on {received}", state))  # fmt: skip
        made["events"].append(self.event(rng, when, "invoice.payment_recorded", DOCUMENT, pk, text,
                                         {"payment": payment, "amount": amount, "paid": amount, "settlement": settlement},
                                         before={"paid": "0.00", "settlement": "unpaid"}))  # fmt: skip

    def event(self, rng: random.Random, occurred: str, action: str, object_type: str, object_id: str, label: str,
              after: dict[str, Any], *, before: dict[str, Any] | None = None, check: bool = False) -> Event:  # fmt: skip
        """(when, sealed bytes up to the position, row head) of one audit event."""
        from facturier.domain.sealing import canonical_json

        pk = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        content = {"id": pk, "entity": self.entity_id, "actor": "system", "action": action,
                   "object_type": object_type, "object_id": object_id, "object_repr": label[:200], "before": before,
                   "after": after, "occurred_at": occurred, "chain_key": self.chain_key, "position": 0}  # fmt: skip
        sealed = canonical_json(content)
        if not sealed.endswith(b'"position":0}'):
            raise AssertionError("the position is no longer the last key of an event's seal")
        if check:
            self._check_event(content)
        head = self.tables["events"].head(pk, self.entity_id, "system", action, object_type, object_id,
                                          label[:200].translate(_ESCAPES), _json(after),
                                          "\\N" if before is None else _json(before), occurred, self.chain_key,
                                          self.key_id_text, occurred, occurred)  # fmt: skip
        return occurred, sealed[:-2], head

    def _check_document(self, content: dict[str, Any], status: str, issued: str) -> None:
        """The bytes sealed here are, byte for byte, what the project's `sealed_content` reads back."""
        from facturier.documents.models import StoredFile
        from facturier.domain.sealing import canonical_json
        from facturier.invoicing.models import Document, Line
        from facturier.invoicing.sealing import sealed_content

        values = content["document"]
        doc = Document(id=uuid.UUID(content["id"]), entity=self.entity, kind="invoice", status=status,
                       type_code=values["type_code"], number=values["number"], series_id=values["series_id"],
                       customer_id=values["customer_id"], issue_date=dt.date.fromisoformat(values["issue_date"]),
                       due_date=dt.date.fromisoformat(values["due_date"]),
                       preceding_invoice_id=values["preceding_invoice_id"], seller_snapshot=self.seller,
                       customer_snapshot=values["customer_snapshot"], line_total=Decimal(values["line_total"]),
                       tax_exclusive=Decimal(values["tax_exclusive"]), tax_total=Decimal(values["tax_total"]),
                       tax_inclusive=Decimal(values["tax_inclusive"]), payable=Decimal(values["payable"]),
                       vat_breakdown=values["vat_breakdown"], seal_position=7, seal_previous_hash="f" * 64,
                       issued_at=dt.datetime.fromisoformat(issued))  # fmt: skip
        lines = [Line(document=doc, position=line["position"], description=line["description"],
                      quantity=Decimal(line["quantity"]), unit_price=Decimal(line["unit_price"]),
                      net_amount=Decimal(line["net_amount"])) for line in content["lines"]]  # fmt: skip
        doc._prefetched_objects_cache = {"lines": lines, "allowances_charges": [],
                                         "deposits": Document.objects.none(), "stored_files": StoredFile.objects.none()}  # fmt: skip
        before, after = canonical_json(content).split(CHAIN_FIELDS)
        if canonical_json(sealed_content(doc)) != _sealed_document(before, after, 7, "f" * 64):
            raise AssertionError(f"seal content differs: {sealed_content(doc)} != {content}")

    def _check_event(self, content: dict[str, Any]) -> None:
        from facturier.audit.models import AuditEvent
        from facturier.domain.sealing import canonical_json

        event = AuditEvent(id=uuid.UUID(content["id"]), entity=self.entity, actor_label=content["actor"],
                           action=content["action"], object_type=content["object_type"],
                           object_id=content["object_id"], object_repr=content["object_repr"], before=content["before"],
                           after=content["after"], occurred_at=dt.datetime.fromisoformat(content["occurred_at"]),
                           chain_key=content["chain_key"], position=content["position"])  # fmt: skip
        if canonical_json(event.sealed_content()) != canonical_json(content):
            raise AssertionError(f"event content differs: {event.sealed_content()} != {content}")


PLACEHOLDER = "p" * 64
DOCUMENT = "invoicing.document"
Event = tuple[str, bytes, str]  # when, sealed bytes up to the position, row head


def _state(status: str, number: str, day: str | None, net: str, total: str) -> dict[str, Any]:
    """`invoicing.services.common.state_of` of a history document, as its events store it."""
    return {"status": status, "number": number, "issue_date": day, "tax_exclusive": net, "tax_inclusive": total,
            "payable": total}  # fmt: skip


CHAIN_FIELDS = f'"seal_position":0,"seal_previous_hash":"{PLACEHOLDER}"'.encode()


def _sealed_document(before: bytes, after: bytes, position: int, previous: str) -> bytes:
    return b"".join(
        (before, b'"seal_position":%d,"seal_previous_hash":"' % position, previous.encode(), b'"', after)
    )


class _Writer:
    """Chains what the makers made, in order, and streams it (the parent process, one transaction)."""

    DOCUMENT = ("id", "entity", "kind", "type_code", "status", "series", "number", "customer", "issue_date",
                "due_date", "seller_snapshot", "customer_snapshot", "preceding_invoice", "line_total",
                "tax_exclusive", "tax_total", "tax_inclusive", "payable", "vat_breakdown", "issued_at", "sent_at",
                "created_at", "updated_at", "seal_position", "seal_previous_hash", "seal_key_id", "seal_hash")  # fmt: skip
    LINE = ("id", "document", "position", "description", "quantity", "unit_price", "net_amount", "created_at",
            "updated_at")  # fmt: skip
    PAYMENT = ("id", "entity", "customer", "received_on", "amount", "currency", "reference", "payer",
               "created_at", "updated_at")  # fmt: skip
    ALLOCATION = ("id", "entity", "payment", "document", "amount", "created_at", "updated_at")
    EVENT = ("id", "entity", "actor_label", "action", "object_type", "object_id", "object_repr", "after", "before",
             "occurred_at", "chain_key", "key_id", "created_at", "updated_at", "position", "previous_hash", "hash")  # fmt: skip

    def __init__(self, entity: Any, series: dict[str, Any], seller: dict[str, Any], keys: Any, cursor: Any,
                 last_year: int, people: list[Customer_]) -> None:  # fmt: skip
        from django.db.models import F

        from facturier.audit.models import AuditEvent
        from facturier.domain.sealing import GENESIS_HASH
        from facturier.invoicing.models import Document, Line
        from facturier.payments.models import Allocation, Payment

        self.entity, self.entity_id = entity, str(entity.pk)
        self.key, self.key_id = keys.current, keys.current_id
        self.invoice_series, self.credit_series = series["invoice"], series["credit_note"]
        self.series_ids = {"invoice": str(self.invoice_series.pk), "credit_note": str(self.credit_series.pk)}
        self.chain_key, self.event_position, self.event_hash = f"audit:{entity.pk}", 0, GENESIS_HASH
        self.documents = Table(Document, self.DOCUMENT, cursor)
        self.lines = Table(Line, self.LINE, cursor)
        self.payments = Table(Payment, self.PAYMENT, cursor)
        self.allocations = Table(Allocation, self.ALLOCATION, cursor)
        self.events = Table(AuditEvent, self.EVENT, cursor)
        self.maker = _Maker(self, seller, last_year, people)
        self.maker.key_id_text = self.key_id
        self.counters: dict[str, dict[int, int]] = {
            "invoice": defaultdict(int),
            "credit_note": defaultdict(int),
        }
        # the series' own (demo) documents are re-chained after the history, hence a chain from genesis
        self.chains = {"invoice": [0, GENESIS_HASH], "credit_note": [0, GENESIS_HASH]}
        self.credits: list[tuple[dt.date, int, str, int, Lines, int, str, str]] = []  # credit notes to come
        self.pending: list[tuple[str, int, bytes, str]] = []  # events to chain: when, order, bytes, row head
        self.order = 0
        self.last_issue: dict[str, dt.date | None] = {"invoice": None, "credit_note": None}
        self.credit_checked = False
        # what the demo already sealed, re-chained after the history in `finish`; its events move out of
        # the history's positions first (the chain position is unique)
        self.demo_documents = {
            code: list(
                Document.objects.filter(series=s, seal_position__isnull=False).values_list("pk", flat=True)
            )
            for code, s in (("invoice", self.invoice_series), ("credit_note", self.credit_series))
        }
        demo_events = AuditEvent.objects.filter(chain_key=self.chain_key)
        self.demo_events = list(demo_events.values_list("pk", flat=True))
        demo_events.update(position=F("position") + 10**15)

    def summary(self) -> str:
        return (f"{self.documents.rows + len(self.documents.buffer)} documents, "
                f"{self.lines.rows + len(self.lines.buffer)} lines, "
                f"{self.payments.rows + len(self.payments.buffer)} payments, "
                f"{self.events.rows + len(self.events.buffer)} events")  # fmt: skip

    def _chain_document(self, code: str, document: tuple[str, bytes, bytes]) -> None:
        head, before, after = document
        chain = self.chains[code]
        position, previous = chain[0] + 1, chain[1]
        seal = hmac.new(self.key, previous.encode() + _sealed_document(before, after, position, previous),
                        hashlib.sha256).hexdigest()  # fmt: skip  # = seal_mac(key, previous, content)
        chain[0], chain[1] = position, seal
        self.documents.add_row(f"{head}\t{position}\t{previous}\t{self.key_id}\t{seal}")

    def _push_event(self, event: tuple[str, bytes, str]) -> None:
        self.order += 1
        heapq.heappush(self.pending, (event[0], self.order, event[1], event[2]))

    def take(self, made: dict[str, Any]) -> None:
        """A month made by a worker: its invoices are chained now, its events and credit notes when due."""
        for document in made["invoices"]:
            self._chain_document("invoice", document)
        for table in ("lines", "payments", "allocations"):
            target = getattr(self, table)
            for row in made[table]:
                target.add_row(row)
        for event in made["events"]:
            self._push_event(event)
        for credit in made["credits"]:
            self.order += 1
            heapq.heappush(self.credits, (credit[0], self.order, *credit[1:]))

    def advance_to(self, day: dt.date | None) -> None:
        """Everything dated before `day` is known: write the credit notes, then chain the events, up to it."""
        while self.credits and (day is None or self.credits[0][0] < day):
            credit_day, _order, invoice, who, lines, seed, number, issued_on = heapq.heappop(self.credits)
            counter = self.counters["credit_note"]
            counter[credit_day.year] += 1
            rng = random.Random(seed)
            _pk, _text, _due, document, line_rows, events = self.maker.document(
                rng, "credit_note", counter[credit_day.year], credit_day, self.maker.people[who],
                lines, due=credit_day, preceding=invoice, check=not self.credit_checked)  # fmt: skip
            self.credit_checked = True
            self.last_issue["credit_note"] = credit_day
            self._chain_document("credit_note", document)
            for row in line_rows:
                self.lines.add_row(row)
            for event in events:
                self._push_event(event)
            # then the credited invoice is cancelled (apply_issued_credit_note), at the credit note's time
            net = sum(quantity * price for _position, _description, quantity, price in lines)
            tax = net // 5 + (1 if net % 5 >= 3 else 0)
            sent = _state("sent", number, issued_on, _cents(net), _cents(net + tax))
            self._push_event(self.maker.event(rng, events[-1][0], "invoice.cancelled_by_credit_note", DOCUMENT,
                                              invoice, number, {**sent, "status": "cancelled"}, before=sent))  # fmt: skip
        before = None if day is None else f"{day}T00:00:00+00:00"
        pending = self.pending
        while pending and (before is None or pending[0][0] < before):
            _occurred, _order, sealed, head = heapq.heappop(pending)
            self.event_position += 1
            previous = self.event_hash
            self.event_hash = hmac.new(self.key, previous.encode() + sealed + b"%d}" % self.event_position,
                                       hashlib.sha256).hexdigest()  # fmt: skip
            self.events.add_row(f"{head}\t{self.event_position}\t{previous}\t{self.event_hash}")

    def finish(self) -> None:
        """Write what is left, and the series' counters."""
        from facturier.invoicing.models import SequenceCounter

        self.advance_to(None)
        for table in (self.documents, self.lines, self.payments, self.allocations, self.events):
            table.flush()
        for code, series in (("invoice", self.invoice_series), ("credit_note", self.credit_series)):
            SequenceCounter.objects.bulk_create(
                [
                    SequenceCounter(series=series, period=f"{year:04d}", last_value=n)
                    for year, n in self.counters[code].items()
                ]  # fmt: skip
            )

    def rechain(self) -> None:
        """Seal the demo's own documents and events after the history (once the indexes are rebuilt)."""
        from facturier.audit.models import AuditEvent, ChainHead

        for code, series in (("invoice", self.invoice_series), ("credit_note", self.credit_series)):
            self._rechain_demo(series, self.demo_documents[code], *self.chains[code], self.last_issue[code])
        # the demo's own events follow the history in the entity's first audit chain
        from facturier.domain.sealing import seal_mac

        previous, position = self.event_hash, self.event_position
        for event in AuditEvent.objects.filter(pk__in=self.demo_events).order_by("position"):
            position += 1
            event.position, event.previous_hash, event.key_id = position, previous, self.key_id
            event.hash = previous = seal_mac(self.key, previous, event.sealed_content())
            AuditEvent.objects.filter(pk=event.pk).update(
                position=event.position,
                previous_hash=event.previous_hash,
                key_id=event.key_id,
                hash=event.hash,
            )
        ChainHead.objects.update_or_create(
            key=self.chain_key, defaults={"last_hash": previous, "length": position}
        )

    @staticmethod
    def _rechain_demo(
        series: Any, ids: list[Any], length: int, last_hash: str, last_issue: dt.date | None
    ) -> None:
        """Seal the demo's documents of `series` after the history (as if issued after it), in order."""
        from facturier.audit.keys import keyring
        from facturier.invoicing.models import Document
        from facturier.invoicing.sealing import seal

        keys = keyring()
        demo = list(
            Document.objects.filter(pk__in=ids)
            .order_by("seal_position")
            .prefetch_related("lines", "allowances_charges", "deposits")
        )
        series.chain_length, series.chain_hash = length, last_hash
        for doc in demo:
            seal(doc, series, keys)
            Document.objects.filter(pk=doc.pk).update(
                seal_position=doc.seal_position,
                seal_previous_hash=doc.seal_previous_hash,
                seal_key_id=doc.seal_key_id,
                seal_hash=doc.seal_hash,
            )
        if not demo and last_issue:
            series.last_issue_date = last_issue
        series.save(update_fields=["chain_length", "chain_hash", "last_issue_date"])
