"""Our invoices and credit notes as EN 16931 semantic invoices (the French CIUS: BR-FR rules).

One mapping feeds every syntax (CII/Factur-X, UBL) and the PDF. An issued document is mapped from
the seller and customer snapshots taken when it was issued, never from today's rows, so the XML of
an old invoice does not change when a customer moves. Drafts (previews) use the live rows.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from facturier.domain.en16931 import model as m
from facturier.domain.en16931.codes import (
    GUIDELINE_IDS,
    PaymentMeansCode,
    Profile,
    TaxPointDateCode,
)
from facturier.domain.payment_terms import parse_terms
from facturier.domain.tax import fr as fr_tax
from facturier.invoicing import en16931_parties as parties
from facturier.invoicing.en16931_parties import bar_treatment
from facturier.invoicing.en16931_parties import text as _text
from facturier.invoicing.models import Document, Line, OperationCategory, TypeCode
from facturier.invoicing.services.common import customer_snapshot, entity_today, seller_snapshot

__all__ = [
    "BUSINESS_PROCESS",
    "document_to_en16931",
    "einvoice_treatment",
    "notes_for",
    "snapshots_of",
    "states_vat_ids",
]

# BT-23 "cadre de facturation" (XP Z12-012): 1 = ordinary invoice, 4 = final invoice after deposits.
BUSINESS_PROCESS: dict[str, str] = {
    OperationCategory.GOODS: "B",
    OperationCategory.SERVICES: "S",
    OperationCategory.MIXED: "M",
}

_NOTE_TEXTS = {
    "PMT": {
        "fr": "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 €.",
        "en": "Fixed compensation for recovery costs in case of late payment: EUR 40.",
    },
    "PMD": {"fr": "Pénalités de retard : {}.", "en": "Late payment penalties: {}."},
}
_FRENCH_DEFAULTS_IN_ENGLISH = {
    "3 fois le taux d'intérêt légal": "three times the French legal interest rate",
    "Pas d'escompte pour paiement anticipé": "No discount for early payment",
}
_GENERIC_EXEMPTIONS = {
    "E": ("Exonération de TVA", "VAT exempt"),
    "Z": None,
    "S": None,
}


def snapshots_of(document: Document) -> tuple[dict[str, Any], dict[str, Any]]:
    """Seller and customer as they were at issue; live values for a document not issued yet."""
    seller = document.seller_snapshot or seller_snapshot(document.entity)
    customer = document.customer_snapshot or customer_snapshot(document)
    return seller, customer


def _lang(document: Document) -> str:
    return "en" if (document.language or "fr").lower().startswith("en") else "fr"


def _in(lang: str, text: str) -> str:
    return _FRENCH_DEFAULTS_IN_ENGLISH.get(text, text) if lang == "en" else text


def notes_for(document: Document, seller: dict[str, Any], customer: dict[str, Any]) -> tuple[m.Note, ...]:
    """Free note, then the French mandatory mentions (PMT, PMD, AAB) and the BAR treatment note."""
    lang = _lang(document)
    notes: list[m.Note] = []
    if _text(document.note):
        notes.append(m.Note(text=document.note.strip()))
    notes.append(m.Note(text=_NOTE_TEXTS["PMT"][lang], subject_code="PMT"))
    penalty = _in(lang, _text(seller.get("late_penalty_rate")) or "3 fois le taux d'intérêt légal")
    notes.append(m.Note(text=_NOTE_TEXTS["PMD"][lang].format(penalty), subject_code="PMD"))
    discount = _in(
        lang, _text(seller.get("early_payment_discount")) or "Pas d'escompte pour paiement anticipé"
    )
    notes.append(m.Note(text=discount, subject_code="AAB"))
    notes.append(m.Note(text=bar_treatment(customer), subject_code="BAR"))
    return tuple(notes)


def einvoice_treatment(category: str, customer: dict[str, Any], lang: str) -> tuple[str | None, str | None]:
    """(BT-121 VATEX code, BT-120 text) for a VAT category, from the customer's regime at issue."""
    if category in ("S", "Z"):
        return None, None
    regime = customer.get("vat_regime") or "domestic"
    reason = _text(customer.get("exemption_reason"))
    candidates: list[fr_tax.VatTreatment] = []
    if regime in fr_tax.REGIMES and regime != "domestic":
        for goods in (True, False):
            kwargs: dict[str, Any] = {}
            if regime == "exempt" and reason:
                kwargs = {"mention_fr": reason, "mention_en": reason}
            treatment = fr_tax.treatment_for_regime(regime, goods=goods, **kwargs)
            if treatment is not None:
                candidates.append(treatment)
    defaults = {
        "AE": fr_tax.REVERSE_CHARGE_SERVICES, "K": fr_tax.INTRA_COMMUNITY_SUPPLY, "G": fr_tax.EXPORT_OF_GOODS,
        "O": fr_tax.OUTSIDE_SCOPE,
    }  # fmt: skip
    if category in defaults:
        candidates.append(defaults[category])
    for treatment in candidates:
        if treatment.category == category:
            return treatment.exemption_code, treatment.mention_en if lang == "en" else treatment.mention_fr
    generic = _GENERIC_EXEMPTIONS.get(category)
    text = reason or (generic[1] if lang == "en" else generic[0]) if generic else reason
    return None, text or ("Exonération de TVA" if lang == "fr" else "VAT exempt")


def states_vat_ids(categories: set[str]) -> bool:
    """Whether the e-invoice carries the seller's and buyer's VAT identifiers (BT-31, BT-48).

    EN 16931 BR-O-02..04: a document with a line, allowance or charge "not subject to VAT" (O)
    carries neither; such a document has no other category (BR-O-11, refused at draft time). The
    printed invoice keeps the seller's VAT number (docs/vat-outside-scope.md).
    """
    return "O" not in categories


def _rate(category: str, rate: Decimal | str) -> Decimal | None:
    """Category O carries no rate (BR-O-05 and friends)."""
    return None if category == "O" else Decimal(str(rate))


def _trim(value: Decimal, places: int) -> Decimal:
    """Drop trailing zeros of a 6-decimal column, keeping at least ``places`` decimals (3.000000 -> 3)."""
    trimmed = value.normalize()
    exponent = int(trimmed.as_tuple().exponent)
    return value.quantize(Decimal(1).scaleb(min(exponent, -places) if exponent < 0 else -places))


def _line(line: Line, lang: str) -> m.InvoiceLine:
    gross = (line.quantity * line.unit_price).quantize(Decimal("0.01"))
    allowance = gross - line.net_amount
    allowances: tuple[m.AllowanceCharge, ...] = ()
    if line.discount_percent and allowance:
        allowances = (
            m.AllowanceCharge(
                amount=allowance, base_amount=gross, percentage=line.discount_percent,
                reason="Discount" if lang == "en" else "Remise", reason_code="95",
            ),
        )  # fmt: skip
    product = line.product
    return m.InvoiceLine(
        id=str(line.position),
        quantity=_trim(line.quantity, 0),
        unit_code=line.unit,
        net_amount=line.net_amount,
        allowances=allowances,
        price=m.PriceDetails(net_price=_trim(line.unit_price, 2)),
        vat_category_code=line.vat_category,
        vat_rate=_rate(line.vat_category, line.vat_rate),
        item=m.Item(name=line.description[:500], seller_id=product.sku if product is not None else None),
    )


def _document_allowances(
    document: Document, lines: list[Line]
) -> tuple[tuple[m.AllowanceCharge, ...], tuple[m.AllowanceCharge, ...]]:
    allowances: list[m.AllowanceCharge] = []
    charges: list[m.AllowanceCharge] = []
    for ac in document.allowances_charges.all():
        base = ac.base_amount
        if ac.percent is not None and base is None:
            base = sum(
                (ln.net_amount for ln in lines
                 if ln.vat_category == ac.vat_category and ln.vat_rate == ac.vat_rate),
                Decimal("0.00"),
            )  # fmt: skip
        item = m.AllowanceCharge(
            amount=ac.amount, base_amount=base if ac.percent is not None else None, percentage=ac.percent,
            vat_category_code=ac.vat_category, vat_rate=_rate(ac.vat_category, ac.vat_rate), reason=ac.reason,
        )  # fmt: skip
        (charges if ac.is_charge else allowances).append(item)
    return tuple(allowances), tuple(charges)


def _vat_breakdowns(document: Document, customer: dict[str, Any]) -> tuple[m.VatBreakdown, ...]:
    lang = _lang(document)
    result = []
    for row in document.vat_breakdown:
        code, text = einvoice_treatment(row["category"], customer, lang)
        result.append(
            m.VatBreakdown(
                taxable_amount=Decimal(row["taxable_amount"]), tax_amount=Decimal(row["tax_amount"]),
                category_code=row["category"], rate=_rate(row["category"], row["rate"]),
                exemption_reason=text, exemption_reason_code=code,
            )
        )  # fmt: skip
    return tuple(result)


def _delivery(document: Document, customer: dict[str, Any], categories: set[str]) -> m.Delivery | None:
    """Deliver-to address and date; required for intra-Community supplies (BR-IC-11, BR-IC-12)."""
    has_delivery_address = bool(_text(customer.get("delivery_line1")) or _text(customer.get("delivery_city")))
    if not has_delivery_address and document.delivery_date is None and "K" not in categories:
        return None
    if has_delivery_address:
        address = parties.address(customer.get("delivery_line1"), customer.get("delivery_line2"),
                           customer.get("delivery_postcode"), customer.get("delivery_city"),
                           customer.get("delivery_country") or customer.get("country"))  # fmt: skip
    else:
        address = parties.address(customer.get("address_line1"), customer.get("address_line2"), customer.get("postcode"),
                           customer.get("city"), customer.get("country"))  # fmt: skip
    day = document.delivery_date or (document.issue_date if "K" in categories else None)
    return m.Delivery(party_name=customer.get("name") or None, actual_delivery_date=day, address=address)


def _payment(document: Document, seller: dict[str, Any], number: str) -> m.PaymentInstructions | None:
    """SEPA credit transfer (58) to the seller's IBAN; credit notes carry no payment instructions."""
    if document.is_credit_note:
        return None
    iban = _text(seller.get("iban"))
    if not iban:
        return None
    return m.PaymentInstructions(
        means_code=PaymentMeansCode.SEPA_CREDIT_TRANSFER.value,
        remittance_information=number,
        credit_transfers=(
            m.CreditTransfer(
                account_id=iban.replace(" ", ""),
                account_name=_text(seller.get("name")),
                service_provider_id=_text(seller.get("bic")),
            ),
        ),  # fmt: skip
    )


def _preceding(document: Document) -> tuple[m.PrecedingInvoiceReference, ...]:
    """BG-3: the invoice a credit note or corrective invoice corrects, and the deposits a final invoice deducts."""
    refs: list[Document] = []
    if document.preceding_invoice is not None:
        refs.append(document.preceding_invoice)
    if document.pk and "deposits" in getattr(document, "_prefetched_objects_cache", {}):
        refs += list(document.deposits.all())  # prefetched by issuing, in this same order
    elif document.pk:
        refs += list(document.deposits.order_by("issue_date", "number"))
    return tuple(
        m.PrecedingInvoiceReference(number=ref.number, issue_date=ref.issue_date)
        for ref in refs
        if ref.number
    )


def _payment_terms_text(document: Document, lang: str) -> str | None:
    try:
        return parse_terms(document.payment_terms).describe(lang)
    except ValueError:
        return _text(document.payment_terms)


def _lines(document: Document) -> list[Line]:
    """The lines with their products: those prefetched by issuing (``prefetch_for_issue``), else read."""
    if "lines" in getattr(document, "_prefetched_objects_cache", {}):
        return list(document.lines.all())
    return list(document.lines.select_related("product").all())


def document_to_en16931(document: Document) -> m.Invoice:
    """The EN 16931 invoice (or credit note) of ``document``, as issued (or as it would be issued)."""
    seller, customer = snapshots_of(document)
    lang = _lang(document)
    lines = _lines(document)
    issue_date = document.issue_date or entity_today(document.entity)  # a preview of a draft
    number = document.number or "DRAFT"
    # a final invoice after deposits (S4/B4/M4); an amount withheld without deposits (a construction
    # retention guarantee, docs/construction.md) is also BT-113 but the invoice stays an ordinary one
    has_deposits = bool(document.pk) and document.prepaid > 0 and document.deposits.exists()
    process = BUSINESS_PROCESS.get(document.operation_category, "S") + ("4" if has_deposits else "1")
    accounting_currency = (document.entity.default_currency or "EUR").upper()
    foreign = document.currency.upper() != accounting_currency
    allowances, charges = _document_allowances(document, lines)
    # the VAT categories of lines, allowances and charges alike (BR-O-02..04, BR-IC-11/12 look at all)
    categories = {line.vat_category for line in lines} | {
        ac.vat_category_code for ac in allowances + charges if ac.vat_category_code
    }
    with_vat_ids = states_vat_ids(categories)
    tax_point_code = (
        TaxPointDateCode.INVOICE_DATE.value
        if document.vat_on_debits and document.operation_category != OperationCategory.GOODS
        else None
    )
    return m.Invoice(
        number=number,
        issue_date=issue_date,
        type_code=document.type_code or TypeCode.COMMERCIAL,
        currency_code=document.currency.upper(),
        tax_currency_code=accounting_currency if foreign else None,
        tax_point_date_code=tax_point_code,
        due_date=document.due_date,
        # Chorus Pro reads the public buyer's service code in BT-10
        buyer_reference=_text(document.buyer_reference) or _text(customer.get("service_code")),
        purchase_order_reference=_text(document.purchase_order_reference),
        payment_terms=_payment_terms_text(document, lang),
        notes=notes_for(document, seller, customer),
        business_process_type=process,
        specification_identifier=GUIDELINE_IDS[Profile.EN16931],
        preceding_invoices=_preceding(document),
        seller=parties.seller(seller, lang, with_vat_id=with_vat_ids),
        buyer=parties.buyer(customer, with_vat_id=with_vat_ids),
        delivery=_delivery(document, customer, categories),
        payment_instructions=_payment(document, seller, number),
        allowances=allowances,
        charges=charges,
        totals=m.DocumentTotals(
            line_net_total=document.line_total,
            allowance_total=document.allowance_total if allowances else None,
            charge_total=document.charge_total if charges else None,
            tax_exclusive_total=document.tax_exclusive,
            tax_total=document.tax_total,
            tax_total_accounting_currency=document.tax_total_accounting if foreign else None,
            tax_inclusive_total=document.tax_inclusive,
            prepaid_amount=document.prepaid if document.prepaid else None,
            amount_due=document.payable,
        ),
        vat_breakdowns=_vat_breakdowns(document, customer),
        lines=tuple(_line(line, lang) for line in lines),
    )
