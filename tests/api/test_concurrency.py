"""Concurrent API requests on PostgreSQL: real connections, committed data, threads released together."""

import pytest
from django.db import connection

from facturier.audit.models import AuditEvent
from facturier.invoicing.models import Document
from facturier.parties.models import Customer
from tests.api.conftest import ALL_SCOPES, ApiClient, make_key
from tests.pg_race import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_concurrent_double_submit_submits_once_and_refuses_the_other(entity, draft_invoice):
    assert connection.vendor == "postgresql"
    _key, secret = make_key(entity, ALL_SCOPES)
    # when two clients submit the same draft at the same instant
    responses = at_once(*[lambda: ApiClient(secret).post(f"/api/v1/invoices/{draft_invoice.pk}/submit")] * 2)
    # then one succeeds, the other gets a 409 problem naming the state it found
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["code"] == "illegal_transition"
    assert refused.json()["current_status"] == "approved"
    assert AuditEvent.objects.filter(action="invoice.submitted", object_id=str(draft_invoice.pk)).count() == 1


def test_a_concurrent_double_issue_takes_one_number(entity, draft_invoice):
    _key, secret = make_key(entity, ALL_SCOPES)
    responses = at_once(*[lambda: ApiClient(secret).post(f"/api/v1/invoices/{draft_invoice.pk}/issue")] * 4)
    assert sorted(response.status_code for response in responses) == [200, 409, 409, 409]
    assert Document.objects.filter(entity=entity).exclude(number="").count() == 1
    assert AuditEvent.objects.filter(action="invoice.issued").count() == 1


def test_concurrent_requests_with_one_idempotency_key_create_one_customer(entity):
    _key, secret = make_key(entity, ALL_SCOPES)
    body = {
        "code": "RACE",
        "name": "Course",
        "address_line1": "1 rue A",
        "postcode": "75001",
        "city": "Paris",
    }

    def create():
        return ApiClient(secret).post("/api/v1/customers", body, headers={"Idempotency-Key": "race-1"})

    # when 6 retries of the same request arrive together
    responses = at_once(*[create] * 6)
    # then every one answers 201 with the same customer, which exists once
    assert [response.status_code for response in responses] == [201] * 6
    assert len({response.json()["id"] for response in responses}) == 1
    assert Customer.objects.filter(code="RACE").count() == 1
    assert sum(response.has_header("Idempotent-Replayed") for response in responses) == 5
