"""The /time/ pages: record a week's time, approve others' entries, see and invoice the work in progress."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from facturier.timesheets.models import EntryStatus, Expense, TimeEntry
from facturier.timesheets.rates import rate_rule_create

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _client(user, language="fr"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_a_consultant_records_and_submits_a_week(consultant, project):
    client = _client(consultant)
    # on Sunday 29 March 2026 at 23:30 in Paris (21:30 UTC, after the DST change), the week is 23-29 March
    with time_machine.travel(dt.datetime(2026, 3, 29, 23, 30, tzinfo=PARIS), tick=False):
        page = client.get("/time/").content.decode()
        assert 'value="2026-03-29"' in page  # the form's date: today in Paris
        response = client.post("/time/", {"project": project.pk, "date": "2026-03-27", "hours": "1,5",
                                          "task": "Audit", "billable": "on"})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"].endswith("?week=2026-03-23")
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.person, entry.status) == (90, consultant, EntryStatus.DRAFT)
    page = client.get("/time/?week=2026-03-23").content.decode()
    assert "1 h 30" in page
    client.post("/time/submit/?week=2026-03-23")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_the_approval_queue_shows_others_entries_and_approves_them(consultant, manager, approved_time, project,
                                                                    entity):  # fmt: skip
    from facturier.timesheets.services import entry_submit, time_entry_create

    entry = time_entry_create(entity=entity, project=project, person=consultant, by=consultant,
                              date=dt.date(2026, 3, 2), minutes=45, description="Atelier")  # fmt: skip
    entry_submit(entry=entry, by=consultant)
    # the consultant (sales) has no approval queue; the manager has, in English too
    assert _client(consultant).get("/time/approvals/").status_code == 404
    manager_client = _client(manager, "en")
    page = manager_client.get("/time/approvals/").content.decode()
    assert "Approval queue" in page
    assert "Atelier" in page
    manager_client.post(f"/time/approvals/time/{entry.pk}/reject/", {"reason": ""})
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED  # a rejection without a reason is refused
    manager_client.post(f"/time/approvals/time/{entry.pk}/approve/")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED


def test_the_wip_page_values_and_invoices_a_project(owner, entity, project, approved_time):
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal("80.00"))
    approved_time(minutes=50)
    client = _client(owner)
    page = client.get("/time/wip/").content.decode()
    assert "P-1" in page
    assert "Travaux en cours" in page
    assert "80,00" in page
    response = client.post(f"/time/wip/{project.pk}/invoice/")
    entry = TimeEntry.objects.get()
    assert entry.invoice_id is not None
    assert response["Location"] == f"/documents/{entry.invoice_id}/"
    assert "Rien" in client.get("/time/wip/").content.decode()


def test_an_expense_with_a_forged_receipt_is_refused_on_the_page(consultant, project):
    client = _client(consultant, "en")
    forged = SimpleUploadedFile("receipt.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    page = client.post("/time/expenses/", {"project": project.pk, "date": "2026-03-02", "category": "meals",
                                           "amount": "12.00", "vat_amount": "1.20", "billable": "on",
                                           "receipt": forged}).content.decode()  # fmt: skip
    assert "A receipt is a PDF, JPEG or PNG file." in page
    assert Expense.objects.count() == 0
    good = SimpleUploadedFile("r.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, content_type="image/png")
    client.post("/time/expenses/", {"project": project.pk, "date": "2026-03-02", "category": "meals",
                                    "amount": "12.00", "vat_amount": "1.20", "billable": "on", "receipt": good})  # fmt: skip
    expense = Expense.objects.get()
    download = client.get(f"/time/expenses/{expense.pk}/receipt/")
    assert download["Content-Type"] == "image/png"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_the_rate_card_page_adds_a_rate_and_an_outsider_sees_none(owner, outsider, entity, consultant):
    client = _client(owner)
    client.post("/time/rates/", {"form": "rate", "hourly_rate": "120,00", "person": consultant.pk})
    assert "120,00" in client.get("/time/rates/").content.decode()
    assert "120,00" not in _client(outsider).get("/time/rates/").content.decode()
    client.post("/time/rates/", {"form": "settings", "rounding_minutes": "6", "expense_markup_percent": "5"})
    from facturier.timesheets.rates import settings_of

    assert settings_of(entity).rounding_minutes == 6
