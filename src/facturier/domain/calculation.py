"""Invoice totals exactly as EN 16931 computes them (BR-CO-10 to BR-CO-17 and the VAT category rules).

The rounding policy is the one the standard's validators check:

* each line net amount (BT-131) is rounded to the cent on its own line;
* VAT is computed once per (category, rate) on the category's taxable amount (BT-116), never per
  line, then rounded (BR-CO-17, BR-S-09...). Summing per-line VAT would drift by a cent or more
  on invoices with many lines and fail the official schematron;
* every document total is a plain sum or difference of amounts that are already rounded, so the
  totals reconcile to the cent (BR-CO-10 to BR-CO-16).

Everything here is pure arithmetic on Decimal: no I/O, no currency (the caller validates it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from facturier.domain.money import TWO_PLACES, check_amount, round_amount

__all__ = [
    "VAT_CATEGORIES",
    "ZERO_RATE_CATEGORIES",
    "CalculationError",
    "DocumentAllowanceCharge",
    "LineInput",
    "LineResult",
    "Totals",
    "VatBreakdown",
    "compute_totals",
    "line_net_amount",
]

# UNCL 5305 subset used by EN 16931 (BT-118 / BT-151).
VAT_CATEGORIES: frozenset[str] = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})
# Categories whose rate must be 0 (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05; for O the
# standard forbids a rate, which we carry as 0).
ZERO_RATE_CATEGORIES: frozenset[str] = frozenset({"Z", "E", "AE", "K", "G", "O"})

_HUNDRED = Decimal(100)
_ZERO = Decimal(0)
# Enough digits that quantity * price / base never loses precision before the final rounding
# (14 integer digits + 6 decimals on both sides fit comfortably).
_PRECISION = 60


class CalculationError(ValueError):
    """The inputs cannot form a valid EN 16931 invoice (unknown category, wrong rate, bad base...)."""


@dataclass(frozen=True)
class LineInput:
    """One invoice line as the calculation needs it; quantities may be negative (credit lines)."""

    quantity: Decimal
    unit_price: Decimal  # net unit price (BT-146), up to 6 decimals
    vat_category: str  # S, Z, E, AE, K, G, O, L, M
    vat_rate: Decimal  # percent, e.g. Decimal("20.00"); 0 for Z/E/AE/K/G/O
    discount_percent: Decimal = Decimal("0")  # line allowance as a percent of quantity * price
    price_base_quantity: Decimal = Decimal("1")  # BT-149


@dataclass(frozen=True)
class DocumentAllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21), given as an amount or a percent of a base.

    When only ``percent`` is given, the base is the sum of the line net amounts of the same VAT
    category and rate.
    """

    is_charge: bool
    amount: Decimal | None
    percent: Decimal | None = None
    base_amount: Decimal | None = None
    vat_category: str = "S"
    vat_rate: Decimal = Decimal("20.00")
    reason: str = ""


@dataclass(frozen=True)
class LineResult:
    """Rounded amounts of one line: net (BT-131) = gross - allowance."""

    net_amount: Decimal
    gross_amount: Decimal
    allowance_amount: Decimal


@dataclass(frozen=True)
class VatBreakdown:
    """One VAT breakdown (BG-23): taxable amount BT-116 and VAT amount BT-117 of a category and rate."""

    category: str
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal


@dataclass(frozen=True)
class Totals:
    """Document totals (BG-22) with the lines, document allowances/charges and VAT breakdown they come from."""

    lines: tuple[LineResult, ...]
    allowances: tuple[Decimal, ...]
    charges: tuple[Decimal, ...]
    line_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115
    vat_breakdown: tuple[VatBreakdown, ...]  # sorted by (category, rate)
    tax_total_accounting: Decimal | None  # BT-111, only when an exchange rate is given


_VatKey = tuple[str, Decimal]


def _normalize_rate(rate: Decimal) -> Decimal:
    """Give equal rates one spelling (20 and 20.000 -> 20.00) so they share one breakdown."""
    if rate == rate.quantize(TWO_PLACES):
        return rate.quantize(TWO_PLACES)
    return rate.normalize()


def _vat_key(category: str, rate: Decimal, where: str) -> _VatKey:
    """Check a VAT category and rate against EN 16931 and return the breakdown key they belong to."""
    if category not in VAT_CATEGORIES:
        known = ", ".join(sorted(VAT_CATEGORIES))
        raise CalculationError(f"{where}: unknown VAT category {category!r} (expected one of {known}).")
    if not rate.is_finite() or rate < 0:
        raise CalculationError(f"{where}: VAT rate {rate} must be a percentage >= 0.")
    if category in ZERO_RATE_CATEGORIES and rate != 0:
        raise CalculationError(f"{where}: VAT category {category} requires a VAT rate of 0, got {rate}.")
    if category == "S" and rate == 0:
        raise CalculationError(f"{where}: VAT category S (standard) requires a rate above 0 (BR-S-05).")
    return category, _normalize_rate(rate)


def _percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """round2(amount * percent / 100), computed without intermediate precision loss."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return round_amount(amount * percent / _HUNDRED)


def _in_accounting_currency(amount: Decimal, exchange_rate: Decimal) -> Decimal:
    """round2(amount * exchange_rate): an amount converted to the accounting currency (BT-111)."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return round_amount(amount * exchange_rate)


def _line_amounts(line: LineInput, where: str = "line") -> LineResult:
    if not line.price_base_quantity.is_finite() or line.price_base_quantity <= 0:
        raise CalculationError(
            f"{where}: price base quantity (BT-149) must be greater than 0, got {line.price_base_quantity}."
        )
    if not line.discount_percent.is_finite() or not 0 <= line.discount_percent <= _HUNDRED:
        raise CalculationError(
            f"{where}: discount percent must be between 0 and 100, got {line.discount_percent}."
        )
    if not (line.quantity.is_finite() and line.unit_price.is_finite()):
        raise CalculationError(f"{where}: quantity and unit price must be finite numbers.")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        gross = round_amount(line.quantity * line.unit_price / line.price_base_quantity)
    allowance = _percent_of(gross, line.discount_percent)
    return LineResult(net_amount=gross - allowance, gross_amount=gross, allowance_amount=allowance)


def line_net_amount(line: LineInput) -> Decimal:
    """Line net amount (BT-131): round2(qty * price / base) - round2(that * discount / 100)."""
    return _line_amounts(line).net_amount


def _document_amount(
    ac: DocumentAllowanceCharge, category_bases: dict[_VatKey, Decimal], key: _VatKey, where: str
) -> Decimal:
    """Amount of a document allowance/charge: given, or percent of its base (explicit or category net)."""
    if ac.amount is not None:
        if not ac.amount.is_finite():
            raise CalculationError(f"{where}: amount must be a finite number, got {ac.amount}.")
        return round_amount(ac.amount)
    if ac.percent is None:
        raise CalculationError(f"{where}: give either an amount or a percent.")
    if not ac.percent.is_finite():
        raise CalculationError(f"{where}: percent must be a finite number, got {ac.percent}.")
    base = ac.base_amount if ac.base_amount is not None else category_bases.get(key, _ZERO)
    if not base.is_finite():
        raise CalculationError(f"{where}: base amount must be a finite number, got {base}.")
    return _percent_of(base, ac.percent)


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, start=_ZERO).quantize(TWO_PLACES)


def compute_totals(
    lines: Sequence[LineInput],
    allowances_charges: Sequence[DocumentAllowanceCharge] = (),
    *,
    prepaid: Decimal = Decimal("0"),
    rounding: Decimal = Decimal("0"),
    exchange_rate: Decimal | None = None,
) -> Totals:
    """Compute line amounts, document totals and the VAT breakdown of an invoice or credit note.

    ``exchange_rate`` is the number of accounting-currency units per one document-currency unit;
    when given, the VAT total is also expressed in the accounting currency (BT-111).
    Raises CalculationError (a ValueError) for inputs EN 16931 does not allow; ``prepaid`` and
    ``rounding`` must already be amounts with at most two decimals (AmountPrecisionError otherwise).
    """
    check_amount(prepaid, field="prepaid amount (BT-113)")
    check_amount(rounding, field="rounding amount (BT-114)")
    if exchange_rate is not None and (not exchange_rate.is_finite() or exchange_rate <= 0):
        raise CalculationError(f"exchange rate must be greater than 0, got {exchange_rate}.")

    taxable: dict[_VatKey, Decimal] = {}
    line_results: list[LineResult] = []
    for index, line in enumerate(lines, start=1):
        where = f"line {index}"
        key = _vat_key(line.vat_category, line.vat_rate, where)
        result = _line_amounts(line, where)
        line_results.append(result)
        taxable[key] = taxable.get(key, _ZERO) + result.net_amount

    line_bases = dict(taxable)  # percent allowances/charges apply to line nets only
    allowances: list[Decimal] = []
    charges: list[Decimal] = []
    for index, ac in enumerate(allowances_charges, start=1):
        where = f"document {'charge' if ac.is_charge else 'allowance'} {index}"
        key = _vat_key(ac.vat_category, ac.vat_rate, where)
        amount = _document_amount(ac, line_bases, key, where)
        (charges if ac.is_charge else allowances).append(amount)
        taxable[key] = taxable.get(key, _ZERO) + (amount if ac.is_charge else -amount)

    breakdown = tuple(
        VatBreakdown(
            category=category,
            rate=rate,
            taxable_amount=amount.quantize(TWO_PLACES),
            tax_amount=_percent_of(amount, rate),
        )
        for (category, rate), amount in sorted(taxable.items())
    )

    line_total = _sum(r.net_amount for r in line_results)
    allowance_total = _sum(allowances)
    charge_total = _sum(charges)
    tax_exclusive = line_total - allowance_total + charge_total
    tax_total = _sum(b.tax_amount for b in breakdown)
    tax_inclusive = tax_exclusive + tax_total
    prepaid_amount = prepaid.quantize(TWO_PLACES)
    rounding_amount = rounding.quantize(TWO_PLACES)
    return Totals(
        lines=tuple(line_results),
        allowances=tuple(allowances),
        charges=tuple(charges),
        line_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        tax_total=tax_total,
        tax_inclusive=tax_inclusive,
        prepaid=prepaid_amount,
        rounding=rounding_amount,
        payable=tax_inclusive - prepaid_amount + rounding_amount,
        vat_breakdown=breakdown,
        tax_total_accounting=(
            _in_accounting_currency(tax_total, exchange_rate) if exchange_rate is not None else None
        ),
    )
