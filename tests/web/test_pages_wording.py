"""Read-only pages speak a finance team's language: amounts and dates as each language writes them,
codes by their names (TVA 20 %, Avoir, Belgique), each document type by its own name."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from facturier.documents.render import render_pdf
from facturier.invoicing.models import Kind, TypeCode
from facturier.invoicing.services import (
    LineData,
    credit_note_create,
    document_convert,
    document_create,
    invoice_issue,
)
from facturier.parties.models import Customer
from facturier.payments.models import Allocation
from tests.documents.pdftext import text_of

MARCH_6 = dt.date(2026, 3, 6)  # day and month differ: a month-first date would show


def html(response) -> str:
    """The page with French no-break and narrow no-break spaces as plain spaces."""
    assert response.status_code == 200
    return re.sub(r"[\u202f\xa0]", " ", response.content.decode())


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page_of(client, document) -> str:
    return html(client.get(reverse("web:document-detail", kwargs={"pk": document.pk})))


def issued(entity, customer, product, owner, *, quantity="2"):
    invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                              lines=[LineData(product=product, quantity=Decimal(quantity))])  # fmt: skip
    return invoice_issue(invoice=invoice, by=owner, issue_date=MARCH_6)


def test_invoice_page_in_french_names_vat_and_type_and_writes_dates_day_first(
    owner_client, entity, customer, product, owner
):
    # given an issued invoice of 2 days at 850 € with 20 % VAT
    invoice = issued(entity, customer, product, owner)
    # when the accountant opens it (French by default)
    page = page_of(owner_client, invoice)
    # then VAT, type and currency are named, not coded
    assert "TVA 20 %" in page
    assert not re.search(r">\s*S 20", page)
    assert re.search(r'id="document-type">Facture<', page)
    assert "(380)" not in page
    assert "euro (EUR)" in page
    # and amounts and dates read the French way
    assert "2 040,00 €" in page
    assert "06/03/2026" in page
    assert re.search(r'id="due-date">05/04/2026<', page)


def test_invoice_page_in_english_keeps_dates_day_first(owner_client, entity, customer, product, owner):
    # given the same invoice read by a user who chose English
    invoice = issued(entity, customer, product, owner)
    page = page_of(in_english(owner_client), invoice)
    # then VAT and type are named in English, amounts the English way, and the day still comes first
    assert "VAT 20%" in page
    assert re.search(r'id="document-type">Invoice<', page)
    assert "€2,040.00" in page
    assert "6 Mar 2026" in page
    assert "03/06/2026" not in page


def test_payment_amount_is_offered_and_read_as_the_reader_writes_it(
    owner_client, entity, customer, product, owner
):
    # given an issued invoice still to be paid: 2 040,00 €
    invoice = issued(entity, customer, product, owner)
    # then the payment form offers the outstanding amount written in French, not "2040.000000"
    assert 'value="2 040,00"' in page_of(owner_client, invoice)
    # when the accountant types "1 000,50"
    url = reverse("web:document-action", kwargs={"pk": invoice.pk, "action": "payment"})
    owner_client.post(
        url, {"amount": "1 000,50", "received_on": "2026-03-20", "reference": "VIR"}, follow=True
    )
    # then exactly 1000.50 is recorded, and the English page offers the rest the English way
    assert list(Allocation.objects.filter(document=invoice).values_list("amount", flat=True)) == [
        Decimal("1000.50")
    ]
    assert 'value="1,039.50"' in page_of(in_english(owner_client), invoice)


def test_credit_note_pages_say_avoir_and_show_no_due_date_or_payment(
    owner_client, entity, customer, product, owner
):
    # given a draft credit note of an issued invoice
    invoice = issued(entity, customer, product, owner)
    credit_note = credit_note_create(invoice=invoice, by=owner)
    # then its page and its name say "Avoir", never "Facture"
    page = page_of(owner_client, credit_note)
    assert "<title>Avoir (brouillon)" in page
    assert re.search(r'id="document-title">Avoir \(brouillon\)', page)
    assert str(credit_note) == "Avoir (brouillon)"
    # and the invoice's page links to it as a credit note
    assert re.search(r'Avoir <a href="[^"]+">\(brouillon\)</a>', page_of(owner_client, invoice))
    # when it is issued
    credit_note = invoice_issue(invoice=credit_note, by=owner, issue_date=MARCH_6)
    page = page_of(owner_client, credit_note)
    # then it is an "Avoir" with its number, issued in the masculine, without due date or payment form
    assert f'Avoir <span id="document-number">{credit_note.number}</span>' in page
    assert ">Avoir émis<" not in page
    assert re.search(r'class="event">Émis<', page)
    assert 'id="due-date"' not in page
    assert 'id="payments"' not in page
    assert "Envoyer la facture électronique" not in page


@pytest.mark.parametrize(
    ("kind", "type_code", "french", "english"),
    [
        (Kind.QUOTE, "", "Devis", "Quote"),
        (Kind.ORDER, "", "Commande", "Order"),
        (Kind.INVOICE, TypeCode.COMMERCIAL, "Facture", "Invoice"),
        (Kind.INVOICE, TypeCode.DEPOSIT, "Facture d'acompte", "Deposit invoice"),
        (Kind.INVOICE, TypeCode.CORRECTIVE, "Facture rectificative", "Corrective invoice"),
    ],
)
def test_every_document_type_page_is_titled_with_its_own_name(
    owner_client, entity, customer, product, owner, kind, type_code, french, english
):
    # given a document of each type
    document = document_create(entity=entity, kind=kind, customer=customer, by=owner, type_code=type_code,
                               lines=[LineData(product=product)])  # fmt: skip
    # then its page is titled with its name in either language (Django escapes the apostrophe)
    escaped = french.replace("'", "&#x27;")
    assert f'id="document-title">{escaped} ' in page_of(owner_client, document)
    assert f'id="document-title">{english} ' in page_of(in_english(owner_client), document)


def test_quotes_and_orders_have_a_pdf_and_a_quote_states_how_long_it_stands(
    owner_client, entity, customer, product, owner
):
    # given a quote dated 6 March without a validity date, and the order made from it
    quote = document_create(entity=entity, kind=Kind.QUOTE, customer=customer, by=owner, issue_date=MARCH_6,
                            lines=[LineData(product=product)])  # fmt: skip
    order = document_convert(document=quote, to_kind=Kind.ORDER, by=owner, issue_date=MARCH_6)
    # then the quote stands 30 days, on its page and on its PDF
    assert quote.valid_until == dt.date(2026, 4, 5)
    quote_page = page_of(owner_client, quote)
    assert re.search(r'id="valid-until">05/04/2026<', quote_page)
    assert "Valable jusqu'au 05/04/2026" in text_of(render_pdf(quote))
    # and both pages offer their PDF, which downloads
    for document, page in ((quote, quote_page), (order, page_of(owner_client, order))):
        url = reverse("web:document-download", kwargs={"pk": document.pk, "fmt": "pdf"})
        assert f'id="download-pdf" href="{url}"' in page
        assert owner_client.get(url)["Content-Type"] == "application/pdf"


def test_a_validity_date_given_for_a_quote_is_kept(entity, customer, product, owner):
    quote = document_create(entity=entity, kind=Kind.QUOTE, customer=customer, by=owner, issue_date=MARCH_6,
                            valid_until=dt.date(2026, 6, 30), lines=[LineData(product=product)])  # fmt: skip
    assert quote.valid_until == dt.date(2026, 6, 30)


def test_company_page_shows_share_capital_and_country_as_written_and_reads_them_back(owner_client, entity):
    from tests.web.test_company import form_data

    # given the company page in French
    page = html(owner_client.get(reverse("web:company-settings")))
    # then the share capital reads "10 000,00" (not "10000.00") and the country is named
    assert 'value="10 000,00"' in page
    assert re.search(r'<option value="FR" selected>France</option>', page)
    assert "SIREN, dans l&#x27;annuaire de la facturation électronique (0225)" in page
    # when the administrator types a French amount
    data = form_data(owner_client, share_capital="150 000,50", electronic_address_scheme="0225",
                     electronic_address="552100554")  # fmt: skip
    owner_client.post(reverse("web:company-settings"), data)
    # then it is saved exactly, with the e-invoicing address chosen by name
    entity.refresh_from_db()
    assert entity.share_capital == Decimal("150000.50")
    assert (entity.electronic_address_scheme, entity.electronic_address) == ("0225", "552100554")


def test_lists_and_customer_page_name_codes(owner_client, entity, product, owner):
    # given a Belgian customer under reverse charge with an issued invoice
    belgian = Customer.objects.create(entity=entity, code="C-BE", name="Brasserie Bruxelloise SRL",
                                      address_line1="Rue Neuve 1", postcode="1000", city="Bruxelles", country="BE",
                                      vat_number="BE0403170701", vat_regime="intra_eu_reverse_charge")  # fmt: skip
    issued(entity, belgian, product, owner)
    # then the customer page names the country, and the product list the VAT rate
    assert "Belgique" in html(owner_client.get(reverse("web:customer-detail", kwargs={"pk": belgian.pk})))
    assert "TVA 20 %" in html(owner_client.get(reverse("web:product-list")))
    # and the invoice page names the reverse charge instead of "AE" or "K"
    invoice = belgian.documents.get()
    assert re.search(
        r">\s*(Autoliquidation|Livraison intracommunautaire)\s*<", page_of(owner_client, invoice)
    )
    # and the invoice list shows day-first dates and amounts in each language's way
    listing = html(owner_client.get(reverse("web:document-list", kwargs={"slug": "invoices"})))
    assert "06/03/2026" in listing
    assert "1 700,00 €" in listing
    listing = html(in_english(owner_client).get(reverse("web:document-list", kwargs={"slug": "invoices"})))
    assert "6 Mar 2026" in listing
    assert "€1,700.00" in listing
