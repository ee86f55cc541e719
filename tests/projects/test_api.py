"""`/api/v1/projects`: create a project with its deposit, add milestones, record progress and an
acceptance, invoice a milestone; scopes and clear errors."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.projects.models import Milestone
from tests.api.conftest import ApiClient, assert_problem, make_key

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def api(entity):
    key, secret = make_key(entity, ["projects:write", "invoices:write"])
    return ApiClient(secret, key)


@time_machine.travel(NOW, tick=False)
def test_a_project_is_created_and_billed_through_the_api(api, customer):
    # when a project with a 30 % deposit is created, the deposit invoiced, a balance added and accepted
    created = api.post("/api/v1/projects", {
        "reference": "API-1", "name": "Migration", "customer": str(customer.pk), "start_date": "2026-03-02",
        "fixed_price": "5000.00", "deposit_percent": "30", "phases": ["Audit", "Bascule"],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    project = created.json()
    deposit = project["milestones"][0]
    assert (deposit["kind"], deposit["amount"], deposit["reached"]) == ("deposit", "1500.00", True)
    invoiced = api.post(f"/api/v1/projects/{project['id']}/milestones/{deposit['id']}/invoice")
    assert invoiced.status_code == 201, invoiced.content
    assert invoiced.json()["type_code"] == "386"
    balance = api.post(f"/api/v1/projects/{project['id']}/milestones", {
        "kind": "balance", "label": "Solde", "trigger": "acceptance", "deliverable": "Bascule",
        "phase": project["phases"][1]["id"],
    })  # fmt: skip
    assert balance.status_code == 201, balance.content
    accepted = api.post(f"/api/v1/projects/{project['id']}/milestones/{balance.json()['id']}/acceptance",
                        {"signed_by": "M. Martin", "reservations": "Un rapport manque"})  # fmt: skip
    assert accepted.status_code == 201
    lifted = api.post(f"/api/v1/projects/{project['id']}/acceptances/{accepted.json()['id']}/lift")
    assert lifted.json()["reservations_lifted_on"] == "2026-03-10"
    final = api.post(f"/api/v1/projects/{project['id']}/milestones/{balance.json()['id']}/invoice").json()
    # then the balance bills 5,000 and deducts the 1,800 deposit (VAT included)
    assert (final["type_code"], final["tax_exclusive"], final["prepaid"], final["payable"]) == (
        "380",
        "5000.00",
        "1800.00",
        "4200.00",
    )
    progress = api.post(f"/api/v1/projects/{project['id']}/progress", {"percent": "100"})
    assert progress.json()["progress"] == "100.00"
    listed = api.get("/api/v1/projects").json()["items"]
    assert [p["reference"] for p in listed] == ["API-1"]


def test_shares_beyond_the_price_and_unknown_ids_are_clear_problems(api, make_project):
    project = make_project(price="1000.00")
    response = api.post(f"/api/v1/projects/{project.pk}/milestones", {
        "kind": "instalment", "label": "Tout", "trigger": "date", "due_date": "2026-04-01", "percent": "100.01",
    })  # fmt: skip
    assert_problem(response, 422, "invalid_share", field="percent")
    response = api.post(f"/api/v1/projects/{project.pk}/milestones", {
        "kind": "instalment", "label": "Trop", "trigger": "date", "due_date": "2026-04-01", "amount": "1000.01",
    })  # fmt: skip
    assert_problem(response, 422, "shares_exceed_fixed_price", field="amount")
    missing = api.post(f"/api/v1/projects/{project.pk}/milestones/{project.pk}/invoice")
    assert missing.status_code == 404
    assert not Milestone.objects.exists()


def test_a_key_without_the_projects_scope_is_refused(entity, make_project):
    make_project()
    key, secret = make_key(entity, ["invoices:write"])
    assert_problem(ApiClient(secret, key).get("/api/v1/projects"), 403, "insufficient_scope")
