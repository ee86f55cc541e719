"""Playing a demo plan through the invoicing services, day after day.

Steps of all deals are played in date order so every numbering series stays chronological; each
step goes through the same services as the UI and the API (role checks, numbering, seals, audit),
acted by the user whose role fits (sales quotes, the approver approves, the accountant issues).
"""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.demo.scenario import Deal, PlannedLine, Step
from facturier.invoicing.lifecycle import OPEN_RECEIVABLE
from facturier.invoicing.models import Document, Status, TypeCode
from facturier.invoicing.services import (
    AllowanceChargeData,
    LineData,
    credit_note_create,
    document_convert,
    document_create,
    document_update,
    invoice_approve,
    invoice_dispute,
    invoice_issue,
    invoice_mark_sent,
    invoice_resolve_dispute,
    invoice_submit,
    quote_set_status,
)
from facturier.parties.models import Customer
from facturier.payments.selectors import settlement_of
from facturier.payments.services import payment_record_for_invoice
from facturier.transmission.models import LifecycleSource
from facturier.transmission.services import lifecycle_record

CENT = Decimal("0.01")
DEPOSIT_SHARE = Decimal("0.30")
LIFECYCLE_DAYS = 120  # invoices of the last four months carry the statuses their platform reported
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre")  # fmt: skip


@dataclass(frozen=True)
class Actors:
    """Who does what; on the training entity the administrator does everything."""

    sales: Actor
    approver: Actor
    accountant: Actor


class HistoryWriter:
    def __init__(self, entity: LegalEntity, customers: dict[str, Customer], products: dict[str, Product],
                 actors: Actors, anchor: dt.date) -> None:  # fmt: skip
        self.entity, self.customers, self.products, self.actors = entity, customers, products, actors
        self.anchor = anchor
        self.customers_by_pk = {customer.pk: customer for customer in customers.values()}
        self.documents: dict[int, dict[str, Document]] = {}
        self.last_status_at: dict[Any, dt.datetime] = {}
        self.deals: dict[int, Deal] = {}

    def play(
        self,
        deals: list[Deal],
        on_step: Callable[[], None] = lambda: None,
        events: Sequence[tuple[dt.date, Callable[[], None]]] = (),
    ) -> int:
        """Play every step of `deals` in date order; returns the number of steps played.

        `events` (a day and what happens that day, e.g. a billing run) are played among the steps in date
        order, after the steps of their day, so the documents they issue keep every series chronological."""
        self.deals = {deal.index: deal for deal in deals}
        steps = sorted((step for deal in deals for step in deal.steps), key=lambda step: step.key)
        pending = sorted(events, key=lambda event: event[0])
        for step in steps:
            while pending and pending[0][0] < step.day:
                pending.pop(0)[1]()
            getattr(self, f"_{step.action}")(
                self.deals[step.deal], step, self.documents.setdefault(step.deal, {})
            )
            on_step()
        for _day, happen in pending:
            happen()
        return len(steps)

    # building blocks -------------------------------------------------------------------------------

    def _line(self, planned: PlannedLine) -> LineData:
        return LineData(product=self.products[planned.sku], quantity=planned.quantity,
                        discount_percent=planned.discount, vat_rate=planned.vat_rate)  # fmt: skip

    def _extras(self, deal: Deal) -> list[AllowanceChargeData]:
        rate = (
            Decimal("8.50")
            if any(line.vat_rate == Decimal("8.50") for line in deal.lines)
            else Decimal("20.00")
        )
        extras = []
        if deal.loyalty_discount:
            extras.append(
                AllowanceChargeData(reason="Remise fidélité", percent=Decimal("3.00"), vat_rate=rate)
            )
        if deal.shipping:
            extras.append(AllowanceChargeData(reason="Frais de port et d'emballage", amount=Decimal("25.00"),
                                              is_charge=True, vat_rate=rate))  # fmt: skip
        return extras

    def _references(self, deal: Deal, day: dt.date) -> dict[str, Any]:
        customer = self.customers[deal.customer]
        header: dict[str, Any] = {}
        if deal.exchange_rate is not None:
            header["exchange_rate"] = deal.exchange_rate
        if customer.kind == "public":
            header["buyer_reference"] = customer.service_code
            header["purchase_order_reference"] = f"EJ{day:%Y}{deal.index:06d}"
        elif customer.kind == "business" and deal.path != "direct":
            header["purchase_order_reference"] = f"BC-{day:%Y}-{deal.index + 101:04d}"
        return header

    def _issue(self, document: Document, day: dt.date) -> Document:
        """Through approval when the entity requires it, then issued as of `day` and sent."""
        if self.entity.requires_approval:
            document = invoice_submit(invoice=document, by=self.actors.sales)
            document = invoice_approve(invoice=document, by=self.actors.approver)
        document = invoice_issue(invoice=document, by=self.actors.accountant, issue_date=day)
        document = invoice_mark_sent(invoice=document, by=self.actors.accountant)
        if not document.is_credit_note:
            taken_in_charge = day + dt.timedelta(days=1 + (document.seal_position or 0) % 3)
            self._platform_status(document, 200, day)  # Déposée
            self._platform_status(document, 204, min(taken_in_charge, self.anchor))  # Prise en charge
        return document

    def _platform_status(self, document: Document, code: int, day: dt.date) -> None:
        """Lifecycle statuses (CDAR) as a platform reports them, for the invoices of the last months.

        Only French business and public customers receive e-invoices through a platform; sales to
        consumers and abroad are e-reported instead, without lifecycle statuses.
        """
        customer = self.customers_by_pk[document.customer_id]
        if day < self.anchor - dt.timedelta(days=LIFECYCLE_DAYS) or not (
            customer.kind in ("business", "public") and customer.country == "FR"
        ):
            return
        # 09:xx in the entity's time zone that day, never in the future (the anchor day is today and it may
        # be early morning), never before the invoice's previous status (a fast payer's "cashed" does not
        # come before "taken in charge").
        at = dt.datetime.combine(day, dt.time(9, code % 60), tzinfo=ZoneInfo(self.entity.time_zone))
        at = min(at, timezone.now())
        at = max(at, self.last_status_at.get(document.pk, at))
        self.last_status_at[document.pk] = at
        lifecycle_record(document=document, code=code, source=LifecycleSource.CHANNEL, by=self.actors.accountant,
                         occurred_at=at)  # fmt: skip

    def _new_invoice(self, deal: Deal, day: dt.date, **header: Any) -> Document:
        customer = self.customers[deal.customer]
        if deal.path == "direct" and customer.kind != "consumer":
            header.setdefault("note", f"Période : {MONTHS_FR[day.month - 1]} {day.year}")
        return document_create(entity=self.entity, kind="invoice", customer=customer, by=self.actors.sales,
                               lines=[self._line(line) for line in deal.lines],
                               allowances_charges=self._extras(deal), **self._references(deal, day), **header)  # fmt: skip

    # steps, named after Step.action --------------------------------------------------------------------

    def _quote(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        docs["quote"] = document_create(
            entity=self.entity, kind="quote", customer=self.customers[deal.customer], by=self.actors.sales,
            lines=[self._line(line) for line in deal.lines], allowances_charges=self._extras(deal),
            issue_date=step.day, valid_until=step.day + dt.timedelta(days=30), **self._references(deal, step.day),
        )  # fmt: skip

    def _quote_sent(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        docs["quote"] = quote_set_status(quote=docs["quote"], status=Status.SENT, by=self.actors.sales)

    def _quote_accepted(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        docs["quote"] = quote_set_status(quote=docs["quote"], status=Status.ACCEPTED, by=self.actors.sales)

    def _quote_declined(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        docs["quote"] = quote_set_status(quote=docs["quote"], status=Status.DECLINED, by=self.actors.sales)

    def _order(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        order = document_convert(
            document=docs["quote"], to_kind="order", by=self.actors.sales, issue_date=step.day
        )
        docs["order"] = quote_set_status(quote=order, status=Status.CONFIRMED, by=self.actors.sales)

    def _deposit(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        """A 30 % deposit invoice (386) on the order, one line per VAT rate of the order."""
        order = docs["order"]
        goods = "goods" if order.operation_category != "services" else "services"
        lines = [
            LineData(description=f"Acompte de 30 % sur la commande {order.number} (TVA {vat['rate']} %)",
                     quantity=Decimal(1), unit_price=(Decimal(vat["taxable_amount"]) * DEPOSIT_SHARE).quantize(CENT),
                     vat_category=vat["category"], vat_rate=Decimal(vat["rate"]), accounting_category=goods, unit="C62")
            for vat in order.vat_breakdown
        ]  # fmt: skip
        deposit = document_create(entity=self.entity, kind="invoice", type_code=TypeCode.DEPOSIT,
                                  customer=order.customer, by=self.actors.sales, lines=lines, source=order,
                                  purchase_order_reference=order.purchase_order_reference)  # fmt: skip
        docs["deposit"] = self._issue(deposit, step.day)

    def _invoice(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        source = docs.get("order") or docs.get("quote")
        if source is None:
            invoice = self._new_invoice(deal, step.day)
        else:
            invoice = document_convert(document=source, to_kind="invoice", by=self.actors.sales)
        if "deposit" in docs:
            invoice = document_update(document=invoice, by=self.actors.sales, deposits=[docs["deposit"]])
        docs["invoice"] = self._issue(invoice, step.day)

    def _draft(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        docs["invoice"] = self._new_invoice(deal, step.day)

    def _submitted(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        docs["invoice"] = invoice_submit(invoice=self._new_invoice(deal, step.day), by=self.actors.sales)

    def _open(self, docs: dict[str, Document], key: str = "invoice") -> Document | None:
        document = docs.get(key)
        if document is None:
            return None
        document.refresh_from_db()
        return document if document.status in OPEN_RECEIVABLE else None

    def _pay(self, invoice: Document | None, step: Step) -> None:
        if invoice is None:
            return
        outstanding = settlement_of(invoice).balance
        amount = (
            outstanding
            if step.fraction is None
            else (outstanding * step.fraction).quantize(CENT, ROUND_HALF_UP)
        )
        if amount > 0:
            payment_record_for_invoice(invoice=invoice, amount=amount, received_on=step.day, by=self.actors.accountant,
                                       reference=f"VIR {invoice.number} {invoice.customer.name[:40]}")  # fmt: skip
            if amount == outstanding:
                self._platform_status(invoice, 212, step.day)  # Encaissée

    def _payment(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        self._pay(self._open(docs), step)

    def _deposit_payment(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        self._pay(self._open(docs, "deposit"), step)

    def _dispute(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        invoice = self._open(docs)
        if invoice is not None:
            invoice_dispute(invoice=invoice, by=self.actors.accountant,
                            reason="Le client conteste les quantités livrées.")  # fmt: skip

    def _resolve(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        invoice = self._open(docs)
        if invoice is not None and invoice.status == Status.DISPUTED:
            invoice_resolve_dispute(invoice=invoice, by=self.actors.accountant)

    def _credit_partial(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        """A commercial gesture: a share of the first VAT group of the invoice is credited."""
        invoice = self._open(docs)
        if invoice is None or step.fraction is None:
            return
        vat = invoice.vat_breakdown[0]
        amount = (Decimal(vat["taxable_amount"]) * step.fraction).quantize(CENT, ROUND_HALF_UP)
        line = LineData(description=f"Geste commercial sur la facture {invoice.number}", quantity=Decimal(1),
                        unit_price=amount, vat_category=vat["category"], vat_rate=Decimal(vat["rate"]),
                        accounting_category="services", unit="C62")  # fmt: skip
        credit = credit_note_create(invoice=invoice, by=self.actors.accountant, lines=[line],
                                    reason=f"Avoir commercial sur la facture {invoice.number}")  # fmt: skip
        self._issue(credit, step.day)

    def _credit_full(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        invoice = self._open(docs)
        if invoice is not None:
            credit = credit_note_create(invoice=invoice, by=self.actors.accountant,
                                        reason=f"Annulation de la facture {invoice.number} (erreur de quantités)")  # fmt: skip
            docs["cancelled"] = invoice
            self._issue(credit, step.day)

    def _reissue(self, deal: Deal, step: Step, docs: dict[str, Document]) -> None:
        """The corrected invoice that replaces one cancelled by a credit note."""
        cancelled = docs.get("cancelled")
        if cancelled is None:
            return
        invoice = self._new_invoice(deal, step.day, note=f"Annule et remplace la facture {cancelled.number}")
        docs["invoice"] = self._issue(invoice, step.day)
