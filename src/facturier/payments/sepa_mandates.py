"""SEPA creditor identifier and direct debit mandates: audited services and the rules they derive.

The sequence type of the next collection comes from the mandate's history: OOFF for a one-off
mandate, FRST until a collection was booked (a returned first collection leaves it FRST), RCUR after.
A mandate unused for 36 months expires (SEPA rulebook): it is marked so the next time it is read for
a collection, and a new mandate must be signed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from facturier.accounts import authorization
from facturier.accounts.actor import SYSTEM, Actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.sepa import SepaError, validate_creditor_id
from facturier.domain.sepa.charset import sepa_identifier
from facturier.parties.models import Customer
from facturier.payments import errors
from facturier.payments.mandates import (
    CollectionStatus,
    DirectDebitCollection,
    Mandate,
    MandateStatus,
    Pain008Version,
    Scheme,
    SepaCreditor,
)

EXPIRY = relativedelta(months=36)


def checked_iban(value: str) -> str:
    try:
        return str(IBAN(value).compact)
    except (SchwiftyException, ValueError) as error:
        raise ValidationFailed(_("Invalid IBAN: %(error)s") % {"error": error}, field="iban",
                               code=errors.INVALID_IBAN) from error  # fmt: skip


def checked_bic(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return str(BIC(value).compact)
    except (SchwiftyException, ValueError) as error:
        raise ValidationFailed(_("Invalid BIC: %(error)s") % {"error": error}, field="bic",
                               code=errors.INVALID_BIC) from error  # fmt: skip


@transaction.atomic
def sepa_creditor_set(
    *,
    entity: LegalEntity,
    creditor_id: str,
    by: Actor,
    pain008_version: str = Pain008Version.V08,
    prenotification_days: int = 14,
) -> SepaCreditor:
    """Set the company's SEPA creditor identifier (checked: country, check digits, national id)."""
    authorization.authorize(by, Action.MANAGE_ENTITY, entity)
    try:
        compact = validate_creditor_id(creditor_id)
    except SepaError as error:
        raise ValidationFailed(_("Invalid SEPA creditor identifier: %(error)s") % {"error": error},
                               field="creditor_id", code=errors.INVALID_CREDITOR_ID) from error  # fmt: skip
    if pain008_version not in Pain008Version.values:
        raise ValidationFailed(_("Unknown file format."), field="pain008_version")
    if not 1 <= prenotification_days <= 60:
        raise ValidationFailed(_("Between 1 and 60 days."), field="prenotification_days")
    creditor, _created = SepaCreditor.objects.update_or_create(
        entity=entity,
        defaults={"creditor_id": compact, "pain008_version": pain008_version,
                  "prenotification_days": prenotification_days},
    )  # fmt: skip
    audit_record(entity=entity, actor=by, action="sepa_creditor.updated", obj=creditor,
                 after={"creditor_id": compact, "pain008_version": pain008_version,
                        "prenotification_days": prenotification_days})  # fmt: skip
    return creditor


def sepa_creditor_of(entity: LegalEntity) -> SepaCreditor:
    creditor: SepaCreditor | None = SepaCreditor.objects.filter(entity=entity).first()
    if creditor is None:
        raise Conflict(_("Set the company's SEPA creditor identifier first."), code=errors.NO_CREDITOR_ID)
    return creditor


def _state(mandate: Mandate) -> dict[str, Any]:
    return {"customer": str(mandate.customer_id), "reference": mandate.reference, "signed_on": mandate.signed_on,
            "scheme": mandate.scheme, "one_off": mandate.one_off, "ends_on": mandate.ends_on, "iban": mandate.iban,
            "bic": mandate.bic, "status": mandate.status}  # fmt: skip


@transaction.atomic
def mandate_create(
    *,
    customer: Customer,
    reference: str,
    signed_on: dt.date,
    iban: str,
    by: Actor,
    bic: str = "",
    debtor_name: str = "",
    scheme: str = Scheme.CORE,
    one_off: bool = False,
    ends_on: dt.date | None = None,
) -> Mandate:
    """Record a signed mandate; its reference (UMR) is unique for the creditor."""
    entity = customer.entity
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    umr = sepa_identifier(reference, 35)
    if not umr or umr != reference.strip():
        raise ValidationFailed(_("A mandate reference has up to 35 letters, digits and / - ? : ( ) . , ' +."),
                               field="reference")  # fmt: skip
    if scheme not in Scheme.values:
        raise ValidationFailed(_("Unknown scheme."), field="scheme")
    if signed_on > timezone.localdate():
        raise ValidationFailed(_("The signature date is in the future."), field="signed_on")
    if ends_on is not None and ends_on < signed_on:
        raise ValidationFailed(_("The mandate ends before it was signed."), field="ends_on")
    compact_iban, compact_bic = checked_iban(iban), checked_bic(bic)
    try:
        with transaction.atomic():
            mandate = Mandate.objects.create(
                entity=entity, customer=customer, reference=umr, signed_on=signed_on, scheme=scheme, one_off=one_off,
                ends_on=ends_on, debtor_name=(debtor_name or customer.name)[:140], iban=compact_iban, bic=compact_bic,
            )  # fmt: skip
    except IntegrityError as error:
        raise ValidationFailed(_("A mandate with this reference already exists."), field="reference",
                               code=errors.DUPLICATE_MANDATE) from error  # fmt: skip
    audit_record(entity=entity, actor=by, action="mandate.created", obj=mandate, after=_state(mandate))
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, by: Actor, reason: str = "") -> Mandate:
    """The debtor withdrew the mandate: nothing more is collected with it (scheduled collections are dropped)."""
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    authorization.authorize(by, Action.RECORD_PAYMENT, mandate.entity)
    if mandate.status != MandateStatus.ACTIVE:
        raise Conflict(_("This mandate is not active."), code=errors.MANDATE_NOT_ACTIVE)
    before = _state(mandate)
    mandate.status = MandateStatus.REVOKED
    mandate.revoked_at = timezone.now()
    mandate.revocation_reason = reason[:200]
    mandate.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
    dropped = mandate.collections.filter(status=CollectionStatus.SCHEDULED)
    count = dropped.count()
    dropped.delete()
    audit_record(entity=mandate.entity, actor=by, action="mandate.revoked", obj=mandate, before=before,
                 after={**_state(mandate), "reason": mandate.revocation_reason,
                        "scheduled_collections_dropped": count})  # fmt: skip
    return mandate


def mandate_expires_on(mandate: Mandate) -> dt.date:
    expires: dt.date = (mandate.last_collected_on or mandate.signed_on) + EXPIRY
    return expires


def _used(mandate: Mandate) -> Any:
    return DirectDebitCollection.objects.filter(
        mandate=mandate, status__in=[CollectionStatus.SUBMITTED, CollectionStatus.BOOKED]
    )


def mandate_usable(mandate: Mandate, on: dt.date, by: Actor = SYSTEM) -> bool:
    """Active, not used up (after OOFF or FNAL) and not expired at `on`; an expired one is marked so (audited)."""
    if (
        mandate.status != MandateStatus.ACTIVE
        or _used(mandate).filter(sequence__in=["OOFF", "FNAL"]).exists()
    ):
        return False
    if on < mandate_expires_on(mandate):
        return True
    before = _state(mandate)
    mandate.status = MandateStatus.EXPIRED
    mandate.save(update_fields=["status", "updated_at"])
    audit_record(entity=mandate.entity, actor=by, action="mandate.expired", obj=mandate, before=before,
                 after=_state(mandate))  # fmt: skip
    return False


def next_sequence(mandate: Mandate, collection_date: dt.date) -> str:
    """OOFF, FRST, RCUR or FNAL from what was already collected (booked or in a file) with the mandate."""
    if mandate.one_off:
        return "OOFF"
    if not _used(mandate).exists():
        return "FRST"
    if mandate.ends_on is not None and collection_date >= mandate.ends_on:
        return "FNAL"
    return "RCUR"
