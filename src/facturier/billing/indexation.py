"""Price indexation: a yearly revision of a contract's prices by a formula on an index (Syntec: P1 = P0 × S1/S0).

An index series (`IndexSeries`) holds its published values (`IndexValue`, entered or imported from CSV).
A contract following an index has a `revision_date`; an item with an `index_base` (S0, the value its price
was set at) is indexed. On the revision date the billing run, in the contract's chunk and before it
computes what is due, changes the price like any change (`contract_change`: the old item ends that day, a
new one starts at P0 × S1/S0, its base becomes S1), so the past keeps its price, a revision inside a billed
period is prorated like an upgrade, and the invoice line says "indexed Syntec 310.5/302.1". S1 is the
latest value published on or before the revision date; none: the contract is reported (`index_value_missing`)
and not billed until the value is entered.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.billing import errors
from facturier.billing.models import ChangeKind, Contract, ContractItem, IndexSeries, IndexValue
from facturier.common.errors import ValidationFailed

MARK = " — "
"""Separates an item's own description from its indexation note (replaced at each revision)."""


class IndexValueMissing(ValidationFailed):
    pass


def index_value_at(series: IndexSeries, day: dt.date) -> IndexValue | None:
    """The latest value published on or before ``day``."""
    return series.values.filter(date__lte=day).order_by("-date").first()


@transaction.atomic
def index_series_create(*, entity: LegalEntity, by: Actor, code: str, name: str = "") -> IndexSeries:
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="contracts")
    code = code.strip()
    if not code:
        raise ValidationFailed(_("An index needs a code."), field="code", code="required")
    series, _created = IndexSeries.objects.get_or_create(
        entity=entity, code=code, defaults={"name": name or code}
    )
    audit_record(entity=entity, actor=by, action="index.values_recorded", obj=series,
                 after={"code": series.code, "values": 0})  # fmt: skip
    return series


@transaction.atomic
def index_values_record(*, series: IndexSeries, by: Actor, values: list[tuple[dt.date, Decimal]]) -> int:
    """Enter or correct values (one per date: a date given again replaces its value)."""
    authorize(by, Action.EDIT_DOCUMENTS, series.entity, resource="contracts")
    for day, value in values:
        if value <= 0:
            raise ValidationFailed(_("An index value is positive."), field="value", code="invalid_amount")
        IndexValue.objects.update_or_create(series=series, date=day, defaults={"value": value})
    audit_record(entity=series.entity, actor=by, action="index.values_recorded", obj=series,
                 after={"code": series.code, "values": len(values)})  # fmt: skip
    return len(values)


def parse_csv(text: str) -> list[tuple[dt.date, Decimal]]:
    """``date,value`` (or ``;``), one per line, an optional header; a decimal comma is accepted."""
    dialect = ";" if text.count(";") > text.count(",") - text.count('"') else ","
    rows: list[tuple[dt.date, Decimal]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=dialect), start=1):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 2:
            raise ValidationFailed(_("Line %(line)s: a date and a value are expected.") % {"line": number},
                                   field="file", code="invalid_csv")  # fmt: skip
        try:
            day = dt.date.fromisoformat(row[0].strip())
            value = Decimal(row[1].strip().replace(",", "."))
        except (ValueError, InvalidOperation):
            if number == 1:
                continue  # the header
            raise ValidationFailed(_("Line %(line)s: a date (YYYY-MM-DD) and a value are expected.")
                                   % {"line": number}, field="file", code="invalid_csv") from None  # fmt: skip
        rows.append((day, value))
    return rows


def _described(item: ContractItem, series: IndexSeries, new: Decimal) -> str:
    own = item.description.split(MARK)[0]
    note = _("indexed %(index)s %(new)s/%(old)s") % {
        "index": series.code, "new": _plain(new), "old": _plain(item.index_base or Decimal(0))}  # fmt: skip
    return f"{own}{MARK}{note}"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def revisions_due(contract: Contract, day: dt.date) -> bool:
    return (
        contract.index_series_id is not None
        and contract.revision_date is not None
        and contract.revision_date <= day
    )


def apply_revisions(contract: Contract, day: dt.date, by: Actor) -> list[str]:
    """Apply every revision due by ``day`` (caller's transaction); returns what changed, for the record."""
    from facturier.billing.services import ItemData, contract_change

    applied: list[str] = []
    while revisions_due(contract, day) and contract.status == "active":
        series, when = contract.index_series, contract.revision_date
        assert series is not None
        assert when is not None
        found = index_value_at(series, when)
        if found is None:
            raise IndexValueMissing(
                _("No %(index)s value published on or before %(date)s: enter it to bill this contract.")
                % {"index": series.code, "date": when}, field="index", code=errors.INDEX_MISSING,
            )  # fmt: skip
        in_force = contract.items.filter(index_base__isnull=False, start_date__lte=when).exclude(
            end_date__lte=when
        )
        for item in in_force:
            assert item.index_base is not None
            price = (item.unit_price * found.value / item.index_base).quantize(
                Decimal("0.000001"), ROUND_HALF_UP
            )
            new = ItemData(
                description=_described(item, series, found.value), quantity=item.quantity, unit_price=price,
                pricing_model=item.pricing_model, tiers=item.tiers, product=item.product, unit=item.unit,
                vat_category=item.vat_category, vat_rate=item.vat_rate,
            )  # fmt: skip
            change = contract_change(contract=contract, by=by, effective_date=when, item=item, new=new,
                                     kind=ChangeKind.PRICE)  # fmt: skip
            assert change.new_item is not None
            ContractItem.objects.filter(pk=change.new_item.pk).update(index_base=found.value)
            applied.append(f"{item.pk}:{item.unit_price}->{price}")
        contract.revision_date = when + relativedelta(years=1)
        Contract.objects.filter(pk=contract.pk).update(revision_date=contract.revision_date)
    return applied
