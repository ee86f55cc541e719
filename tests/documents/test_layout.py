"""What the printed invoice says: legal mentions in the document's language, titles, amounts."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.documents.engine import FONT_DIRS
from facturier.documents.formatting import breakable
from facturier.documents.render import render_pdf
from facturier.invoicing.services import LineData
from facturier.parties.models import Customer
from tests.documents.pdftext import image_count, pages_text, text_of


def test_a_french_invoice_shows_the_french_mandatory_mentions(issued_invoice):
    text = text_of(render_pdf(issued_invoice))
    # seller identity: legal form, share capital, SIRET/SIREN, RCS, VAT number
    for expected in ("Atelier Dupont SAS", "SAS au capital de 10 000,00 €", "SIRET 55210055400013",
                     "RCS Paris 552100554", "N° TVA FR96552100554"):  # fmt: skip
        assert expected in text
    # buyer identity, number and dates, operation category
    for expected in ("Boulangerie Martin SARL", "SIREN 443061841", f"N° {issued_invoice.number}",
                     "Date d'émission", "Échéance", "Prestation de services", "PO-2026-17"):  # fmt: skip
        assert expected in text
    # lines, discount, allowance, VAT breakdown and totals
    for expected in ("Journée de conseil", "Désignation", "Remise : Remise fidélité", "−50,00 €",
                     "DÉTAIL DE LA TVA", "Total HT", "2 608,45 €", "521,69 €", "Net à payer", "3 130,14 €"):  # fmt: skip
        assert expected in text
    # payment terms, late penalties, the 40 EUR recovery fee, early payment discount
    for expected in ("30 jours net", "Pénalités de retard : 3 fois le taux d'intérêt légal",
                     "Indemnité forfaitaire pour frais de recouvrement", "40 €",
                     "Pas d'escompte pour paiement anticipé", "FR76 3000 6000 0112 3456 7890 189", "AGRIFRPP"):  # fmt: skip
        assert expected in text


def test_an_english_invoice_prints_english_labels_and_mentions(make_issued, entity, product):
    # given a customer whose documents are in English
    customer = Customer.objects.create(
        entity=entity, code="UK1", name="Bakery Ltd", language="en", address_line1="1 High Street",
        postcode="EC1A 1BB", city="London", country="GB", vat_regime="export",
    )  # fmt: skip
    invoice = make_issued([LineData(product=product, quantity=Decimal("2"))], customer_=customer)
    # when rendered
    text = text_of(render_pdf(invoice))
    # then the labels and legal mentions are in English, amounts in English notation
    for expected in ("Invoice", "Issue date", "Due date", "Amount due", "Net 30 days", "EUR 40",
                     "Late payment penalties: three times the French statutory interest rate",
                     "No discount for early payment", "€1,700.00", "Provision of services", "United Kingdom"):  # fmt: skip
        assert expected in text
    assert "Net à payer" not in text
    # services exported outside the EU: no French VAT, with the legal reason
    assert "VAT not applicable, article 259-1" in text


def test_a_reverse_charge_invoice_says_autoliquidation_and_shows_no_vat(make_issued, entity, product):
    customer = Customer.objects.create(
        entity=entity, code="DE1", name="Bäckerei GmbH", vat_number="DE136695976", address_line1="Hauptstr. 1",
        postcode="10115", city="Berlin", country="DE", vat_regime="intra_eu_reverse_charge",
    )  # fmt: skip
    text = text_of(
        render_pdf(make_issued([LineData(product=product, quantity=Decimal("1"))], customer_=customer))
    )
    assert "Autoliquidation" in text
    assert "(AE)" not in text  # the category by its name, not its code
    assert "Allemagne" in text
    assert "DE136695976" in text


def test_an_english_reverse_charge_invoice_still_carries_the_word_autoliquidation(
    make_issued, entity, product
):
    customer = Customer.objects.create(
        entity=entity, code="DE2", name="Bäckerei GmbH", vat_number="DE136695976", address_line1="Hauptstr. 1",
        postcode="10115", city="Berlin", country="DE", vat_regime="intra_eu_reverse_charge", language="en",
    )  # fmt: skip
    text = text_of(
        render_pdf(make_issued([LineData(product=product, quantity=Decimal("1"))], customer_=customer))
    )
    assert "Reverse charge" in text
    assert "Autoliquidation" in text


def test_the_delivery_address_and_vat_on_debits_mention_are_printed(make_issued, entity, customer, product):
    # given a seller who opted for VAT on debits and a customer with a delivery address
    entity.vat_on_debits = True
    entity.save(update_fields=["vat_on_debits"])
    customer.delivery_line1 = "Entrepôt Nord, 8 rue du Port"
    customer.delivery_postcode, customer.delivery_city = "59000", "Lille"
    customer.save()
    invoice = make_issued([LineData(product=product, quantity=Decimal("1"))])
    # when the invoice for services is rendered
    text = text_of(render_pdf(invoice))
    assert "ADRESSE DE LIVRAISON" in text
    assert "Entrepôt Nord, 8 rue du Port" in text
    assert "paiement de la TVA d'après les débits" in text


def test_a_credit_note_is_titled_avoir_and_references_the_credited_invoice(credit_note, issued_invoice):
    text = text_of(render_pdf(credit_note))
    assert "Avoir" in text
    assert f"Avoir sur la facture {issued_invoice.number} du" in text
    assert "Montant de l'avoir" in text
    # nothing to pay on a credit note: no penalties, no QR code
    assert "Pénalités de retard" not in text
    assert "Scannez pour payer" not in text


def test_a_deposit_invoice_and_the_final_invoice_that_deducts_it(make_issued, product):
    # given an issued deposit invoice of 30 %
    deposit = make_issued([LineData(description="Acompte 30 %", quantity=Decimal("1"), unit_price=Decimal("765.00"))],
                          type_code="386")  # fmt: skip
    deposit_text = text_of(render_pdf(deposit))
    assert "Facture d'acompte" in deposit_text
    # when the final invoice deducts it
    final = make_issued([LineData(product=product, quantity=Decimal("3"))], deposits=[deposit])
    text = text_of(render_pdf(final))
    # then the deposit, the total deducted and the remaining amount due are printed
    assert f"Acompte déduit {deposit.number}" in text
    assert "Acomptes déduits" in text
    assert "−918,00 €" in text
    assert "Net à payer" in text
    assert "2 142,00 €" in text


def test_a_corrective_invoice_is_titled_and_references_the_corrected_invoice(
    make_issued, issued_invoice, product
):
    corrective = make_issued([LineData(product=product, quantity=Decimal("1"))], type_code="384",
                             preceding_invoice=issued_invoice)  # fmt: skip
    text = text_of(render_pdf(corrective))
    assert "Facture rectificative" in text
    assert f"Rectifie la facture {issued_invoice.number}" in text


@pytest.mark.parametrize(
    "hostile",
    [
        '#set text(fill: red) #panic("owned")',
        "] [ } { ) ( closing brackets",
        "back\\slash \\ and \\n escapes",
        "*bold* _emph_ `raw` $x^2$ <label> @ref // comment /* block",
        '#read("/etc/passwd") #import "x.typ"',
        "\"quotes\" 'single' & < > = - + ~ ^",
    ],
)
def test_typst_markup_in_a_description_prints_literally(make_issued, product, hostile):
    # given a line whose description is Typst markup
    invoice = make_issued([LineData(description=hostile, quantity=Decimal("1"), unit_price=Decimal("10"))],
                          note=hostile)  # fmt: skip
    # when rendered
    text = text_of(render_pdf(invoice))
    # then the characters are printed as they are, not interpreted (whitespace may be wrapped)
    assert " ".join(hostile.split()) in text


@pytest.mark.skipif(
    not any(path.is_dir() for path in FONT_DIRS),
    reason="DejaVu fonts (Debian fonts-dejavu-core) not installed",
)
def test_right_to_left_scripts_and_emoji_render_and_uncovered_glyphs_never_break_the_pdf(make_issued):
    # given Hebrew, Arabic, an emoji the font has and one no installed font has
    descriptions = ["שלום עולם", "مرحبا بالعالم", "Gâteau 😀 ✓", "Reçu 🧾 ok"]
    invoice = make_issued(
        [LineData(description=d, quantity=Decimal("1"), unit_price=Decimal("5")) for d in descriptions]
    )
    # when rendered
    pdf = render_pdf(invoice)
    text = text_of(pdf)
    # then each script is there, and the uncovered glyph is replaced, not fatal
    assert "😀" in text
    assert "Reçu" in text
    assert "🧾" not in text
    assert any(char in text for char in "שלום")
    assert any(char in text for char in "مرحبا")


def test_an_invoice_of_80_lines_runs_over_several_pages_with_the_table_header_repeated(make_issued):
    lines = [
        LineData(description=f"Prestation n°{n} — maintenance préventive du site", quantity=Decimal(n % 7 + 1),
                 unit_price=Decimal("12.34") * n)
        for n in range(1, 81)
    ]  # fmt: skip
    pdf = render_pdf(make_issued(lines))
    pages = pages_text(pdf)
    assert len(pages) >= 3
    assert all("Désignation" in page for page in pages[:2])
    assert f"Page 1 / {len(pages)}" in pages[0].replace("\u202f", " ")
    assert "Prestation n°80" in "".join(pages)


def test_the_entity_logo_colour_and_footer_are_used(make_issued, entity, product, settings, tmp_path):
    import segno
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    png = tmp_path / "logo.png"
    segno.make("LOGO").save(str(png), scale=6)
    entity.logo.save("logo.png", ContentFile(png.read_bytes()), save=False)
    entity.footer_text = "Merci de votre confiance — www.dupont.example"
    entity.brand_color = "#aa3300"
    entity.save()
    # an issued invoice prints the branding of its issue (tests/documents/test_stored_files.py)
    pdf = render_pdf(make_issued([LineData(product=product, quantity=Decimal("1"))]))
    assert image_count(pdf) >= 1
    assert "Merci de votre confiance" in text_of(pdf)


def test_a_consumer_invoice_has_no_40_eur_recovery_fee_mention(make_issued, entity, product):
    # the fixed recovery compensation applies between professionals only (Code de commerce L441-10)
    consumer = Customer.objects.create(entity=entity, code="P1", name="Jeanne Martin", kind="consumer",
                                       address_line1="5 rue Haute", postcode="33000", city="Bordeaux")  # fmt: skip
    text = text_of(
        render_pdf(make_issued([LineData(product=product, quantity=Decimal("1"))], customer_=consumer))
    )
    assert "Pénalités de retard" in text
    assert "40 €" not in text


def test_a_quote_shows_its_validity_and_no_payment_block(entity, customer, product, owner):
    import datetime as dt

    from facturier.invoicing.services import document_create

    quote = document_create(entity=entity, kind="quote", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal("2"))],
                            valid_until=dt.date(2026, 12, 31))  # fmt: skip
    text = text_of(render_pdf(quote))
    assert "Devis" in text
    assert "Valable jusqu'au 31/12/2026" in text
    assert "RÈGLEMENT" not in text
    assert "Pénalités de retard" not in text


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\u200b"), max_size=300)
)
def test_long_runs_get_break_opportunities_and_lose_nothing(text):
    wrapped = breakable(text)
    assert wrapped.replace("\u200b", "") == text
    assert all(len(run) <= 24 for run in re.split(r"[\s\u200b]+", wrapped))


def test_a_description_without_spaces_wraps_inside_its_cell_and_keeps_its_text(make_issued):
    # given a 300-character reference with no space (it would overflow the column unbroken)
    reference = "REF" + "0123456789" * 30
    pdf = render_pdf(
        make_issued([LineData(description=reference, quantity=Decimal("1"), unit_price=Decimal("1"))])
    )
    # then its characters are all printed, split over lines
    assert reference in text_of(pdf).replace("\u200b", "").replace(" ", "")


def test_a_broken_logo_file_never_prevents_the_invoice_from_rendering(issued_invoice, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = str(tmp_path)
    entity = issued_invoice.entity
    entity.logo.save("logo.png", ContentFile(b"this is not a PNG"), save=True)
    pdf = render_pdf(issued_invoice)
    assert image_count(pdf) == 0
    assert issued_invoice.number in text_of(pdf)


def test_an_order_is_titled_as_an_order_and_has_no_invoice_mentions(entity, customer, product, owner):
    from facturier.invoicing.services import document_create

    order = document_create(entity=entity, kind="order", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal("4"))])  # fmt: skip
    text = text_of(render_pdf(order))
    assert "Bon de commande" in text
    assert order.number in text
    assert "Net à payer" not in text
    assert "Indemnité forfaitaire" not in text
