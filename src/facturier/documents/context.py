"""What a printed document shows, as plain strings: the JSON the Typst template lays out.

The content comes from the EN 16931 model the XML comes from: for an issued invoice or credit note,
the CII embedded in its Factur-X PDF parsed back, so every amount, date and identifier printed is the
one in the XML and the two can never disagree. What the XML has no term for (the legal wording in the
document's language, the customer code, the deposits' amounts) comes from the snapshots taken at
issue, and the look (logo, colour, footer) from the branding snapshotted at issue
(``documents.branding``): nothing printed on an issued document reads today's company settings.

Numbers, dates and legal wording are formatted here in the document's language, so the
template stays a layout and the content is testable without a PDF.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_currency

from facturier.accounts.models import LegalEntity
from facturier.documents.branding import Branding
from facturier.documents.epc import invoice_creditor_reference
from facturier.documents.formatting import Formatter, address_lines, breakable, group_iban
from facturier.documents.labels import country_label, labels_for, unit_label, vat_category_label
from facturier.documents.mentions import exemption_mention, legal_footer, payment_mentions
from facturier.domain.creditor_reference import printed as printed_reference
from facturier.domain.en16931 import model as m
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing.models import Document, Kind, OperationCategory, TypeCode

# Column widths of the lines table in mm (0 = the rest): fixed widths lay out much faster than auto.
_WIDTHS_MM = {
    "position": 7, "description": 0, "quantity": 15, "unit": 13, "unit_price": 23, "discount": 15,
    "vat_rate": 14, "net": 25,
}  # fmt: skip
SIREN_SCHEME, SIRET_SCHEME = "0002", "0009"  # ISO 6523 ICD of the French registers
# BT-23 "cadre de facturation" starts with B (goods), S (services) or M (mixed)
_OPERATION = {"B": OperationCategory.GOODS, "S": OperationCategory.SERVICES, "M": OperationCategory.MIXED}
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


def _s(value: object) -> str:
    return "" if value is None else str(value)


def _scheme(identifiers: tuple[m.Identifier, ...], scheme: str) -> str:
    return next((i.value for i in identifiers if i.scheme_id == scheme), "")


def _address(address: m.PostalAddress | None, prefix: str = "") -> dict[str, str]:
    if address is None:
        return {}
    return {
        f"{prefix}line1" if prefix else "address_line1": _s(address.line_one),
        f"{prefix}line2" if prefix else "address_line2": _s(address.line_two),
        f"{prefix}postcode" if prefix else "postcode": _s(address.post_code),
        f"{prefix}city" if prefix else "city": _s(address.city),
        f"{prefix}country" if prefix else "country": address.country_code,
    }


def _seller(document: Document, invoice: m.Invoice) -> dict[str, str]:
    """The seller as the XML states it (BG-4, BG-17); the snapshot for what the XML has no term for.

    A document outside the scope of VAT carries no VAT number in its XML (BR-O-02) but still prints
    the seller's (docs/vat-outside-scope.md).
    """
    snapshot = document.seller_snapshot or {}
    entity: LegalEntity = document.entity
    values = {name: str(snapshot.get(name, getattr(entity, name, "")) or "") for name in _SELLER_FIELDS}
    if values["share_capital"] in {"None", ""}:
        values["share_capital"] = ""
    party = invoice.seller
    contact = party.contact or m.Contact()
    transfers = invoice.payment_instructions.credit_transfers if invoice.payment_instructions else ()
    values.update(
        name=party.name, siret=_scheme(party.identifiers, SIRET_SCHEME),
        siren=party.legal_registration_id.value if party.legal_registration_id else "",
        vat_number=party.vat_id or values["vat_number"], email=_s(contact.email), phone=_s(contact.telephone),
        iban=transfers[0].account_id if transfers else "", bic=_s(transfers[0].service_provider_id) if transfers else "",
        **_address(party.address),
    )  # fmt: skip
    return values


def _buyer(document: Document, invoice: m.Invoice) -> dict[str, str]:
    """The buyer as the XML states it (BG-7, BG-13); the snapshot taken at issue (the live record for
    a draft) for its code, kind and VAT regime, and for its VAT number on a document outside the scope
    of VAT, whose XML leaves it out (BR-O-02) while the printed invoice keeps it, as for the seller."""
    snapshot = document.customer_snapshot or {}
    if all(name in snapshot for name in _BUYER_FIELDS):
        values = {name: str(snapshot[name] or "") for name in _BUYER_FIELDS}
    else:
        customer = document.customer
        values = {name: str(snapshot.get(name, getattr(customer, name, "")) or "") for name in _BUYER_FIELDS}
    party = invoice.buyer
    registration = party.legal_registration_id
    is_siren = registration is not None and registration.scheme_id == SIREN_SCHEME
    values.update(
        name=party.name, siret=_scheme(party.identifiers, SIRET_SCHEME),
        siren=registration.value if registration is not None and is_siren else "",
        registration_id=registration.value if registration is not None and not is_siren else "",
        vat_number=party.vat_id or values["vat_number"], **_address(party.address),
    )  # fmt: skip
    delivery = invoice.delivery
    if values["delivery_line1"] and delivery is not None and delivery.address is not None:
        values.update(_address(delivery.address, "delivery_"))
    return values


def title_of(document: Document, labels: dict[str, str], type_code: str | None = None) -> str:
    """The title: quote, order, or the invoice's type (BT-3: invoice, credit note, deposit, corrective)."""
    if document.kind == Kind.QUOTE:
        return labels["quote"]
    if document.kind == Kind.ORDER:
        return labels["order"]
    titles = {
        TypeCode.CREDIT_NOTE.value: labels["credit_note"],
        TypeCode.DEPOSIT.value: labels["deposit"],
        TypeCode.CORRECTIVE.value: labels["corrective"],
    }
    return titles.get(type_code or str(document.type_code), labels["invoice"])


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


def _discount(line: m.InvoiceLine) -> Decimal | None:
    """The line's discount percentage (BT-138), if it has one."""
    return next((a.percentage for a in line.allowances if a.percentage), None)


def _lines(invoice: m.Invoice, labels: dict[str, str], fmt: Formatter) -> dict[str, Any]:
    lines = invoice.lines
    with_discount = any(_discount(line) for line in lines)
    headers = ["position", "description", "quantity", "unit", "unit_price"]
    headers += ["discount"] if with_discount else []
    headers += ["vat_rate", "net"]
    rows = []
    for line in lines:
        price = line.price.net_price
        row = [line.id, breakable(line.item.name), fmt.number(line.quantity), unit_label(line.unit_code, fmt.language),
               fmt.money(price) if price == price.quantize(Decimal("0.01"))
               else f"{fmt.number(price, min_places=2)}"]  # fmt: skip
        if with_discount:
            discount = _discount(line)
            row.append(fmt.rate(discount) if discount else "")
        no_rate = line.vat_category_code == "O" or line.vat_rate is None
        row.append(labels["no_vat_rate"] if no_rate else fmt.rate(line.vat_rate or Decimal(0)))
        row.append(fmt.money(line.net_amount))
        rows.append(row)
    return {
        "line_headers": [labels[key] for key in headers],
        "line_widths": [_WIDTHS_MM[key] for key in headers],
        "line_align": ["l" if key in {"position", "description", "unit"} else "r" for key in headers],
        "lines": rows,
    }


def _vat(invoice: m.Invoice, buyer: dict[str, str], fmt: Formatter) -> list[dict[str, str]]:
    rows = []
    for vat in invoice.vat_breakdowns:
        category = vat.category_code
        rate = fmt.rate(vat.rate) if category != "O" and vat.rate is not None else ""
        name = (
            vat_category_label(category, fmt.language) if category != "S" else ""
        )  # "Autoliquidation", not "AE"
        label = " ".join(part for part in (rate, f"({name})" if name else "") if part)
        rows.append({
            "label": label, "base": fmt.money(vat.taxable_amount), "amount": fmt.money(vat.tax_amount),
            "mention": exemption_mention(category, buyer["vat_regime"], buyer["exemption_reason"], fmt.language),
        })  # fmt: skip
    return rows


def _totals(
    document: Document, invoice: m.Invoice, labels: dict[str, str], fmt: Formatter
) -> list[list[Any]]:
    """BG-22 as the XML states it; the deposits it deducts (BT-113) itemized from the deposit invoices,
    whose numbers are its BG-3 references (their amounts are in their own XML, not in this one)."""
    rows: list[list[Any]] = []
    totals = invoice.totals
    items = [(False, item) for item in invoice.allowances] + [(True, item) for item in invoice.charges]
    if items:
        rows.append([labels["line_total"], fmt.money(totals.line_net_total), False])
        for is_charge, item in items:
            sign = "" if is_charge else "−"
            kind = labels["charge" if is_charge else "allowance"]
            reason = item.reason or ""
            rows.append([f"{kind} : {reason}" if fmt.language == "fr" else f"{kind}: {reason}",
                         f"{sign}{fmt.money(item.amount)}", False])  # fmt: skip
    rows.append([labels["tax_exclusive"], fmt.money(totals.tax_exclusive_total), False])
    rows.append([labels["tax_total"], fmt.money(totals.tax_total), False])
    home = invoice.tax_currency_code
    if home and home != invoice.currency_code and totals.tax_total_accounting_currency is not None:
        # CGI art. 242 nonies A: VAT stated in a foreign currency is also given in euros (BT-111)
        rate = fmt.number(document.exchange_rate or Decimal(0))
        label = labels["vat_accounting"].format(currency=home, rate=rate)
        amount = format_currency(totals.tax_total_accounting_currency, home, locale=fmt.locale)
        rows.append([label, amount, False])
    is_invoice = document.kind == Kind.INVOICE
    rows.append([labels["tax_inclusive"], fmt.money(totals.tax_inclusive_total), not is_invoice])
    if totals.prepaid_amount:
        for deposit in document.deposits.all().order_by("issue_date"):
            rows.append(
                [
                    f"{labels['deposit_deducted']} {deposit.number}",
                    f"−{fmt.money(deposit.tax_inclusive)}",
                    False,
                ]
            )
        # BT-113 without deposits: the retention guarantee withheld (docs/construction.md)
        label = labels["prepaid"] if document.deposits.exists() else labels["withheld"]
        rows.append([label, f"−{fmt.money(totals.prepaid_amount)}", False])
    if is_invoice:
        label = labels["credit_payable"] if invoice.is_credit_note else labels["payable"]
        rows.append([label, fmt.money(totals.amount_due), True])
    return rows


def operation_of(document: Document, invoice: m.Invoice) -> str:
    """The operation category (goods, services, mixed) the XML declares in BT-23."""
    process = invoice.business_process_type or ""
    return str(_OPERATION.get(process[:1], document.operation_category))


def _meta(document: Document, invoice: m.Invoice, labels: dict[str, str], fmt: Formatter) -> list[list[str]]:
    # a draft has no issue date yet (its model says today's: the date it would be issued on)
    rows = [[labels["issue_date"], fmt.date(invoice.issue_date if document.issue_date else None)]]
    if document.kind == Kind.QUOTE and document.valid_until:
        rows.append([labels["valid_until"], fmt.date(document.valid_until)])
    if document.kind == Kind.INVOICE and invoice.due_date and not invoice.is_credit_note:
        rows.append([labels["due_date"], fmt.date(invoice.due_date)])
    if invoice.delivery is not None and invoice.delivery.actual_delivery_date:
        rows.append([labels["delivery_date"], fmt.date(invoice.delivery.actual_delivery_date)])
    if document.kind == Kind.INVOICE:
        operation = operation_of(document, invoice)
        rows.append([labels["operation"], labels.get(operation, operation)])
    if invoice.buyer_reference:
        rows.append([labels["buyer_reference"], invoice.buyer_reference])
    if invoice.purchase_order_reference:
        rows.append([labels["purchase_order"], invoice.purchase_order_reference])
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


def _references(document: Document, invoice: m.Invoice, labels: dict[str, str], fmt: Formatter) -> list[str]:
    """The invoice a credit note or corrective invoice corrects: the first BG-3 reference (the others
    are the deposits a final invoice deducts, printed with the totals)."""
    if document.preceding_invoice_id is None or not invoice.preceding_invoices:
        return []
    preceding = invoice.preceding_invoices[0]
    key = "credited_invoice" if invoice.is_credit_note else "corrected_invoice"
    return [f"{labels[key]} {preceding.number} {labels['of']} {fmt.date(preceding.issue_date)}".strip()]


def payment_terms_text(document: Document, language: str) -> str:
    try:
        return parse_terms(document.payment_terms).describe(language)
    except ValueError:
        return document.payment_terms


def _note(invoice: m.Invoice) -> str:
    """The free note (BT-22 without a subject code); the coded notes are the mentions printed below."""
    return next((note.text for note in invoice.notes if note.subject_code is None), "")


def _pay_url(document: Document) -> str | None:
    """The invoice's online pay link when its company takes payments online (payments.online).

    ``pay_url`` reads the company's account of each provider (one query each); most companies have
    none, which one query tells first (the pay link needs a number too)."""
    from facturier.jobs.models import ConnectorCredential
    from facturier.payments.online import pay_url
    from facturier.payments.providers import PROVIDERS

    if not document.number:
        return None
    accounts = ConnectorCredential.objects.filter(entity_id=document.entity_id, connector__in=PROVIDERS)
    return pay_url(document) if accounts.exists() else None


def build_context(
    document: Document, invoice: m.Invoice, *, branding: Branding, qr: bool, logo: str | None
) -> dict[str, Any]:
    """Everything the template prints for one document, from its EN 16931 ``invoice`` (the model its
    XML is, or would be, serialized from) and its ``branding`` (``logo``: the logo's name for Typst)."""
    language = language_of(document)
    labels = labels_for(language)
    fmt = Formatter(language, invoice.currency_code)
    seller, buyer = _seller(document, invoice), _buyer(document, invoice)
    title = title_of(document, labels, invoice.type_code)
    number = invoice.number if document.number else "—"
    home = seller["country"] or "FR"
    payment = None
    if document.kind == Kind.INVOICE and not invoice.is_credit_note and invoice.totals.amount_due > 0:
        rows = [[labels["payment_terms"], invoice.payment_terms or payment_terms_text(document, language)]]
        if invoice.due_date:
            rows.append([labels["due_date"], fmt.date(invoice.due_date)])
        if seller["iban"]:
            rows += [[labels["iban"], group_iban(seller["iban"])], [labels["bic"], seller["bic"]]]
        instructions = invoice.payment_instructions
        reference = instructions.remittance_information if instructions is not None else None
        # the RF creditor reference of the EPC QR (the one reconciliation recognises), else BT-83 or the number
        rf = invoice_creditor_reference(invoice.number) if document.number else ""
        rows.append(
            [
                labels["reference"],
                printed_reference(rf) if rf else (reference if reference and document.number else number),
            ]
        )
        payment = {"rows": [row for row in rows if row[1]], "qr": qr, "url": _pay_url(document)}
    return {
        "lang": language,
        "labels": labels,
        "brand_color": branding.colour,
        "logo": logo,
        "title": title,
        "doc_title": f"{title} {number}",
        "keywords": [
            document.kind,
            (invoice.type_code if document.kind == Kind.INVOICE else document.type_code) or document.kind,
        ],  # fmt: skip
        "number": number,
        "draft": document.kind == Kind.INVOICE and not document.number,
        "meta": _meta(document, invoice, labels, fmt),
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
        "buyer": _party(buyer, labels, home, language),
        "delivery": _delivery(buyer, home, language),
        "references": _references(document, invoice, labels, fmt),
        **_lines(invoice, labels, fmt),
        "vat": _vat(invoice, buyer, fmt),
        "totals": _totals(document, invoice, labels, fmt),
        "currency_note": labels["total_ttc_currency"].format(currency=invoice.currency_code),
        "payment": payment,
        "note": breakable(_note(invoice)),
        "mentions": payment_mentions(document, seller, buyer, language),
        "acceptance": labels["quote_acceptance"] if document.kind == Kind.QUOTE else "",
        "legal_footer": legal_footer(seller, labels, fmt),
        "footer": branding.footer,
    }
