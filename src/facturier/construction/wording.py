"""The words a situation invoice carries, in the customer's language: they are what the PDF and the
e-invoice show of the progress (each line's cumulative, previous and current amounts) and of the retention."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _

from facturier.domain.construction.progress import progress_ratio

if TYPE_CHECKING:
    from facturier.construction.models import ConstructionContract, Situation, SituationLine


def percent_of(row: SituationLine) -> Decimal:
    """The cumulative progress of a situation line as a percentage (two decimals, for reading)."""
    ratio = progress_ratio(quantity=row.line.quantity, percent=row.percent, done=row.quantity_done)
    return (Decimal(ratio.numerator) * 100 / Decimal(ratio.denominator)).quantize(Decimal("0.01"))


def line_description(row: SituationLine, currency: str, language: str) -> str:
    with translation.override(language):
        text = _(
            "%(line)s — cumulative %(percent)s %%: %(cumulative)s %(currency)s; previously invoiced: "
            "%(previous)s %(currency)s; this situation: %(amount)s %(currency)s"
        ) % {
            "line": f"{row.line.position}. {row.line.description}", "percent": percent_of(row),
            "cumulative": row.cumulative, "previous": row.previous, "amount": row.amount, "currency": currency,
        }  # fmt: skip
    return text[:500]


def invoice_note(
    contract: ConstructionContract, situation: Situation, retention: Decimal, withheld: Decimal, language: str
) -> str:
    with translation.override(language):
        parts = [
            _(
                "Progress invoice (situation) no. %(number)s of contract %(reference)s — %(name)s, statement of %(date)s."
            )
            % {
                "number": situation.number,
                "reference": contract.reference,
                "name": contract.name,
                "date": situation.date.isoformat(),
            },  # fmt: skip
        ]
        if situation.correction:
            parts.append(_("This situation corrects the progress of the previous ones."))
        if contract.bank_guarantee_reference:
            parts.append(_("No retention guarantee: replaced by the bank guarantee %(reference)s.")
                         % {"reference": contract.bank_guarantee_reference})  # fmt: skip
        else:
            parts.append(
                _(
                    "Retention guarantee (law 71-584 of 16 July 1971) %(rate)s %% of the amount including VAT: "
                    "%(retention)s %(currency)s withheld from the amount due (total withheld on this contract: "
                    "%(withheld)s %(currency)s), released after the guarantee period; VAT is due on the full amount."
                )
                % {
                    "rate": contract.retention_rate,
                    "retention": retention,
                    "withheld": withheld,
                    "currency": contract.currency,
                }  # fmt: skip
            )
    return "\n".join(parts)
