"""Ten years of synthetic history written in bulk beside the demo company (used by bench/scale.py).

What it writes is what the services would have written had this history been issued before the demo:
invoices with lines, numbered gapless per series and year; credit notes referencing them; payments with
allocations (settlement is derived from them); audit events. Seals come from `invoicing.sealing.seal`
and audit hashes from `AuditEvent.sealed_content` keyed with the seal key (`seal_mac`): the history takes the first positions
of each chain and the demo's own documents and events are re-chained after it, so `facturier audit
verify` passes. Triggers are switched off for the load only (`session_replication_role = replica`):
bulk SQL, PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
import random
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


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8 + rng.randrange(10), rng.randrange(60)), tzinfo=dt.UTC)


def load_history(*, invoices: int, customers: int, seed: int = 9, log: Any = print) -> None:
    from django.db import connection, transaction

    from facturier.accounts.models import LegalEntity

    entities = list(LegalEntity.objects.order_by("created_at"))[:2]
    shares = (0.8, 0.2) if len(entities) == 2 else (1.0,)
    rng = random.Random(seed)
    since = dt.datetime.now(dt.UTC)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for entity, share in zip(entities, shares, strict=False):
            _load_entity(entity, round(invoices * share), max(1, round(customers * share)), rng, log)
        backdate(since)


def _load_entity(entity: Any, invoices: int, customers: int, rng: random.Random, log: Any) -> None:
    from facturier.invoicing.models import Document, Line
    from facturier.invoicing.numbering import default_series_for

    series = {s.code: s for s in default_series_for(entity)}
    first_demo = (
        Document.objects.filter(entity=entity, seal_position__isnull=False).order_by("issue_date").first()
    )
    last_year = (first_demo.issue_date.year if first_demo else dt.datetime.now(dt.UTC).year) - 1
    seller = first_demo.seller_snapshot if first_demo else {"name": entity.name}
    log(f"{entity.name}: {customers} customers, {invoices} invoices over {last_year - 9}-{last_year}")
    people = _customers(entity, customers, rng)
    start = dt.date(last_year - 9, 1, 1)
    span = (dt.date(last_year, 12, 31) - start).days
    days = sorted(start + dt.timedelta(days=rng.randrange(span)) for _ in range(invoices))
    lines: dict[Any, list[Any]] = {}
    docs = _invoices(entity, series["invoice"], days, people, seller, rng, lines)
    credits = _credit_notes(entity, series["credit_note"], docs, rng, last_year, lines)
    _seal_and_rechain(series["invoice"], docs, lines)
    _seal_and_rechain(series["credit_note"], credits, lines)
    Document.objects.bulk_create(docs, batch_size=2000)
    Document.objects.bulk_create(credits, batch_size=2000)
    Line.objects.bulk_create([line for rows in lines.values() for line in rows], batch_size=5000)
    payments = _payments(entity, docs, rng, dt.date(last_year, 12, 31))
    events = _audit(entity, docs + credits, payments, rng)
    log(f"  {len(docs)} invoices, {len(credits)} credit notes, {len(payments)} payments, {events} events")


def _customers(entity: Any, count: int, rng: random.Random) -> list[Any]:
    from facturier.parties.models import Customer

    rows = []
    for n in range(count):
        postcode, city = rng.choice(CITIES)
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {FORMS[n % len(FORMS)]} {n:06d}"
        rows.append(Customer(entity=entity, code=f"H{n:07d}", name=name, siren=f"{rng.randrange(10**8, 10**9)}",
                             address_line1=f"{1 + n % 200} rue {rng.choice(WORDS)}", postcode=postcode,
                             city=city, email=f"billing{n}@example.com"))  # fmt: skip
    return Customer.objects.bulk_create(rows, batch_size=5000)


def _snapshot(customer: Any) -> dict[str, str]:
    return {"name": customer.name, "code": customer.code, "siren": customer.siren, "city": customer.city,
            "postcode": customer.postcode, "address_line1": customer.address_line1, "country": "FR"}  # fmt: skip


def _lines_for(doc: Any, rng: random.Random, source: list[Any] | None = None) -> list[Any]:
    from facturier.invoicing.models import Line

    if source is not None:
        return [Line(document=doc, position=line.position, description=line.description, quantity=line.quantity,
                     unit_price=line.unit_price, net_amount=line.net_amount) for line in source]  # fmt: skip
    rows = []
    for position in range(1, 2 + rng.randrange(3)):
        quantity = Decimal(1 + rng.randrange(20))
        price = Decimal(rng.randrange(5000, 200000)) / 100
        rows.append(Line(document=doc, position=position, description=f"Prestation {rng.choice(WORDS)}",
                         quantity=quantity.quantize(Decimal("0.000001")), unit_price=price.quantize(Decimal("0.000001")),
                         net_amount=(quantity * price).quantize(CENT)))  # fmt: skip
    return rows


def _totals(doc: Any, rows: list[Any]) -> None:
    net = sum((line.net_amount for line in rows), Decimal(0))
    tax = (net * Decimal("0.20")).quantize(CENT)
    doc.line_total = doc.tax_exclusive = net
    doc.tax_total, doc.tax_inclusive, doc.payable = tax, net + tax, net + tax
    doc.vat_breakdown = [{"category": "S", "rate": "20.00", "base": str(net), "tax": str(tax)}]


def _invoices(entity: Any, series: Any, days: list[dt.date], people: list[Any], seller: dict[str, Any],
              rng: random.Random, lines: dict[Any, list[Any]]) -> list[Any]:  # fmt: skip
    from facturier.invoicing.models import Document

    counters: dict[int, int] = defaultdict(int)
    docs = []
    for day in days:
        counters[day.year] += 1
        customer = rng.choice(people)
        doc = Document(entity=entity, kind="invoice", type_code="380", status="sent", series=series,
                       number=f"FAC-{day.year}-{counters[day.year]:05d}", customer=customer, issue_date=day,
                       due_date=day + dt.timedelta(days=30), seller_snapshot=seller,
                       customer_snapshot=_snapshot(customer), issued_at=_at(day, rng))  # fmt: skip
        doc.sent_at = doc.issued_at
        lines[doc] = _lines_for(doc, rng)
        _totals(doc, lines[doc])
        docs.append(doc)
    _counters(series, counters)
    return docs


def _credit_notes(entity: Any, series: Any, invoices: list[Any], rng: random.Random, last_year: int,
                  lines: dict[Any, list[Any]]) -> list[Any]:  # fmt: skip
    from facturier.invoicing.models import Document

    picked = rng.sample(invoices, len(invoices) * 3 // 100)
    dated = sorted(
        (
            (min(i.issue_date + dt.timedelta(days=rng.randrange(1, 20)), dt.date(last_year, 12, 31)), i)
            for i in picked
        ),
        key=lambda pair: pair[0],
    )
    counters: dict[int, int] = defaultdict(int)
    out = []
    for day, invoice in dated:
        counters[day.year] += 1
        invoice.status = "cancelled"
        doc = Document(entity=entity, kind="invoice", type_code="381", status="sent", series=series,
                       number=f"AV-{day.year}-{counters[day.year]:05d}", customer=invoice.customer,
                       issue_date=day, due_date=day, seller_snapshot=invoice.seller_snapshot,
                       customer_snapshot=invoice.customer_snapshot, preceding_invoice=invoice,
                       issued_at=_at(day, rng))  # fmt: skip
        doc.sent_at = doc.issued_at
        lines[doc] = _lines_for(doc, rng, lines[invoice])
        _totals(doc, lines[doc])
        out.append(doc)
    _counters(series, counters)
    return out


def _counters(series: Any, counters: dict[int, int]) -> None:
    from facturier.invoicing.models import SequenceCounter

    SequenceCounter.objects.bulk_create(
        [SequenceCounter(series=series, period=f"{year:04d}", last_value=n) for year, n in counters.items()]
    )


def _seal_and_rechain(series: Any, docs: list[Any], lines: dict[Any, list[Any]]) -> None:
    """Seal the history with the project's own `seal`, then the demo's documents after it, in order."""
    from facturier.audit.keys import keyring
    from facturier.domain.sealing import GENESIS_HASH
    from facturier.invoicing.models import Document
    from facturier.invoicing.sealing import seal

    keys = keyring()

    demo = list(
        Document.objects.filter(series=series, seal_position__isnull=False)
        .order_by("seal_position")
        .prefetch_related("lines", "allowances_charges", "deposits")
    )
    series.chain_length, series.chain_hash = 0, GENESIS_HASH
    for doc in docs:
        doc._prefetched_objects_cache = {
            "lines": lines[doc], "allowances_charges": [], "deposits": Document.objects.none()
        }  # fmt: skip
        seal(doc, series, keys)
    for doc in demo:
        seal(doc, series, keys)
        Document.objects.filter(pk=doc.pk).update(
            seal_position=doc.seal_position,
            seal_previous_hash=doc.seal_previous_hash,
            seal_key_id=doc.seal_key_id,
            seal_hash=doc.seal_hash,
        )
    if not demo and docs:
        series.last_issue_date = docs[-1].issue_date
    series.save(update_fields=["chain_length", "chain_hash", "last_issue_date"])


def _payments(entity: Any, docs: list[Any], rng: random.Random, last_day: dt.date) -> list[Any]:
    from facturier.payments.models import Allocation, Payment

    payments, allocations = [], []
    for doc in docs:
        roll = rng.random()
        if doc.status == "cancelled" or roll < 0.03:
            continue  # credited, or still unpaid (the aged balance has a long tail)
        amount = doc.payable if roll > 0.08 else (doc.payable / 2).quantize(CENT)
        day = doc.issue_date + dt.timedelta(days=10 + rng.randrange(50))
        payment = Payment(entity=entity, customer=doc.customer, received_on=day, amount=amount, currency="EUR",
                          reference=f"VIR {doc.number}", payer=doc.customer.name)  # fmt: skip
        payments.append(payment)
        allocations.append(Allocation(entity=entity, payment=payment, document=doc, amount=amount))
    Payment.objects.bulk_create(payments, batch_size=5000)
    Allocation.objects.bulk_create(allocations, batch_size=5000)
    return payments


def _audit(entity: Any, docs: list[Any], payments: list[Any], rng: random.Random) -> int:
    """History events take the chain's first positions; the demo's events are re-chained after them."""
    from facturier.audit.keys import keyring
    from facturier.audit.models import AuditEvent, ChainHead
    from facturier.domain.sealing import GENESIS_HASH, seal_mac

    keys = keyring()

    key = f"audit:{entity.pk}"
    events = (
        [
            AuditEvent(
                entity=entity,
                actor_label="system",
                action="invoice.issued",
                object_type="invoicing.document",
                object_id=str(doc.pk),
                object_repr=doc.number,
                after={"number": doc.number, "status": "issued"},
                occurred_at=doc.issued_at,
                chain_key=key,
            )  # fmt: skip
            for doc in docs
        ]
        + [
            AuditEvent(
                entity=entity,
                actor_label="system",
                action="payment.recorded",
                object_type="payments.payment",
                object_id=str(p.pk),
                object_repr=str(p)[:200],
                after={"amount": str(p.amount)},
                occurred_at=_at(p.received_on, rng),
                chain_key=key,
            )  # fmt: skip
            for p in payments
        ]
    )
    events.sort(key=lambda event: event.occurred_at)
    demo = list(AuditEvent.objects.filter(chain_key=key).order_by("position"))
    previous = GENESIS_HASH
    for position, event in enumerate(events + demo, start=1):
        event.position, event.previous_hash = position, previous
        event.key_id = keys.current_id
        event.hash = previous = seal_mac(keys.current, previous, event.sealed_content())
    for event in reversed(demo):
        AuditEvent.objects.filter(pk=event.pk).update(
            position=event.position, previous_hash=event.previous_hash, key_id=event.key_id, hash=event.hash
        )
    AuditEvent.objects.bulk_create(events, batch_size=5000)
    ChainHead.objects.update_or_create(
        key=key, defaults={"last_hash": previous, "length": len(events) + len(demo)}
    )
    return len(events)


def backdate(since: dt.datetime) -> None:
    """Rows written by the load get the creation times they would have had (the API sorts on them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in (
            "UPDATE invoicing_document SET created_at = issued_at, updated_at = issued_at WHERE created_at >= %s",
            "UPDATE invoicing_line l SET created_at = d.issued_at, updated_at = d.issued_at "
            "FROM invoicing_document d WHERE l.document_id = d.id AND l.created_at >= %s",
            "UPDATE payments_payment SET created_at = received_on + time '12:00', updated_at = received_on "
            "+ time '12:00' WHERE created_at >= %s",
            "UPDATE payments_allocation a SET created_at = p.created_at, updated_at = p.created_at "
            "FROM payments_payment p WHERE a.payment_id = p.id AND a.created_at >= %s",
            "UPDATE parties_customer SET created_at = now() - random() * interval '3650 days' WHERE created_at >= %s",
        ):
            cursor.execute(sql, [since])
