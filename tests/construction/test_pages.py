"""The construction pages in French and English: list, contract, situation form, issue, acceptance, release."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from facturier.construction.models import ContractStatus, Situation

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(owner):
    client = Client()
    client.force_login(owner)
    return client


def test_list_and_detail_in_both_languages_and_linked_from_billing(client_of, make_contract):
    contract = make_contract()
    french = client_of.get("/construction/").content.decode()
    assert "Marchés de travaux" in french
    assert "M-1" in french
    assert "Boulangerie Martin SARL" in french
    assert "/construction/" in client_of.get("/billing/").content.decode()
    detail = client_of.get(f"/construction/{contract.pk}/").content.decode()
    assert "Bordereau des quantités" in detail
    assert "Terrassement" in detail
    assert "Saisir une situation" in detail
    client_of.cookies["django_language"] = "en"
    english = client_of.get(f"/construction/{contract.pk}/").content.decode()
    assert "Bill of quantities" in english
    assert "Retention guarantee" in english


@time_machine.travel(dt.datetime(2026, 6, 30, 12, tzinfo=dt.UTC), tick=False)
def test_enter_a_situation_issue_it_accept_and_release(client_of, make_contract):
    contract = make_contract()
    lines = {line.position: line for line in contract.lines.all()}
    form = client_of.get(f"/construction/{contract.pk}/situation/").content.decode()
    assert 'name="percent_1"' in form
    assert 'name="quantity_1"' in form
    response = client_of.post(f"/construction/{contract.pk}/situation/", {
        "date": "2026-06-30", "percent_1": "50", "quantity_3": "7", "percent_2": "",
    })  # fmt: skip
    assert response.status_code == 302
    situation = Situation.objects.get(contract=contract)
    amounts = {row.line_id: row.amount for row in situation.lines.all()}
    assert amounts[lines[1].pk] == Decimal("2130.00")
    assert amounts[lines[3].pk] == Decimal("4286.31")
    assert amounts[lines[2].pk] == 0
    client_of.post(f"/construction/{contract.pk}/situations/{situation.pk}/issue/")
    situation.refresh_from_db()
    assert situation.document.number
    assert situation.retention > 0
    page = client_of.get(f"/construction/{contract.pk}/").content.decode()
    assert situation.document.number in page
    client_of.post(f"/construction/{contract.pk}/accept/", {"acceptance_date": "2026-06-30"})
    response = client_of.post(f"/construction/{contract.pk}/release/", {}, follow=True)
    assert "2027-06-30" in response.content.decode()  # not due yet: the date is said
    client_of.post(f"/construction/{contract.pk}/release/", {"early": "on", "reason": "Caution fournie"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.CLOSED
    assert contract.release.amount == situation.retention


def test_bad_progress_is_shown_on_the_form(client_of, make_contract):
    contract = make_contract()
    response = client_of.post(
        f"/construction/{contract.pk}/situation/", {"date": "2026-06-30", "percent_1": "120"}
    )
    assert response.status_code == 200
    assert "au plus de 100 % de la ligne" in response.content.decode()
    both = client_of.post(f"/construction/{contract.pk}/situation/",
                          {"date": "2026-06-30", "percent_1": "10", "quantity_1": "3"})  # fmt: skip
    assert "pas les deux" in both.content.decode()
    assert not Situation.objects.filter(contract=contract).exists()


def test_an_outsider_sees_no_contract_of_another_company(outsider, make_contract):
    contract = make_contract(reference="M-SECRET")
    client = Client()
    client.force_login(outsider)
    assert "M-SECRET" not in client.get("/construction/").content.decode()
    assert client.get(f"/construction/{contract.pk}/").status_code == 404
