"""Situations invoiced through the invoicing services: issued, validated against the official EN 16931
rules (when the conformance folder is there), amounts carried as docs/construction.md says."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from lxml import etree

from facturier.construction.services import ProgressInput, situation_issue, situation_record
from facturier.invoicing.einvoice import cii_profile, document_xml
from facturier.invoicing.models import Status

pytestmark = pytest.mark.django_db


def _all(contract, percent):
    return [ProgressInput(line=line, percent=Decimal(percent)) for line in contract.lines.all()]


@time_machine.travel(dt.datetime(2026, 3, 31, 10, tzinfo=dt.UTC), tick=False)
def test_three_situations_bill_the_contract_exactly_and_validate(make_contract, owner):
    contract = make_contract()
    situations = []
    for percent in ("30", "65", "100"):
        situation = situation_record(contract=contract, by=owner, progress=_all(contract, percent))
        situations.append(situation_issue(situation=situation, by=owner))
    worth = Decimal("4260.00") + Decimal("48000.00") + Decimal("8572.62")
    assert sum(s.amount for s in situations) == worth
    for situation in situations:
        document = situation.document
        assert document.status == Status.ISSUED
        assert document.number
        assert document.tax_exclusive == situation.amount
        # VAT on the full amount; the retention withheld from what is paid now only
        assert situation.retention == (document.tax_inclusive * Decimal("0.05")).quantize(Decimal("0.01"))
        assert document.prepaid == situation.retention
        assert document.payable == document.tax_inclusive - situation.retention
    first_lines = list(situations[1].document.lines.order_by("position"))
    assert "65.00 %" in first_lines[0].description
    assert "1278.00" in first_lines[0].description  # previously invoiced: 30 % of 4260.00
    assert "1491.00" in first_lines[0].description  # this situation: 2769.00 - 1278.00


@time_machine.travel(dt.datetime(2026, 3, 31, 10, tzinfo=dt.UTC), tick=False)
def test_the_einvoice_carries_the_retention_as_paid_amount(make_contract, owner):
    contract = make_contract()
    situation = situation_issue(
        situation=situation_record(contract=contract, by=owner, progress=_all(contract, "40")), by=owner
    )
    xml = etree.fromstring(
        document_xml(situation.document, syntax="cii", profile=cii_profile(situation.document))
    )
    ns = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
    summation = xml.find(".//ram:SpecifiedTradeSettlementHeaderMonetarySummation", ns)
    grand = Decimal(summation.findtext("ram:GrandTotalAmount", namespaces=ns))
    prepaid = Decimal(summation.findtext("ram:TotalPrepaidAmount", namespaces=ns))
    due = Decimal(summation.findtext("ram:DuePayableAmount", namespaces=ns))
    assert prepaid == situation.retention
    assert due == grand - prepaid
    process = xml.findtext(".//{*}BusinessProcessSpecifiedDocumentContextParameter/{*}ID")
    assert process
    assert process.endswith("1")


def test_official_rules_run_on_issue():
    """These tests exercise the official EN 16931 and French rules: they are installed for tests."""
    assert settings.EINVOICE_VALIDATE_ON_ISSUE is True


@time_machine.travel(dt.datetime(2026, 3, 31, 10, tzinfo=dt.UTC), tick=False)
def test_the_printed_invoice_shows_the_progress_and_the_retention(make_contract, owner):
    from facturier.documents.branding import document_branding  # noqa: PLC0415
    from facturier.documents.context import build_context  # noqa: PLC0415
    from facturier.invoicing.to_en16931 import document_to_en16931  # noqa: PLC0415

    contract = make_contract()
    situation_issue(
        situation=situation_record(contract=contract, by=owner, progress=_all(contract, "30")), by=owner
    )
    second = situation_record(contract=contract, by=owner, progress=_all(contract, "65"))
    document = situation_issue(situation=second, by=owner).document
    context = build_context(
        document, document_to_en16931(document), branding=document_branding(document), qr=False, logo=None
    )
    totals = {row[0]: row[1] for row in context["totals"]}
    assert "Retenue de garantie" in totals
    assert "Acomptes déduits" not in totals
    assert "Situation de travaux n° 2 du marché M-1" in context["note"]
    printed = str(context)
    assert (
        "cumul 65.00 % : 5572.20 EUR ; déjà facturé : 2571.79 EUR ; cette situation : 3000.41 EUR" in printed
    )
