"""`/api/v1/time-entries` and `/api/v1/expenses` with their scopes."""

import base64
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.timesheets.models import EntryStatus, TimeEntry
from tests.api.conftest import ALL_SCOPES, ApiClient, assert_problem, make_key

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")


@pytest.fixture
def writer(entity):
    key, secret = make_key(entity, ["time_entries:write", "expenses:write"])
    return ApiClient(secret, key)


@pytest.fixture
def approving(entity):
    key, secret = make_key(entity, ["time_entries:approve", "expenses:approve"], name="approvals")
    return ApiClient(secret, key)


def test_a_time_entry_is_recorded_submitted_and_approved_by_another_key(
    writer, approving, project, consultant
):
    created = writer.post("/api/v1/time-entries", {"project": str(project.pk), "person_username": "alice",
                                                   "date": "2026-03-02", "hours": "1.25", "task": "Audit",
                                                   "submit": True})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["minutes"], body["status"], body["person_username"]) == (75, "submitted", "alice")
    # the key that recorded it lacks the approve scope; the approvals key has it
    assert_problem(writer.post(f"/api/v1/time-entries/{body['id']}/approve"), 403, "insufficient_scope")
    approved = approving.post(f"/api/v1/time-entries/{body['id']}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    listed = writer.get("/api/v1/time-entries", {"status": "approved"}).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]


def test_a_key_that_recorded_and_may_approve_does_not_approve_its_own_entries(entity, project, consultant):
    key, secret = make_key(entity, [*ALL_SCOPES, "time_entries:approve"])
    both = ApiClient(secret, key)
    entry = both.post("/api/v1/time-entries", {"project": str(project.pk), "person_username": "alice",
                                               "minutes": 30, "submit": True}).json()  # fmt: skip
    assert_problem(both.post(f"/api/v1/time-entries/{entry['id']}/approve"), 403, "approval_by_submitter")


def test_without_a_date_the_entry_is_dated_today_in_the_company_time_zone(writer, project, consultant):
    # at 23:30 UTC on 31 December it is already New Year's Day in Paris
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        body = writer.post("/api/v1/time-entries", {"project": str(project.pk), "person_username": "alice",
                                                    "minutes": 30}).json()  # fmt: skip
    assert body["date"] == "2027-01-01"


def test_a_key_without_the_scope_sees_nothing(entity, project, consultant):
    key, secret = make_key(entity, ["customers:read"])
    reader = ApiClient(secret, key)
    assert_problem(reader.get("/api/v1/time-entries"), 403, "insufficient_scope")
    assert_problem(reader.post("/api/v1/expenses", {}), 403, "insufficient_scope")


def test_an_expense_with_a_receipt_and_one_with_a_forged_receipt(writer, project, consultant):
    pdf = base64.b64encode(b"%PDF-1.7\n%receipt").decode()
    created = writer.post("/api/v1/expenses", {"project": str(project.pk), "person_username": "alice",
                                               "date": "2026-03-02", "category": "travel", "amount": "120.00",
                                               "vat_amount": "24.00", "receipt_base64": pdf})  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["receipt_type"] == "application/pdf"
    forged = base64.b64encode(b"<svg onload=alert(1)>").decode()
    refused = writer.post("/api/v1/expenses", {"project": str(project.pk), "person_username": "alice",
                                               "category": "travel", "amount": "1.00", "receipt_base64": forged})  # fmt: skip
    assert_problem(refused, 422, "receipt_type", field="receipt")


def test_an_unknown_project_or_person_is_a_named_error(writer, project, consultant, outsider):
    assert_problem(writer.post("/api/v1/time-entries", {"project": "00000000-0000-0000-0000-000000000000",
                                                        "person_username": "alice", "minutes": 5}),
                   422, "unknown_project", field="project")  # fmt: skip
    assert_problem(writer.post("/api/v1/time-entries", {"project": str(project.pk), "person_username": "outsider",
                                                        "minutes": 5}), 422, "unknown_person", field="person")  # fmt: skip
    assert TimeEntry.objects.filter(status=EntryStatus.DRAFT).count() == 0
