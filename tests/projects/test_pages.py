"""The project pages, in French and English: create a project, add milestones, record progress and an
acceptance, lift reservations, invoice a reached milestone; outsiders see nothing."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from facturier.invoicing.models import TypeCode
from facturier.projects.models import Acceptance, Milestone, Project

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def client(owner):
    client = Client()
    client.force_login(owner)
    return client


@time_machine.travel(NOW, tick=False)
def test_a_project_is_created_billed_and_shown_through_the_pages(client, customer):
    # when a project with a 30 % deposit and two phases is created from the form
    response = client.post("/projects/new/", {
        "reference": "PRJ-7", "name": "Refonte", "customer": customer.pk, "start_date": "2026-03-02",
        "fixed_price": "10 000,00", "deposit_percent": "30", "vat_rate": "20", "phases": "Conception\nRéalisation",
    })  # fmt: skip
    project = Project.objects.get(reference="PRJ-7")
    assert response.status_code == 302
    assert response.url == f"/projects/{project.pk}/"
    deposit = project.milestones.get()
    # and the deposit is invoiced at once, a milestone triggered by acceptance added and accepted with reservations
    assert client.post(f"/projects/{project.pk}/milestones/{deposit.pk}/bill/").status_code == 302
    phase = project.phases.get(name="Réalisation")
    client.post(f"/projects/{project.pk}/milestones/", {
        "kind": "balance", "label": "Solde", "trigger": "acceptance", "deliverable": "Site en ligne", "phase": phase.pk,
    })  # fmt: skip
    balance = project.milestones.get(kind="balance")
    client.post(f"/projects/{project.pk}/acceptances/", {
        "milestone": balance.pk, "signed_by": "Mme Martin", "accepted_on": "2026-03-10", "reservations": "Logo flou",
    })  # fmt: skip
    client.post(f"/projects/{project.pk}/progress/", {"percent": "80", "phase": phase.pk})
    page = client.get(f"/projects/{project.pk}/").content.decode()
    # then the page shows the deposit invoice, the reservations to lift and the progress, in French
    assert "Acompte (386)" in page or "386" in page
    assert "Logo flou" in page
    assert "Lever les réserves" in page
    assert 'value="80.00"' in page
    acceptance = Acceptance.objects.get()
    client.post(f"/projects/{project.pk}/acceptances/{acceptance.pk}/lift/")
    assert client.post(f"/projects/{project.pk}/milestones/{balance.pk}/bill/").status_code == 302
    balance.refresh_from_db()
    assert balance.invoice.type_code == TypeCode.COMMERCIAL
    assert balance.invoice.prepaid == Decimal("3600.00")
    client.cookies["django_language"] = "en"
    english = client.get(f"/projects/{project.pk}/").content.decode()
    assert "Acceptance reports" in english
    assert "Deposits deducted" in english
    assert "PRJ-7" in client.get("/projects/").content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_milestone_beyond_the_fixed_price_shows_the_error_on_the_page(client, make_project):
    project = make_project()
    response = client.post(f"/projects/{project.pk}/milestones/", {
        "kind": "instalment", "label": "Trop", "amount": "10 000,01", "trigger": "date", "due_date": "2026-04-01",
    })  # fmt: skip
    assert response.status_code == 422
    assert "plus que le prix forfaitaire" in response.content.decode()
    assert not Milestone.objects.filter(label="Trop").exists()


def test_an_outsider_sees_no_project_of_another_company(outsider, make_project):
    project = make_project(reference="PRJ-SECRET")
    client = Client()
    client.force_login(outsider)
    assert "PRJ-SECRET" not in client.get("/projects/").content.decode()
    assert client.get(f"/projects/{project.pk}/").status_code == 404
