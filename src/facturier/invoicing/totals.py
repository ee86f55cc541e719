"""Recomputing a document's line amounts and totals with the pure EN 16931 calculation."""

from itertools import chain

from facturier.domain.calculation import DocumentAllowanceCharge, LineInput, Totals, compute_totals
from facturier.invoicing.models import AllowanceCharge, Document, Line, OperationCategory


def totals_of(document: Document) -> Totals:
    return _compute(document, list(document.lines.all()), list(document.allowances_charges.all()))


def _compute(document: Document, lines: list[Line], allowances_charges: list[AllowanceCharge]) -> Totals:
    return compute_totals(
        [
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
                discount_percent=line.discount_percent,
            )
            for line in lines
        ],
        [
            DocumentAllowanceCharge(
                is_charge=ac.is_charge,
                amount=None if ac.percent is not None else ac.amount,
                percent=ac.percent,
                base_amount=ac.base_amount,
                vat_category=ac.vat_category,
                vat_rate=ac.vat_rate,
                reason=ac.reason,
            )
            for ac in allowances_charges
        ],
        prepaid=document.prepaid,
        exchange_rate=document.exchange_rate,
    )


def apply_totals(document: Document) -> Totals:
    """Write line net amounts, allowance/charge amounts and document totals of a saved document, read
    from the database: the changed lines and allowances/charges are saved; the caller saves the document."""
    lines = list(document.lines.all())
    allowances_charges = list(document.allowances_charges.all())
    before = [line.net_amount for line in lines], [ac.amount for ac in allowances_charges]
    totals = set_totals(document, lines, allowances_charges)
    for line, net_amount in zip(lines, before[0], strict=True):
        if line.net_amount != net_amount:
            line.save(update_fields=["net_amount"])
    for ac, amount in zip(allowances_charges, before[1], strict=True):
        if ac.amount != amount:
            ac.save(update_fields=["amount"])
    return totals


def set_totals(document: Document, lines: list[Line], allowances_charges: list[AllowanceCharge]) -> Totals:
    """Compute the totals of ``document`` from ``lines`` and ``allowances_charges`` (their values as their
    columns hold them) and set them: line net amounts, allowance/charge amounts, document totals. Nothing
    is saved. The one calculation of every draft (EN 16931: each line rounded, then per VAT category),
    whether its rows were read back (`apply_totals`) or are about to be inserted (`services.drafts`)."""
    totals = _compute(document, lines, allowances_charges)
    for line, result in zip(lines, totals.lines, strict=True):
        line.net_amount = result.net_amount
    allowances = [ac for ac in allowances_charges if not ac.is_charge]
    charges = [ac for ac in allowances_charges if ac.is_charge]
    for ac, amount in chain(
        zip(allowances, totals.allowances, strict=True), zip(charges, totals.charges, strict=True)
    ):
        ac.amount = amount
    document.line_total = totals.line_total
    document.allowance_total = totals.allowance_total
    document.charge_total = totals.charge_total
    document.tax_exclusive = totals.tax_exclusive
    document.tax_total = totals.tax_total
    document.tax_inclusive = totals.tax_inclusive
    document.payable = totals.payable
    document.tax_total_accounting = totals.tax_total_accounting
    document.vat_breakdown = [
        {
            "category": vat.category,
            "rate": format(vat.rate, "f"),
            "taxable_amount": format(vat.taxable_amount, "f"),
            "tax_amount": format(vat.tax_amount, "f"),
        }
        for vat in totals.vat_breakdown
    ]
    document.operation_category = operation_category_of(lines)
    return totals


def operation_category_of(lines: list[Line]) -> str:
    categories = {line.accounting_category for line in lines}
    if categories == {"goods"}:
        return OperationCategory.GOODS
    if "goods" in categories:
        return OperationCategory.MIXED
    return OperationCategory.SERVICES
