"""Reads of the banking app, always scoped to one legal entity."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.banking.models import BankAccount, BankLine, StatementImport
from facturier.common.errors import NotFound
from facturier.domain.identifiers import InvalidIdentifier, validate_iban


def bank_accounts(*, entity: LegalEntity) -> QuerySet[BankAccount]:
    return BankAccount.objects.filter(entity=entity).order_by("name", "iban")


def bank_account_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> BankAccount:
    try:
        account: BankAccount = BankAccount.objects.filter(entity=entity).get(pk=pk)
        return account
    except (BankAccount.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Unknown bank account."), code="unknown_bank_account") from None


def bank_account_find(*, entity: LegalEntity, reference: str) -> BankAccount:
    """The account an operator names: its IBAN (any spacing), its bank account number, or its id."""
    reference = "".join(reference.split())
    accounts = BankAccount.objects.filter(entity=entity)
    try:
        found: BankAccount | None = accounts.filter(iban=validate_iban(reference)).first()
    except InvalidIdentifier:
        found = accounts.filter(account_number=reference).first()
    if found is None:
        try:
            found = accounts.filter(pk=uuid.UUID(reference)).first()
        except ValueError:
            found = None
    if found is None:
        raise NotFound(
            _("%(entity)s has no bank account %(reference)s.") % {"entity": entity.name, "reference": reference},
            field="account", code="unknown_bank_account",
        )  # fmt: skip
    return found


def statement_imports(*, entity: LegalEntity) -> QuerySet[StatementImport]:
    return StatementImport.objects.filter(entity=entity).select_related("account").order_by("-created_at")


def bank_lines(
    *, entity: LegalEntity, account: BankAccount | None = None, status: str | None = None
) -> QuerySet[BankLine]:
    rows = BankLine.objects.filter(entity=entity).select_related("account")
    if account is not None:
        rows = rows.filter(account=account)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-booking_date", "-created_at")


def line_counts(*, entity: LegalEntity) -> dict[str, Any]:
    """How many lines each status holds (for the banking page's summary)."""
    from django.db.models import Count

    rows = BankLine.objects.filter(entity=entity).values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}
