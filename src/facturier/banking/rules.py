"""A company's reconciliation rules: what counts as bank fees or a write-off, to which account, and how
sure the engine must be to settle a line by itself. One row per company; missing means the defaults."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.banking.models import ReconciliationModel
from facturier.common.errors import ValidationFailed

AMOUNTS = ("fee_tolerance", "writeoff_tolerance")
ACCOUNTS = ("fee_account", "writeoff_account")
THRESHOLDS = ("auto_threshold", "propose_threshold")
FIELDS = (*AMOUNTS, *ACCOUNTS, *THRESHOLDS, "max_items_in_sum")


def stored_rules(entity: LegalEntity) -> ReconciliationModel:
    """The company's rules (the defaults, unsaved, when it never changed them)."""
    return ReconciliationModel.objects.filter(entity=entity).first() or ReconciliationModel(entity=entity)


def _state(model: ReconciliationModel) -> dict[str, Any]:
    return {name: getattr(model, name) for name in FIELDS}


def _decimal(name: str, value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed(_("%(field)s is not a number.") % {"field": name}, field=name,
                               code="invalid_number") from None  # fmt: skip
    if not number.is_finite() or number < 0:
        raise ValidationFailed(_("%(field)s must be zero or more.") % {"field": name}, field=name,
                               code="invalid_number")  # fmt: skip
    return number


def _checked(name: str, value: Any) -> Any:
    if name in AMOUNTS:
        amount = _decimal(name, value)
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationFailed(_("%(field)s has at most 2 decimals.") % {"field": name}, field=name,
                                   code="invalid_number")  # fmt: skip
        return amount
    if name in THRESHOLDS:
        threshold = _decimal(name, value)
        if threshold > 1:
            raise ValidationFailed(_("%(field)s is between 0 and 1.") % {"field": name}, field=name,
                                   code="invalid_number")  # fmt: skip
        return threshold
    if name in ACCOUNTS:
        account = str(value).strip()
        if not account.isdigit() or len(account) > 20:
            raise ValidationFailed(_("%(field)s is an account number (digits).") % {"field": name},
                                   field=name, code="invalid_account")  # fmt: skip
        return account
    count = int(_decimal(name, value)) if str(value).strip().isdigit() else 0
    if not 1 <= count <= 10:
        raise ValidationFailed(_("%(field)s is between 1 and 10.") % {"field": name}, field=name,
                               code="invalid_number")  # fmt: skip
    return count


@transaction.atomic
def reconciliation_rules_set(*, entity: LegalEntity, by: Actor, **changes: Any) -> ReconciliationModel:
    """Change some of the company's rules (audited, before and after); unknown names are refused."""
    authorize(by, Action.MANAGE_ENTITY, entity)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationFailed(_("Unknown rule: %(names)s.") % {"names": ", ".join(unknown)},
                               field=unknown[0], code="unknown_rule")  # fmt: skip
    model = ReconciliationModel.objects.select_for_update().filter(entity=entity).first()
    model = model or ReconciliationModel(entity=entity)
    before = _state(model)
    for name, value in changes.items():
        setattr(model, name, _checked(name, value))
    if model.propose_threshold > model.auto_threshold:
        raise ValidationFailed(_("A proposal cannot need more confidence than an automatic match."),
                               field="propose_threshold", code="invalid_thresholds")  # fmt: skip
    model.save()
    audit_record(entity=entity, actor=by, action="bank_reconciliation.rules_changed", obj=model,
                 before=before, after=_state(model))  # fmt: skip
    return model
