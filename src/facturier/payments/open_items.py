"""Onboarding: the unpaid invoices a company brings from its previous tool, as open items.

`open_items_import` reads a CSV with the header
`invoice_number,customer_name,customer_siren,customer_iban,issue_date,due_date,amount,currency,rf_reference`
(other column names mapped with `column_map`: file name -> our name). Every line is checked first; any
bad line refuses the whole file with its line number, so nothing is half-written. Then, in one
transaction: customers are found by SIREN (else by exact name) or created, their IBAN remembered
(`CustomerAccount`, for reconciliation), and one `OpenItem` written per invoice number. Importing the
same file again finds every invoice number and writes nothing (idempotent by entity + invoice number);
the same number with another amount or customer is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from schwifty import IBAN
from stdnum.fr import siren as stdnum_siren

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import ValidationFailed
from facturier.parties.models import Customer
from facturier.parties.services import customer_state
from facturier.payments import errors
from facturier.payments.models import CustomerAccount, OpenItem

COLUMNS = (
    "invoice_number", "customer_name", "customer_siren", "customer_iban", "issue_date", "due_date", "amount",
    "currency", "rf_reference",
)  # fmt: skip
OPTIONAL = frozenset({"customer_siren", "customer_iban", "rf_reference"})
AMOUNT = re.compile(r"^\d{1,18}(\.\d{1,2})?$")
MAX_ERRORS_SHOWN = 20


@dataclass(frozen=True)
class Row:
    line: int
    number: str
    customer_name: str
    siren: str
    iban: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    currency: str
    rf_reference: str


@dataclass
class ImportResult:
    created: list[OpenItem] = field(default_factory=list)
    already: list[OpenItem] = field(default_factory=list)
    customers_created: list[Customer] = field(default_factory=list)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            _("%(column)s '%(value)s' is not an ISO date (YYYY-MM-DD)") % {"column": name, "value": value}
        ) from None


def _row(line: int, values: dict[str, str]) -> Row:
    for name in COLUMNS:
        if name not in OPTIONAL and not values.get(name):
            raise ValueError(_("%(column)s is empty") % {"column": name})
    amount_text = values["amount"]
    if not AMOUNT.match(amount_text):
        raise ValueError(
            _("amount '%(value)s' is not a positive amount with a dot and at most 2 decimals")
            % {"value": amount_text}
        )
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:  # pragma: no cover - the pattern above already refused it
        raise ValueError(_("amount '%(value)s' is not a number") % {"value": amount_text}) from None
    if amount <= 0:
        raise ValueError(_("amount must be above zero"))
    currency = values["currency"].upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise ValueError(_("currency '%(value)s' is not an ISO 4217 code") % {"value": values["currency"]})
    siren = re.sub(r"\s", "", values.get("customer_siren", ""))
    if siren and not stdnum_siren.is_valid(siren):
        raise ValueError(_("customer_siren '%(value)s' is not a valid SIREN") % {"value": siren})
    iban = ""
    if values.get("customer_iban"):
        try:
            iban = str(IBAN(values["customer_iban"]).compact)
        except ValueError:
            raise ValueError(
                _("customer_iban '%(value)s' is not a valid IBAN") % {"value": values["customer_iban"]}
            ) from None
    issue_date, due_date = _date(values["issue_date"], "issue_date"), _date(values["due_date"], "due_date")
    if due_date < issue_date:
        raise ValueError(_("due_date is before issue_date"))
    return Row(
        line=line, number=values["invoice_number"], customer_name=values["customer_name"], siren=siren, iban=iban,
        issue_date=issue_date, due_date=due_date, amount=amount, currency=currency,
        rf_reference=re.sub(r"\s", "", values.get("rf_reference", "")).upper()[:35],
    )  # fmt: skip


def _refuse(problems: list[str]) -> None:
    shown = problems[:MAX_ERRORS_SHOWN]
    more = len(problems) - len(shown)
    message = "; ".join(shown) + (_(" (and %(count)s more)") % {"count": more} if more else "")
    raise ValidationFailed(
        _("Nothing was imported: %(problems)s") % {"problems": message}, field="file", code=errors.BAD_IMPORT
    )


def parse_open_items(content: bytes | str, column_map: dict[str, str] | None = None) -> list[Row]:
    """Every row of the file, checked; a ValidationFailed naming each bad line (1 is the header)."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        _refuse([_("the file is empty")])
    names = [(column_map or {}).get(name.strip(), name.strip()) for name in header or []]
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        _refuse([_("line 1: missing columns %(names)s") % {"names": ", ".join(missing)}])
    rows, problems = [], []
    seen: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(names):
            problems.append(
                _("line %(line)s: %(count)s values for %(columns)s columns")
                % {"line": line, "count": len(values), "columns": len(names)}
            )
            continue
        try:
            row = _row(line, {name: value.strip() for name, value in zip(names, values, strict=True)})
        except ValueError as error:
            problems.append(_("line %(line)s: %(problem)s") % {"line": line, "problem": error})
            continue
        if row.number in seen:
            problems.append(
                _("line %(line)s: invoice %(number)s is already on line %(first)s")
                % {"line": line, "number": row.number, "first": seen[row.number]}
            )
            continue
        seen[row.number] = line
        rows.append(row)
    if problems:
        _refuse(problems)
    return rows


def _customer_for(entity: LegalEntity, row: Row, by: Actor, result: ImportResult) -> Customer:
    found = (
        Customer.objects.filter(entity=entity, siren=row.siren).order_by("created_at").first()
        if row.siren
        else Customer.objects.filter(entity=entity, name__iexact=row.customer_name)
        .order_by("created_at")
        .first()
    )
    if found is not None:
        existing: Customer = found
        return existing
    base = (
        f"IMP-{row.siren}" if row.siren else "IMP-" + re.sub(r"[^A-Z0-9]", "", row.customer_name.upper())[:20]
    )
    code, suffix = base, 1
    while Customer.objects.filter(entity=entity, code=code).exists():
        suffix += 1
        code = f"{base}-{suffix}"
    # Imported customers have no address yet: it is completed on the customer page before invoicing them.
    customer = Customer.objects.create(
        entity=entity, code=code, name=row.customer_name, siren=row.siren, currency=row.currency
    )
    audit_record(
        entity=entity, actor=by, action="customer.created", obj=customer, after=customer_state(customer)
    )
    result.customers_created.append(customer)
    return customer


def _remember_iban(entity: LegalEntity, customer: Customer, row: Row) -> None:
    if not row.iban:
        return
    account, _created = CustomerAccount.objects.get_or_create(
        entity=entity, iban=row.iban, defaults={"customer": customer}
    )
    if account.customer_id != customer.pk:
        raise ValidationFailed(
            _("Nothing was imported: line %(line)s: the IBAN %(iban)s is already another customer's")
            % {"line": row.line, "iban": row.iban},
            field="file", code=errors.BAD_IMPORT,
        )  # fmt: skip


@transaction.atomic
def open_items_import(
    *,
    entity: LegalEntity,
    content: bytes | str,
    by: Actor,
    filename: str = "",
    column_map: dict[str, str] | None = None,
) -> ImportResult:
    """Import the open items of a CSV file (see the module's docstring); all or nothing."""
    authorize(by, Action.RECORD_PAYMENT, entity)
    rows = parse_open_items(content, column_map)
    result = ImportResult()
    existing = {
        item.number: item
        for item in OpenItem.objects.filter(entity=entity, number__in=[r.number for r in rows])
    }
    for row in rows:
        customer = _customer_for(entity, row, by, result)
        _remember_iban(entity, customer, row)
        item = existing.get(row.number)
        if item is not None:
            if (item.amount, item.currency, item.customer_id) != (row.amount, row.currency, customer.pk):
                raise ValidationFailed(
                    _("Nothing was imported: line %(line)s: invoice %(number)s was imported before with another amount or customer")
                    % {"line": row.line, "number": row.number},
                    field="file", code=errors.BAD_IMPORT,
                )  # fmt: skip
            result.already.append(item)
            continue
        item = OpenItem.objects.create(
            entity=entity, customer=customer, number=row.number, issue_date=row.issue_date, due_date=row.due_date,
            amount=row.amount, currency=row.currency, rf_reference=row.rf_reference,
            source=f"{filename}:{row.line}"[:200],
        )  # fmt: skip
        audit_record(
            entity=entity, actor=by, action="open_item.imported", obj=item,
            after={"number": item.number, "customer": str(customer.pk), "amount": item.amount,
                   "currency": item.currency, "due_date": item.due_date},
        )  # fmt: skip
        result.created.append(item)
    return result
