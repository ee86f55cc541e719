"""Demo: a construction contract (marché de travaux) billed by three situations, 30 %, 65 % and 100 %,
each withholding the 5 % retention guarantee; the works accepted on the last one, so the guarantee
period runs until a year after it. Dates counted from the anchor (today in the demo's time zone)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone

from facturier.accounts.models import LegalEntity
from facturier.construction.models import ConstructionContract
from facturier.construction.services import (
    LineInput,
    ProgressInput,
    construction_contract_create,
    contract_accept,
    situation_issue,
    situation_record,
)
from facturier.demo.history import Actors
from facturier.invoicing.models import Document, Kind, Status
from facturier.invoicing.services import invoice_approve, invoice_issue, invoice_mark_sent
from facturier.parties.models import Customer
from facturier.transmission.models import LifecycleSource
from facturier.transmission.services import lifecycle_record

CUSTOMER = "C0011"  # Agence Horizon Immobilier: the owner of the works (maître d'ouvrage)
LINES = (
    LineInput(description="Installation de chantier", quantity=Decimal(1), unit_price=Decimal("3800.00")),
    LineInput(description="Démolition des cloisons existantes", quantity=Decimal(180), unit="MTK",
              unit_price=Decimal("24.50")),
    LineInput(description="Cloisons et doublages en plaques de plâtre", quantity=Decimal(420), unit="MTK",
              unit_price=Decimal("46.80")),
    LineInput(description="Électricité courants forts et faibles", quantity=Decimal(1), unit_price=Decimal("18650.00")),
    LineInput(description="Peinture des murs et plafonds", quantity=Decimal(960), unit="MTK",
              unit_price=Decimal("14.35")),
)  # fmt: skip
# (days before the anchor the progress is stated, cumulative progress of each line in %)
SITUATIONS = (
    (75, ("100", "100", "30", "25", "0")),
    (45, ("100", "100", "70", "60", "40")),
    (10, ("100", "100", "100", "100", "100")),
)


def _last_issue(entity: LegalEntity) -> dt.date | None:
    """Invoices are numbered in date order: a situation is never issued before the last invoice."""
    last: dt.date | None = Document.objects.filter(entity=entity, kind=Kind.INVOICE).aggregate(
        day=Max("issue_date")
    )["day"]
    return last


def _send(document: Document, actors: Actors, day: dt.date, anchor: dt.date) -> None:
    """Sent through the platform, which reports it filed (200) then taken in charge (204), as the other
    e-invoices of the demo's French business customers; at 09:xx that day, never in the future."""
    document = invoice_mark_sent(invoice=document, by=actors.accountant)
    zone = ZoneInfo(document.entity.time_zone)
    for code, when in ((200, day), (204, min(day + dt.timedelta(days=1), anchor))):
        at = min(dt.datetime.combine(when, dt.time(9, code % 60), tzinfo=zone), timezone.now())
        lifecycle_record(document=document, code=code, source=LifecycleSource.CHANNEL, by=actors.accountant,
                         occurred_at=at)  # fmt: skip


def create_construction(
    entity: LegalEntity, customers: dict[str, Customer], actors: Actors, anchor: dt.date
) -> ConstructionContract:
    contract = construction_contract_create(
        entity=entity, customer=customers[CUSTOMER], by=actors.sales, reference=f"MT-{anchor:%Y}-001",
        name="Réaménagement des bureaux de l'agence", lines=list(LINES),
    )  # fmt: skip
    lines = list(contract.lines.order_by("position"))
    for days, percents in SITUATIONS:
        stated = anchor - dt.timedelta(days=days)
        progress = [
            ProgressInput(line=line, percent=Decimal(p)) for line, p in zip(lines, percents, strict=True)
        ]
        situation = situation_record(contract=contract, by=actors.sales, progress=progress, date=stated)
        last = _last_issue(entity)
        day = max(stated, last) if last else stated
        situation = situation_issue(situation=situation, by=actors.sales, issue_date=day)
        document = situation.document
        if document is not None and document.status == Status.PENDING_APPROVAL:
            document = invoice_approve(invoice=document, by=actors.approver)
            document = invoice_issue(invoice=document, by=actors.accountant, issue_date=day)
        if document is not None:
            _send(document, actors, day, anchor)
    contract_accept(
        contract=contract, by=actors.sales, acceptance_date=anchor - dt.timedelta(days=SITUATIONS[-1][0])
    )
    return contract
