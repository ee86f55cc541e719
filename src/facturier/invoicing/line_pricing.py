"""Where invoicing meets pricing: the pricing rules of one document, and the customer history they need.

A line with a product and no typed price takes its price and discount from `facturier.pricing` for the
document's customer, currency, promotion code and date (its issue date, else today in the entity's
time zone), the same for the editor, the API and billing runs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Min, Q, Sum
from django.utils import timezone

from facturier.accounts.models import LegalEntity
from facturier.domain.pricing.rules import add_years
from facturier.invoicing.models import Document, Kind, TypeCode
from facturier.parties.models import Customer
from facturier.pricing.resolution import CustomerHistory, Pricer


def customer_history(*, entity: LegalEntity, customer: Customer, day: dt.date) -> CustomerHistory:
    """What the customer was invoiced, excl. VAT, over the 12 months up to `day` (credit notes deducted),
    in the entity's currency (documents in another currency are not counted), and since when.

    Issued documents only (sealed): drafts and quotes promise nothing.
    """
    issued = Document.objects.filter(entity=entity, customer=customer, kind=Kind.INVOICE).exclude(
        seal_hash=""
    )
    window = issued.filter(
        currency=entity.default_currency, issue_date__gt=add_years(day, -1), issue_date__lte=day
    )
    sums = window.aggregate(
        invoiced=Sum("tax_exclusive", filter=~Q(type_code=TypeCode.CREDIT_NOTE)),
        credited=Sum("tax_exclusive", filter=Q(type_code=TypeCode.CREDIT_NOTE)),
    )
    first = issued.exclude(type_code=TypeCode.CREDIT_NOTE).aggregate(first=Min("issue_date"))["first"]
    return CustomerHistory(
        invoiced_last_12_months=(sums["invoiced"] or Decimal(0)) - (sums["credited"] or Decimal(0)),
        customer_since=first,
    )


def pricing_day(document: Document) -> dt.date:
    """The day a document's prices are taken on: its date, else today in the entity's time zone."""
    # services.common.entity_today, inlined: the services package imports this module through lines.py
    return document.issue_date or timezone.localdate(timezone=ZoneInfo(document.entity.time_zone))


def pricer_for(document: Document) -> Pricer:
    """The pricing rules of `document` as it stands (saved or not: the editor prices unsaved drafts)."""
    day = pricing_day(document)
    return Pricer(
        entity=document.entity, customer=document.customer, currency=document.currency, day=day,
        promotion_code=document.promotion_code,
        language=document.language or None,
        history=lambda: customer_history(entity=document.entity, customer=document.customer, day=day),
    )  # fmt: skip
