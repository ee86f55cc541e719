"""The billing pages: a contract created with its items, changed and terminated from the screen; a run
previewed, held for approval, approved, with its progress; index values entered and imported."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from facturier.billing.models import BillingRun, Contract, IndexValue
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def client(owner):
    client = Client()
    client.force_login(owner)
    return client


def _contract_post(customer, **extra):
    data = {
        "customer": str(customer.pk), "reference": "WEB-1", "start_date": "2026-03-01", "frequency": "monthly",
        "timing": "advance", "alignment": "calendar", "trial_days": "0", "notice_days": "0",
        "proration_policy": "next_invoice", "tacit_renewal": "on",
        "item0-description": "Sièges", "item0-pricing_model": "per_unit", "item0-quantity": "5",
        "item0-unit_price": "10",
        "item1-description": "Stockage", "item1-pricing_model": "tiered", "item1-quantity": "150",
        "item1-tiers": "100:0.10; *:0.05",
        "item2-description": "", "item2-pricing_model": "per_unit", "item2-quantity": "1",
    }  # fmt: skip
    return data | extra


def test_a_contract_is_created_changed_and_terminated_from_the_screen(client, customer):
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=PARIS), tick=False):
        assert "Nouveau contrat" in client.get("/billing/contracts/new/").content.decode()
        response = client.post("/billing/contracts/new/", _contract_post(customer))
        assert response.status_code == 302, response.content.decode()[:3000]
        contract = Contract.objects.get()
        assert [(i.description, i.pricing_model) for i in contract.items.all()] == [
            ("Sièges", "per_unit"), ("Stockage", "tiered")]  # fmt: skip
        assert contract.items.get(description="Stockage").tiers[1] == {"up_to": None, "unit_price": "0.05"}
        seats = contract.items.get(description="Sièges")
        page = client.get(f"/billing/contracts/{contract.pk}/").content.decode()
        assert "Modifier une ligne" in page
        client.post(f"/billing/contracts/{contract.pk}/change/", {"item": str(seats.pk),
                                                                  "effective_date": "2026-03-15", "quantity": "8"})  # fmt: skip
        assert contract.items.filter(description="Sièges").count() == 2
        client.post(f"/billing/contracts/{contract.pk}/terminate/", {"end_date": "2026-04-01"})
    contract.refresh_from_db()
    assert (contract.status, contract.end_date) == ("terminated", dt.date(2026, 4, 1))


def test_invalid_tiers_are_refused_with_the_form_kept(client, customer):
    response = client.post("/billing/contracts/new/", _contract_post(customer, **{"item1-tiers": "ten:five"}))
    assert response.status_code == 400
    assert not Contract.objects.exists()


def test_a_run_is_previewed_held_for_approval_then_billed_with_its_progress(client, customer, make_contract):
    make_contract(reference="ABO-1", start=dt.date(2026, 3, 1))
    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=PARIS), tick=False):
        response = client.post("/billing/runs/new/", {"day": "2026-03-01", "mode": "approval"})
        run = BillingRun.objects.get()
        assert response["Location"] == f"/billing/runs/{run.pk}/"
        page = client.get(response["Location"]).content.decode()
        assert "ABO-1" in page
        assert "100.00 EUR" in page
        assert "Approuver et facturer" in page
        client.post(f"/billing/runs/{run.pk}/approve/")
        for job in JobRun.objects.filter(status=RunStatus.QUEUED):
            job_execute(run_id=job.pk)
        page = client.get(f"/billing/runs/{run.pk}/").content.decode()
    assert '<progress id="run-progress" max="1" value="1">' in page
    assert "1 facture émise." in page


def test_index_values_are_entered_and_imported(client, entity):
    client.post("/billing/indices/", {"code": "Syntec", "date": "2025-10-01", "value": "302.1"})
    upload = SimpleUploadedFile("syntec.csv", b"date;valeur\n2026-10-01;310,5\n", content_type="text/csv")
    client.post("/billing/indices/", {"code": "Syntec", "file": upload})
    assert sorted(IndexValue.objects.values_list("value", flat=True)) == [Decimal("302.1"), Decimal("310.5")]
    client.cookies["django_language"] = "en"
    assert "310.5" in client.get("/billing/indices/").content.decode()
