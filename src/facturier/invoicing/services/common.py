"""Pieces shared by the invoicing services: locking, entity dates, snapshots, audit payloads."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from facturier.accounts.models import LegalEntity
from facturier.invoicing.models import Document


def locked(document: Document) -> Document:
    """Re-read the document under a row lock: concurrent actions on it queue up, then see its new state."""
    current: Document = Document.objects.select_for_update().get(pk=document.pk)
    return current


def entity_today(entity: LegalEntity) -> dt.date:
    """Invoice dates are calendar dates in the entity's own time zone."""
    return timezone.localdate(timezone=ZoneInfo(entity.time_zone))


def state_of(document: Document) -> dict[str, Any]:
    """The part of a document an audit event records before and after a change."""
    return {
        "status": document.status,
        "number": document.number,
        "issue_date": document.issue_date,
        "tax_exclusive": document.tax_exclusive,
        "tax_inclusive": document.tax_inclusive,
        "payable": document.payable,
    }


def seller_snapshot(entity: LegalEntity) -> dict[str, Any]:
    fields = (
        "name", "legal_form", "share_capital", "siren", "siret", "vat_number", "rcs", "address_line1",
        "address_line2", "postcode", "city", "country", "email", "phone", "iban", "bic",
        "electronic_address_scheme", "electronic_address", "late_penalty_rate", "early_payment_discount",
        "brand_color", "footer_text",  # the branding printed on the PDF, as it was at issue
    )  # fmt: skip
    return {name: "" if getattr(entity, name) is None else str(getattr(entity, name)) for name in fields}


def customer_snapshot(document: Document) -> dict[str, Any]:
    customer = document.customer
    fields = (
        "code", "name", "kind", "siren", "siret", "vat_number", "registration_id", "registration_scheme",
        "address_line1", "address_line2", "postcode", "city", "country", "delivery_line1", "delivery_line2",
        "delivery_postcode", "delivery_city", "delivery_country", "email", "vat_regime", "exemption_reason",
        "electronic_address_scheme", "electronic_address", "service_code",
    )  # fmt: skip
    return {name: str(getattr(customer, name)) for name in fields}
