"""The billing page lists the company's contracts and billing runs, in French and English; outsiders see none."""

import datetime as dt

import pytest
from django.test import Client

from facturier.billing.models import BillingRun

pytestmark = pytest.mark.django_db


def test_a_member_sees_the_contracts_and_billing_runs(owner, entity, make_contract):
    # given a contract and a dry run with an error
    make_contract(reference="ABO-2026-001")
    BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 1, 1), dry_run=True, status="failed",
                              results={"invoices": [], "errors": [{"contract": "ABO-2026-001", "reason": "boom"}]})  # fmt: skip
    client = Client()
    client.force_login(owner)
    # when the page is opened in French, then in English
    french = client.get("/billing/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/billing/").content.decode()
    # then the contract and the run's error show, in both languages
    assert "ABO-2026-001" in french
    assert "Boulangerie Martin SARL" in french
    assert "ABO-2026-001: boom" in french
    assert "Facturation récurrente" in french
    assert "à échoir" in french
    assert "Recurring billing" in english
    assert "in advance" in english


def test_an_outsider_sees_no_contract_of_another_company(outsider, entity, make_contract):
    make_contract(reference="ABO-SECRET")
    client = Client()
    client.force_login(outsider)
    assert "ABO-SECRET" not in client.get("/billing/").content.decode()
