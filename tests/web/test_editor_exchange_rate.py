"""The editor's live totals of a document in a foreign currency: the VAT is also shown in the company's
currency at the document's exchange rate (BT-111), the figure the issued invoice will carry."""

from decimal import Decimal

import time_machine
from django.urls import reverse

from facturier.invoicing.services import LineData, document_create, invoice_issue


def _editor_post(customer, *, currency, exchange_rate):
    return {
        "kind": "invoice", "customer": str(customer.pk), "type_code": "380", "currency": currency,
        "exchange_rate": exchange_rate, "language": "fr", "payment_terms": "net30",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-description": "Audit", "lines-0-quantity": "3", "lines-0-unit_price": "333,33",
        "lines-0-vat_rate": "20",
    }  # fmt: skip


@time_machine.travel("2026-11-16 10:00 +0100", tick=False)
def test_live_totals_show_the_vat_in_the_company_currency_as_the_issued_invoice_does(
    owner_client, entity, customer, owner
):
    # given an invoice typed in US dollars at 0.9213 euro per dollar
    data = _editor_post(customer, currency="USD", exchange_rate="0,9213")
    # when the editor asks for its live totals
    body = owner_client.post(reverse("web:document-totals"), data).json()
    # then the VAT is also given in euros at that rate, labelled in euros
    assert body["ok"], body
    assert body["tax_total"] == "200.00"  # 999.99 x 20 %
    assert body["tax_total_accounting"] == "184.26"  # 200.00 x 0.9213
    assert body["accounting_currency"] == "EUR"
    assert body["display"]["tax_total_accounting"].replace("\u202f", " ").replace("\xa0", " ") == "184,26 €"
    # and it is the figure the same invoice carries once saved and issued
    invoice = document_create(
        entity=entity, kind="invoice", customer=customer, by=owner, currency="USD",
        exchange_rate=Decimal("0.9213"),
        lines=[LineData(description="Audit", quantity=Decimal("3"), unit_price=Decimal("333.33"),
                        vat_rate=Decimal("20"))],
    )  # fmt: skip
    invoice = invoice_issue(invoice=invoice, by=owner)
    assert invoice.tax_total_accounting == Decimal(body["tax_total_accounting"])


def test_live_totals_in_the_company_currency_have_no_second_vat_figure(owner_client, customer):
    # given an invoice in euros, the company's own currency (a rate left in the form is ignored)
    data = _editor_post(customer, currency="EUR", exchange_rate="0,9213")
    # when the editor asks for its live totals
    body = owner_client.post(reverse("web:document-totals"), data).json()
    # then there is no VAT in another currency to show
    assert body["ok"], body
    assert body["tax_total_accounting"] is None
    assert body["display"]["tax_total_accounting"] == ""
