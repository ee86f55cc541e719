"""The EPC QR code (SEPA credit transfer, EPC069-12) printed on invoices with something to pay."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.documents.epc import epc_payload, epc_qr_svg, invoice_creditor_reference, matrix_svg
from facturier.documents.render import epc_qr_for, render_pdf
from facturier.domain.creditor_reference import from_invoice_number, printed
from facturier.invoicing.services import LineData
from tests.documents.pdftext import text_of


def test_the_payload_follows_epc069_12_version_002_with_the_invoice_number_as_remittance():
    payload = epc_payload(name="Atelier Dupont SAS", iban="FR76 3000 6000 0112 3456 7890 189", bic="AGRIFRPP",
                          amount=Decimal("3130.14"), remittance="FAC-2026-00001")  # fmt: skip
    assert payload.split("\n") == [
        "BCD", "002", "1", "SCT", "AGRIFRPP", "Atelier Dupont SAS", "FR7630006000011234567890189",
        "EUR3130.14", "", "", "FAC-2026-00001",
    ]  # fmt: skip


def test_the_payload_keeps_to_the_field_limits_and_one_field_per_line():
    payload = epc_payload(name="N" * 90, iban="FR7630006000011234567890189", amount=Decimal("1"),
                          remittance="line one\nline two " + "x" * 200)  # fmt: skip
    fields = payload.split("\n")
    assert len(fields) == 11
    assert fields[5] == "N" * 70
    assert fields[7] == "EUR1.00"
    assert fields[10].startswith("line one line two")
    assert len(fields[10]) == 140


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("1000000000.00")])
def test_amounts_outside_the_epc_range_are_refused(amount):
    with pytest.raises(ValueError, match="EPC QR amount"):
        epc_payload(name="X", iban="FR7630006000011234567890189", amount=amount, remittance="F1")


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2))
def test_any_valid_amount_is_written_with_two_decimals(amount):
    payload = epc_payload(name="X", iban="FR7630006000011234567890189", amount=amount, remittance="F1")
    assert payload.split("\n")[7] == f"EUR{amount:.2f}"


def test_the_qr_code_is_an_svg_image():
    svg = epc_qr_svg(epc_payload(name="X", iban="FR7630006000011234567890189", amount=Decimal("12.5"),
                                 remittance="F1"))  # fmt: skip
    assert svg.startswith("<svg")
    assert "<path" in svg


def test_an_invoice_in_euros_gets_a_qr_code_for_its_amount_due(issued_invoice):
    assert epc_qr_for(issued_invoice) is not None
    assert "Scannez pour payer par virement SEPA" in text_of(render_pdf(issued_invoice))


def test_no_qr_code_for_another_currency_or_a_credit_note(make_issued, product, credit_note):
    # given an invoice in US dollars
    invoice = make_issued([LineData(product=product, quantity=Decimal("1"))], currency="USD",
                          exchange_rate=Decimal("0.92"))  # fmt: skip
    # then there is no EPC QR (EPC069-12 is for euro transfers), nor on a credit note
    assert epc_qr_for(invoice) is None
    assert epc_qr_for(credit_note) is None
    text = text_of(render_pdf(invoice))
    assert "Scannez pour payer" not in text
    # VAT of a foreign-currency invoice is also stated in euros, with the exchange rate
    assert "Total TVA en EUR (taux de change 0,92)" in text
    assert "US$" in text or "$US" in text


def test_the_svg_draws_exactly_the_dark_modules_of_the_matrix_inside_a_quiet_zone():
    import re

    matrix = [[1, 1, 0, 1], [0, 0, 0, 0], [1, 0, 1, 1], [0, 1, 1, 1]]
    svg = matrix_svg(matrix, border=2)
    assert 'viewBox="0 0 8 8"' in svg
    runs = re.findall(r"M(\d+) (\d+)h(\d+)", svg)
    drawn = {(int(x) + dx - 2, int(y) - 2) for x, y, w in runs for dx in range(int(w))}
    assert drawn == {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}


def test_the_qr_code_printed_on_the_invoice_scans_back_to_the_transfer_details(issued_invoice):
    import io

    import zxingcpp
    from PIL import Image

    from facturier.documents import engine
    from facturier.documents.branding import document_branding
    from facturier.documents.context import build_context
    from facturier.invoicing.to_en16931 import document_to_en16931

    # given the first page of the invoice rasterized by the same template
    qr = epc_qr_for(issued_invoice)
    data = build_context(issued_invoice, document_to_en16931(issued_invoice), branding=document_branding(issued_invoice),
                         qr=True, logo=None)  # fmt: skip
    page = engine.compile_png("document.typ", data, extra_files={"qr.svg": qr}, ppi=110)[0]
    image = Image.open(io.BytesIO(page))
    # when a barcode reader scans it
    (code,) = zxingcpp.read_barcodes(image)
    # then a banking app gets the beneficiary, IBAN, amount due and the invoice's RF creditor reference
    assert code.text.split("\n") == [
        "BCD", "002", "1", "SCT", "AGRIFRPP", "Atelier Dupont SAS", "FR7630006000011234567890189",
        "EUR3130.14", "", from_invoice_number(issued_invoice.number), "",
    ]  # fmt: skip


def test_an_rf_reference_is_the_structured_remittance_and_replaces_the_text():
    payload = epc_payload(name="X", iban="FR7630006000011234567890189", amount=Decimal("10"), remittance="F1",
                          reference="RF18 5390 0754 7034")  # fmt: skip
    assert payload.split("\n")[9:] == ["RF18539007547034", ""]
    with pytest.raises(ValueError, match="RF creditor reference"):
        epc_payload(name="X", iban="FR7630006000011234567890189", amount=Decimal("10"), remittance="F1",
                    reference="RF19539007547034")  # fmt: skip


def test_the_invoice_pdf_prints_the_rf_reference_of_its_qr_code_the_one_reconciliation_matches(
    issued_invoice,
):
    # given an issued invoice, its RF reference is built from its number as the reconciliation engine does
    reference = invoice_creditor_reference(issued_invoice.number)
    assert reference == from_invoice_number(issued_invoice.number)
    # then the PDF prints it (grouped by four) as the payment reference
    assert printed(reference) in text_of(render_pdf(issued_invoice))
    # and a number too long for an RF reference has none (the number itself is then quoted)
    assert invoice_creditor_reference("F" * 30) == ""
    assert invoice_creditor_reference("") == ""


def test_no_qr_code_above_the_epc_ceiling_and_the_pdf_still_prints(make_issued):
    # given an invoice of more than EUR 999,999,999.99 (the most an EPC QR code can carry)
    invoice = make_issued([LineData(description="Centrale solaire", quantity=Decimal("1"),
                                    unit_price=Decimal("900000000.00"), vat_rate=Decimal("20.00"))])  # fmt: skip
    # then it has no QR code, and its PDF is rendered without one (found by the property test of the PDF)
    assert epc_qr_for(invoice) is None
    assert "Scannez pour payer" not in text_of(render_pdf(invoice))


def test_the_svg_draws_odd_modules_as_dark_and_gives_segnos_own_code_the_same_runs_as_a_module_walk():
    import segno

    # given module values as segno may store them (odd = dark), runs touching both edges
    matrix = [bytearray([3, 1, 2, 0, 1]), bytearray([0, 2, 2, 4, 0]), bytearray([1, 1, 1, 1, 1])]
    assert matrix_svg(matrix, border=0).endswith('d="M0 0h2v1h-2zM4 0h1v1h-1zM0 2h5v1h-5z"/></svg>')
    # and a real code is drawn run by run, exactly as walking its modules one by one does
    qr = segno.make_qr(epc_payload(name="A", iban="FR7630006000011234567890189", amount=Decimal("9.99"),
                                   remittance="FA-1"), error="m", mask=2)  # fmt: skip
    walked = "".join(
        f"M{x + 2} {y + 2}h1v1h-1z"
        for y, row in enumerate(qr.matrix)
        for x, value in enumerate(row)
        if value & 1
    )
    drawn = re.findall(r"M(\d+) (\d+)h(\d+)", matrix_svg(qr.matrix))
    assert (
        "".join(f"M{int(x) + dx} {y}h1v1h-1z" for x, y, width in drawn for dx in range(int(width))) == walked
    )
