"""What a printed document shows, as plain strings: the JSON the Typst template lays out.

Numbers, dates and legal wording are formatted here in the document's language, so the
template stays a layout and the content is testable without a PDF.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_currency

from facturier.accounts.models import LegalEntity
from facturier.documents.formatting import Formatter, address_lines, breakable, group_iban, is_hex_colour
from facturier.documents.labels import country_label, labels_for, unit_label, vat_category_label
from facturier.documents.mentions import exemption_mention, legal_footer, payment_mentions
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing.models import Document, Kind, TypeCode

# Column widths of the lines table in mm (0 = the rest): fixed widths lay out much faster than auto.
_WIDTHS_MM = {
    "position": 7, "description": 0, "quantity": 15, "unit": 13, "unit_price": 23, "discount": 15,
    "vat_rate": 14, "net": 25,
}  # fmt: skip
_SELLER_FIELDS = (
    "name", "legal_form", "share_capital", "siren", "siret", "vat_number", "rcs", "address_line1",
    "address_line2", "postcode", "city", "country", "email", "phone", "iban", "bic",
    "late_penalty_rate", "early_payment_discount",
)  # fmt: skip
_BUYER_FIELDS = (
    "code", "name", "kind", "siren", "siret", "vat_number", "registration_id", "address_line1",
    "address_line2", "postcode", "city", "country", "delivery_line1", "delivery_line2",
    "delivery_postcode", "delivery_city", "delivery_country", "vat_regime", "exemption_reason",
)  # fmt: skip


def language_of(document: Document) -> str:
    return "en" if (document.language or "fr")[:2].lower() == "en" else "fr"


def _seller(document: Document) -> dict[str, str]:
    snapshot = document.seller_snapshot or {}
    entity: LegalEntity = document.entity
    values = {name: str(snapshot.get(name, getattr(entity, name, "")) or "") for name in _SELLER_FIELDS}
    if values["share_capital"] in {"None", ""}:
        values["share_capital"] = ""
    return values


def _buyer(document: Document) -> dict[str, str]:
    """The customer as snapshotted at issue; the live record only for drafts (saves a query)."""
    snapshot = document.customer_snapshot or {}
    if all(name in snapshot for name in _BUYER_FIELDS):
        return {name: str(snapshot[name] or "") for name in _BUYER_FIELDS}
    customer = document.customer
    return {name: str(snapshot.get(name, getattr(customer, name, "")) or "") for name in _BUYER_FIELDS}


def title_of(document: Document, labels: dict[str, str]) -> str:
    if document.kind == Kind.QUOTE:
        return labels["quote"]
    if document.kind == Kind.ORDER:
        return labels["order"]
    titles = {
        TypeCode.CREDIT_NOTE.value: labels["credit_note"],
        TypeCode.DEPOSIT.value: labels["deposit"],
        TypeCode.CORRECTIVE.value: labels["corrective"],
    }
    return titles.get(str(document.type_code), labels["invoice"])


def _seller_identity(seller: dict[str, str], labels: dict[str, str], fmt: Formatter) -> list[list[str]]:
    ids = []
    if seller["siret"] or seller["siren"]:
        key = "siret" if seller["siret"] else "siren"
        ids.append([labels[key], seller[key]])
    if seller["vat_number"]:
        ids.append([labels["vat_number"], seller["vat_number"]])
    contact = " · ".join(value for value in (seller["email"], seller["phone"]) if value)
    if contact:
        ids.append(["", contact])
    return ids


def _lines(document: Document, labels: dict[str, str], fmt: Formatter) -> dict[str, Any]:
    lines = list(document.lines.all())
    with_discount = any(line.discount_percent for line in lines)
    headers = ["position", "description", "quantity", "unit", "unit_price"]
    headers += ["discount"] if with_discount else []
    headers += ["vat_rate", "net"]
    rows = []
    for line in lines:
        row = [str(line.position), breakable(line.description), fmt.number(line.quantity), unit_label(line.unit, fmt.language),
               fmt.money(line.unit_price) if line.unit_price == line.unit_price.quantize(Decimal("0.01"))
               else f"{fmt.number(line.unit_price, min_places=2)}"]  # fmt: skip
        if with_discount:
            row.append(fmt.rate(line.discount_percent) if line.discount_percent else "")
        row.append(labels["no_vat_rate"] if line.vat_category == "O" else fmt.rate(line.vat_rate))
        row.append(fmt.money(line.net_amount))
        rows.append(row)
    return {
        "line_headers": [labels[key] for key in headers],
        "line_widths": [_WIDTHS_MM[key] for key in headers],
        "line_align": ["l" if key in {"position", "description", "unit"} else "r" for key in headers],
        "lines": rows,
    }


def _vat(document: Document, buyer: dict[str, str], fmt: Formatter) -> list[dict[str, str]]:
    rows = []
    for vat in document.vat_breakdown or []:
        category = vat["category"]
        rate = fmt.rate(vat["rate"]) if category != "O" else ""
        name = (
            vat_category_label(category, fmt.language) if category != "S" else ""
        )  # "Autoliquidation", not "AE"
        label = " ".join(part for part in (rate, f"({name})" if name else "") if part)
        rows.append({
            "label": label, "base": fmt.money(vat["taxable_amount"]), "amount": fmt.money(vat["tax_amount"]),
            "mention": exemption_mention(category, buyer["vat_regime"], buyer["exemption_reason"], fmt.language),
        })  # fmt: skip
    return rows


def _totals(document: Document, labels: dict[str, str], fmt: Formatter) -> list[list[Any]]:
    rows: list[list[Any]] = []
    allowances_charges = list(document.allowances_charges.all())
    if allowances_charges:
        rows.append([labels["line_total"], fmt.money(document.line_total), False])
        for item in allowances_charges:
            sign = "" if item.is_charge else "−"
            kind = labels["charge" if item.is_charge else "allowance"]
            rows.append([f"{kind} : {item.reason}" if fmt.language == "fr" else f"{kind}: {item.reason}",
                         f"{sign}{fmt.money(item.amount)}", False])  # fmt: skip
    rows.append([labels["tax_exclusive"], fmt.money(document.tax_exclusive), False])
    rows.append([labels["tax_total"], fmt.money(document.tax_total), False])
    home = document.entity.default_currency
    if document.currency != home and document.tax_total_accounting is not None:
        # CGI art. 242 nonies A: VAT stated in a foreign currency is also given in euros (BT-111)
        rate = fmt.number(document.exchange_rate or Decimal(0))
        label = labels["vat_accounting"].format(currency=home, rate=rate)
        amount = format_currency(document.tax_total_accounting, home, locale=fmt.locale)
        rows.append([label, amount, False])
    is_invoice = document.kind == Kind.INVOICE
    rows.append([labels["tax_inclusive"], fmt.money(document.tax_inclusive), not is_invoice])
    if document.prepaid:
        for deposit in document.deposits.all().order_by("issue_date"):
            rows.append(
                [
                    f"{labels['deposit_deducted']} {deposit.number}",
                    f"−{fmt.money(deposit.tax_inclusive)}",
                    False,
                ]
            )
        rows.append([labels["prepaid"], f"−{fmt.money(document.prepaid)}", False])
    if is_invoice:
        label = labels["credit_payable"] if document.is_credit_note else labels["payable"]
        rows.append([label, fmt.money(document.payable), True])
    return rows


def _meta(document: Document, labels: dict[str, str], fmt: Formatter) -> list[list[str]]:
    rows = [[labels["issue_date"], fmt.date(document.issue_date)]]
    if document.kind == Kind.QUOTE and document.valid_until:
        rows.append([labels["valid_until"], fmt.date(document.valid_until)])
    if document.kind == Kind.INVOICE and document.due_date and not document.is_credit_note:
        rows.append([labels["due_date"], fmt.date(document.due_date)])
    if document.delivery_date:
        rows.append([labels["delivery_date"], fmt.date(document.delivery_date)])
    if document.kind == Kind.INVOICE:
        rows.append(
            [labels["operation"], labels.get(document.operation_category, document.operation_category)]
        )
    if document.buyer_reference:
        rows.append([labels["buyer_reference"], document.buyer_reference])
    if document.purchase_order_reference:
        rows.append([labels["purchase_order"], document.purchase_order_reference])
    return [row for row in rows if row[1]]


def _party(buyer: dict[str, str], labels: dict[str, str], home: str, language: str) -> dict[str, Any]:
    ids = [[labels[key], buyer[key]] for key in ("siret", "siren", "vat_number") if buyer[key]]
    if buyer["siret"] and buyer["siren"]:
        ids = [row for row in ids if row[0] != labels["siren"]]
    if buyer["registration_id"]:
        ids.append(["ID", buyer["registration_id"]])
    if buyer["code"]:
        ids.append([labels["customer_code"], buyer["code"]])
    lines = address_lines(buyer["address_line1"], buyer["address_line2"], buyer["postcode"], buyer["city"],
                          country_label(buyer["country"], language), country_label(home, language))  # fmt: skip
    return {"name": buyer["name"], "lines": lines, "ids": ids}


def _delivery(buyer: dict[str, str], home: str, language: str) -> dict[str, Any] | None:
    if not buyer["delivery_line1"]:
        return None
    lines = address_lines(buyer["delivery_line1"], buyer["delivery_line2"], buyer["delivery_postcode"],
                          buyer["delivery_city"], country_label(buyer["delivery_country"] or buyer["country"], language),
                          country_label(home, language))  # fmt: skip
    return {"name": buyer["name"], "lines": lines, "ids": []}


def _references(document: Document, labels: dict[str, str], fmt: Formatter) -> list[str]:
    preceding = document.preceding_invoice
    if preceding is None:
        return []
    key = "credited_invoice" if document.is_credit_note else "corrected_invoice"
    return [f"{labels[key]} {preceding.number} {labels['of']} {fmt.date(preceding.issue_date)}".strip()]


def payment_terms_text(document: Document, language: str) -> str:
    try:
        return parse_terms(document.payment_terms).describe(language)
    except ValueError:
        return document.payment_terms


def build_context(document: Document, *, qr: bool, logo: str | None) -> dict[str, Any]:
    """Everything the template prints, for one document."""
    language = language_of(document)
    labels = labels_for(language)
    fmt = Formatter(language, document.currency)
    seller, buyer = _seller(document), _buyer(document)
    entity: LegalEntity = document.entity
    title = title_of(document, labels)
    number = document.number or "—"
    payment = None
    if document.kind == Kind.INVOICE and not document.is_credit_note and document.payable > 0:
        rows = [[labels["payment_terms"], payment_terms_text(document, language)]]
        if document.due_date:
            rows.append([labels["due_date"], fmt.date(document.due_date)])
        if seller["iban"]:
            rows += [[labels["iban"], group_iban(seller["iban"])], [labels["bic"], seller["bic"]]]
        rows.append([labels["reference"], number])
        payment = {"rows": [row for row in rows if row[1]], "qr": qr}
    lines = _lines(document, labels, fmt)
    branding = document.seller_snapshot or {}  # an issued document prints its branding as it was at issue
    colour = branding.get("brand_color", entity.brand_color)
    return {
        "lang": language,
        "labels": labels,
        "brand_color": colour if is_hex_colour(colour) else "#1f4e79",
        "logo": logo,
        "title": title,
        "doc_title": f"{title} {number}",
        "keywords": [document.kind, document.type_code or document.kind],
        "number": number,
        "draft": document.kind == Kind.INVOICE and not document.number,
        "meta": _meta(document, labels, fmt),
        "seller": {
            "name": seller["name"],
            "lines": address_lines(
                seller["address_line1"],
                seller["address_line2"],
                seller["postcode"],
                seller["city"],
                country_label(seller["country"], language),
                country_label("FR", language),
            ),
            "ids": _seller_identity(seller, labels, fmt),
        },  # fmt: skip
        "buyer": _party(buyer, labels, seller["country"] or "FR", language),
        "delivery": _delivery(buyer, seller["country"] or "FR", language),
        "references": _references(document, labels, fmt),
        **lines,
        "vat": _vat(document, buyer, fmt),
        "totals": _totals(document, labels, fmt),
        "currency_note": labels["total_ttc_currency"].format(currency=document.currency),
        "payment": payment,
        "note": breakable(document.note or ""),
        "mentions": payment_mentions(document, seller, buyer, language),
        "acceptance": labels["quote_acceptance"] if document.kind == Kind.QUOTE else "",
        "legal_footer": legal_footer(seller, labels, fmt),
        "footer": branding.get("footer_text", entity.footer_text) or "",
    }
