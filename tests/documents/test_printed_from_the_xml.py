"""The PDF of an issued invoice is printed from the XML it embeds, with the branding of its issue.

Its amounts, dates and identifiers are read from the CII stored at issue (the XML is checked here with
plain XPath, not with our own parser), and its look from the branding snapshotted at issue: rendering
it again after the company changed its logo, colours, footer or mentions gives the same bytes.
"""

import itertools
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from hypothesis import HealthCheck, assume, given, settings
from lxml import etree

from facturier.documents.formatting import Formatter, group_iban
from facturier.documents.issued import ensure_pdf
from facturier.documents.models import FileKind, StoredFile
from facturier.documents.render import render_pdf
from facturier.documents.stored import issued_storage, read_file
from facturier.documents.sweeper import documents_missing_pdf, render_missing_pdfs
from facturier.domain.facturx import extract_invoice_xml
from facturier.invoicing.services import AllowanceChargeData, LineData
from tests.documents.conftest import issue
from tests.documents.pdftext import image_count, text_of
from tests.invoicing import test_every_draft_issues as every_draft
from tests.web.test_company import png_bytes

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def _plain(text: str) -> str:
    """As ``text_of`` prints it: French thin and no-break spaces become plain spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


MONEY = re.compile(r"−?\d{1,3}(?: \d{3})*,\d{2} €")


@pytest.fixture
def issued_dir(settings, tmp_path):
    folder = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "issued": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(folder)}},
    }  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return folder


@pytest.fixture
def branded_invoice(issued_dir, entity, customer, product, owner):
    """An invoice issued by a company with a logo, a colour, a footer and its own payment mentions."""
    entity.logo.save("logo.png", ContentFile(png_bytes()))
    entity.brand_color = "#2a7f3b"
    entity.footer_text = "Merci de votre confiance — pied de page de l'émission"
    entity.late_penalty_rate = "10 % par an"
    entity.early_payment_discount = "Escompte de 1 % pour paiement à 8 jours"
    entity.save()
    return issue(
        entity, customer, owner,
        [LineData(product=product, quantity=Decimal("3")),
         LineData(description="Frais de déplacement", quantity=Decimal("1"), unit_price=Decimal("120.50"),
                  discount_percent=Decimal("10"))],
        allowances_charges=[AllowanceChargeData(reason="Remise fidélité", amount=Decimal("50.00"))],
        purchase_order_reference="PO-2026-17",
    )  # fmt: skip


def _forget_pdf(document) -> None:
    """What a lost file looks like to the sweeper: no PDF row (and no file) for an issued document."""
    stored = StoredFile.objects.get(document=document, kind=FileKind.FACTURX)
    issued_storage().delete(stored.name)
    StoredFile.objects.filter(pk=stored.pk).delete()


def test_rendering_again_after_the_company_changed_its_branding_gives_the_same_pdf(
    branded_invoice, entity, customer
):
    # given an issued invoice whose PDF was rendered once
    first = read_file(ensure_pdf(branded_invoice))
    first_text = text_of(first)
    assert "pied de page de l'émission" in first_text
    assert "10 % par an" in first_text
    assert image_count(first) >= 1
    # when the company changes everything it can about its documents, and the customer moves
    entity.logo.save("other.png", ContentFile(png_bytes()[:-8] + b"\x00" * 8))
    entity.brand_color = "#aa0000"
    entity.footer_text = "Nouveau pied de page"
    entity.late_penalty_rate = "3 fois le taux d'intérêt légal"
    entity.early_payment_discount = ""
    entity.name = "Dupont Renommée SAS"
    entity.iban = "FR1420041010050500013M02606"
    entity.facturx_profile = "EXTENDED"
    entity.save()
    customer.name = "Boulangerie Déménagée"
    customer.city = "Marseille"
    customer.save()
    # and the PDF file is lost, so that the sweeper renders it again
    _forget_pdf(branded_invoice)
    assert list(documents_missing_pdf()) == [branded_invoice]
    assert render_missing_pdfs(inline=True) == 1
    # then the new PDF is the very same document, byte for byte
    branded_invoice.refresh_from_db()
    again = read_file(StoredFile.objects.get(document=branded_invoice, kind=FileKind.FACTURX))
    assert text_of(again) == first_text
    assert again == first
    for later in ("Nouveau pied de page", "Dupont Renommée", "Déménagée", "Marseille", "FR14 2004"):
        assert later not in text_of(again)


def test_a_forced_render_of_an_issued_invoice_prints_its_stored_xml_not_todays_data(branded_invoice, entity):
    stored = read_file(ensure_pdf(branded_invoice))
    entity.footer_text = "Nouveau pied de page"
    entity.brand_color = "#aa0000"
    entity.save()
    # rendering the stored CII again (what ensure_pdf does for a missing file) gives the stored PDF
    cii = read_file(StoredFile.objects.get(document=branded_invoice, kind=FileKind.CII))
    assert render_pdf(branded_invoice, xml=cii) == stored


def _text(node, path: str) -> str:
    (value,) = node.xpath(path, namespaces=NS)
    return str(value).strip()


def _xml_terms(cii: bytes) -> tuple[list[Decimal], list[str]]:
    """(amounts, identifiers) the CII states, read with XPath."""
    root = etree.fromstring(cii)
    amounts = [Decimal(str(v)) for v in root.xpath("//ram:*[contains(local-name(), 'Amount')]/text()",
                                                   namespaces=NS)]  # fmt: skip
    amounts += [Decimal(str(v)) for v in root.xpath("//ram:ChargeAmount/text()", namespaces=NS)]
    seller = root.xpath("//ram:SellerTradeParty", namespaces=NS)[0]
    buyer = root.xpath("//ram:BuyerTradeParty", namespaces=NS)[0]
    identifiers = [
        _text(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID/text()"),
        _text(seller, "ram:Name/text()"),
        _text(seller, "ram:ID/text()") if seller.xpath("ram:ID", namespaces=NS) else "",
        _text(seller, "ram:GlobalID/text()") if seller.xpath("ram:GlobalID", namespaces=NS) else "",
        _text(seller, "ram:SpecifiedLegalOrganization/ram:ID/text()"),
        _text(seller, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()"),
        _text(buyer, "ram:Name/text()"),
        _text(buyer, "ram:SpecifiedLegalOrganization/ram:ID/text()"),
        _text(root, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID/text()"),
        group_iban(_text(root, "//ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()")),
        _text(root, "//ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID/text()"),
    ]
    dates = [
        _text(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString/text()"),
        _text(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString/text()"),
    ]  # fmt: skip
    identifiers += [f"{d[6:8]}/{d[4:6]}/{d[:4]}" for d in dates]  # printed as dd/mm/yyyy in French
    return amounts, [i for i in identifiers if i]


def test_every_amount_and_identifier_printed_is_the_one_in_the_embedded_xml(branded_invoice):
    # given the stored Factur-X PDF of an issued invoice and the CII it embeds
    pdf = read_file(ensure_pdf(branded_invoice))
    _name, cii = extract_invoice_xml(pdf)
    assert cii == read_file(StoredFile.objects.get(document=branded_invoice, kind=FileKind.CII))
    amounts, identifiers = _xml_terms(cii)
    text = text_of(pdf)
    formatter = Formatter("fr", "EUR")

    def money(value: Decimal) -> str:
        return _plain(formatter.money(value))

    # then every identifier and date of the XML is printed as it is there
    for identifier in identifiers:
        assert identifier in text, identifier
    # every money amount printed is one the XML states (the share capital apart: BT-33 text)
    xml_amounts = {money(abs(amount)) for amount in amounts} | {money(Decimal("10000"))}
    printed = {match.lstrip("−") for match in MONEY.findall(text)}
    assert printed, text
    assert printed <= xml_amounts, printed - xml_amounts
    # and the totals the XML states are all printed: net, VAT, gross, due
    root = etree.fromstring(cii)
    for term in (
        "LineTotalAmount",
        "TaxBasisTotalAmount",
        "TaxTotalAmount",
        "GrandTotalAmount",
        "DuePayableAmount",
    ):
        (value,) = root.xpath(f"//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:{term}/text()",
                              namespaces=NS)  # fmt: skip
        assert money(Decimal(str(value))) in text, term
    # and each line's quantity and net amount
    for line in root.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS):
        net = _text(line, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
                          "/ram:LineTotalAmount/text()")  # fmt: skip
        assert money(Decimal(net)) in text
        quantity = _text(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/text()")
        assert _plain(formatter.number(Decimal(quantity))) in text


_SPEC_CODES = itertools.count()


# Most generated specs are refused at draft (a correct outcome, checked by tests/invoicing): they are
# cheap, and filtered out so that the examples kept are documents that issued and printed.
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(spec=every_draft.documents())
def test_whatever_was_issued_its_pdf_prints_the_totals_lines_and_vat_of_its_xml(issued_dir, owner, spec):
    # given any document the drafting services accept (every seller, customer, currency, flow), issued
    try:
        documents = every_draft.issue_all(spec, {}, owner, f"P{next(_SPEC_CODES)}")
    except every_draft.Refused:
        assume(False)
    for document in documents:
        # when its Factur-X PDF is rendered
        pdf = read_file(ensure_pdf(document))
        _name, cii = extract_invoice_xml(pdf)
        root = etree.fromstring(cii)
        text = text_of(pdf)
        formatter = Formatter("en" if spec.language == "en" else "fr", document.currency)
        # then the totals, each VAT row and each line net amount it prints are the XML's
        summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
        amounts = [_text(root, f"{summation}{term}/text()") for term in ("TaxBasisTotalAmount", "GrandTotalAmount",
                                                                          "DuePayableAmount")]  # fmt: skip
        amounts += [str(v) for v in root.xpath(f"{summation}TaxTotalAmount[@currencyID='{document.currency}']/text()",
                                               namespaces=NS)]  # fmt: skip
        amounts += [
            str(v) for v in root.xpath("//ram:ApplicableTradeTax/ram:CalculatedAmount/text()", namespaces=NS)
        ]
        amounts += [str(v) for v in root.xpath("//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
                                               "/text()", namespaces=NS)]  # fmt: skip
        for amount in amounts:
            assert _plain(formatter.money(Decimal(amount))) in text, (document.number, amount)
        assert _text(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID/text()") in text
