"""The page creating a construction contract (/construction/new/): customer picker, retention or bank
guarantee, bill of quantities rows; refused input is shown on its field and nothing is written."""

from decimal import Decimal

import pytest
from django.test import Client

from facturier.audit.models import AuditEvent
from facturier.construction.models import ConstructionContract

pytestmark = pytest.mark.django_db
URL = "/construction/new/"


@pytest.fixture
def client_of(owner):
    client = Client()
    client.force_login(owner)
    return client


def _post(chosen, **extra):
    return {
        "customer": str(chosen.pk), "reference": "CT-9", "name": "Rénovation de la halle", "currency": "",
        "retention_rate": "5", "bank_guarantee_reference": "", "guarantee_months": "12",
        "line0-description": "Terrassement", "line0-unit": "MTK", "line0-quantity": "120",
        "line0-unit_price": "35,50", "line0-vat_rate": "20",
        "line1-description": "Menuiseries", "line1-unit": "H87", "line1-quantity": "14",
        "line1-unit_price": "612,33", "line1-vat_rate": "10",
        **{f"line{n}-unit": "C62" for n in range(2, 8)}, **extra,
    }  # fmt: skip


def test_the_page_is_linked_from_the_list_in_both_languages(client_of, entity):
    assert URL in client_of.get("/construction/").content.decode()
    french = client_of.get(URL).content.decode()
    assert "Nouveau marché de travaux" in french
    assert "Bordereau des quantités" in french
    client_of.cookies["django_language"] = "en"
    english = client_of.get(URL).content.decode()
    assert "New construction contract" in english
    assert "Bank guarantee reference" in english


def test_a_contract_is_created_with_its_bill_of_quantities(client_of, customer):
    response = client_of.post(URL, _post(customer))
    contract = ConstructionContract.objects.get(reference="CT-9")
    assert response.status_code == 302
    assert response["Location"] == f"/construction/{contract.pk}/"
    assert (contract.customer, contract.name, contract.currency) == (
        customer,
        "Rénovation de la halle",
        "EUR",
    )
    assert (contract.retention_rate, contract.guarantee_months) == (Decimal("5.00"), 12)
    lines = list(contract.lines.order_by("position").values_list("description", "unit", "quantity", "unit_price",
                                                                 "vat_rate"))  # fmt: skip
    assert lines == [
        ("Terrassement", "MTK", Decimal("120"), Decimal("35.50"), Decimal("20")),
        ("Menuiseries", "H87", Decimal("14"), Decimal("612.33"), Decimal("10")),
    ]
    assert AuditEvent.objects.filter(action="construction_contract.created").count() == 1


def test_a_bank_guarantee_without_a_rate_means_no_retention(client_of, customer):
    response = client_of.post(URL, _post(customer, retention_rate="", bank_guarantee_reference="CAUTION-77"))
    assert response.status_code == 302
    contract = ConstructionContract.objects.get(reference="CT-9")
    assert (contract.retention_rate, contract.bank_guarantee_reference) == (Decimal("0.00"), "CAUTION-77")


@pytest.mark.parametrize(
    ("extra", "shown"),
    [
        ({"retention_rate": "7"}, "entre 0 et 5"),  # the service's rule, on its field
        ({"retention_rate": "5", "bank_guarantee_reference": "CAUTION-77"}, "0 %"),
        ({"customer": "", "customer__search": "Personne"}, "Personne"),  # the picker's own message
        ({"line1-unit_price": ""}, "Line 2"),  # a described line needs its price (the row is named)
        ({"line0-description": "", "line1-description": ""}, "au moins une ligne"),
        ({"currency": "ZZZ"}, "ZZZ"),
    ],
)
def test_refused_input_is_shown_and_nothing_is_written(client_of, customer, extra, shown):
    client_of.cookies["django_language"] = "en" if shown == "Line 2" else "fr"
    response = client_of.post(URL, _post(customer, **extra))
    assert response.status_code == 400, response.context["problems"]
    assert shown in response.content.decode()
    assert 'id="construction-form"' in response.content.decode()  # the form is shown again, as typed
    assert not ConstructionContract.objects.exists()
    assert not AuditEvent.objects.filter(action="construction_contract.created").exists()


def test_a_duplicate_reference_is_refused_on_its_field(client_of, customer, make_contract):
    make_contract(reference="CT-9")
    response = client_of.post(URL, _post(customer))
    assert response.status_code == 400
    assert "CT-9" in response.content.decode()
    assert ConstructionContract.objects.count() == 1


def test_a_member_who_may_not_edit_finds_no_page(entity, owner):
    from django.contrib.auth import get_user_model

    from facturier.accounts.roles import Role
    from facturier.accounts.services import membership_set

    auditor = get_user_model().objects.create_user("auditor", "auditor@example.fr", "pw-auditor-123")
    membership_set(entity=entity, user=auditor, role=Role.AUDITOR, by=owner)
    client = Client()
    client.force_login(auditor)
    assert client.get(URL).status_code == 404
    assert URL not in client.get("/construction/").content.decode()
