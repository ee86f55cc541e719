"""The reconciliation rules page: shows the company's rules, an admin changes them through `banking.rules`
(the CLI's service: same checks, same audit), other members only read them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.audit.models import AuditEvent
from facturier.banking.models import ReconciliationModel
from facturier.banking.reconciliation_inputs import rules_of

URL = reverse("web:bank-reconciliation-rules")


def _values(**changes):
    values = {"fee_tolerance": "5.00", "fee_account": "627", "writeoff_tolerance": "1.00",
              "writeoff_account": "658", "auto_threshold": "0.95", "propose_threshold": "0.5",
              "max_items_in_sum": "5"}  # fmt: skip
    return {**values, **changes}


@pytest.mark.django_db
def test_an_admin_changes_the_rules_with_a_french_decimal_comma(client, owner, entity):
    client.force_login(owner)
    page = client.get(URL)
    assert page.status_code == 200
    assert 'id="reconciliation-rules"' in page.content.decode()
    assert URL in page.content.decode()  # in the payments sub-navigation
    defaults = {name: str(getattr(rules_of(entity), name)) for name in ("fee_account", "writeoff_account")}
    response = client.post(URL, _values(fee_tolerance="2,50", fee_account="6278",
                                        writeoff_account=defaults["writeoff_account"]))  # fmt: skip
    assert response.status_code == 302
    rules = rules_of(entity)
    assert (rules.fee_tolerance, rules.fee_account) == (Decimal("2.50"), "6278")
    event = AuditEvent.objects.get(action="bank_reconciliation.rules_changed")
    assert (event.before["fee_account"], event.after["fee_account"]) == ("627", "6278")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("fee_tolerance", "-1"), ("fee_tolerance", "1.234"), ("writeoff_account", "65x"),
     ("auto_threshold", "1.5"), ("propose_threshold", "0.99"), ("max_items_in_sum", "50")],
)  # fmt: skip
def test_a_refused_value_is_shown_next_to_its_field_and_nothing_is_saved(client, owner, entity, field, value):
    client.force_login(owner)
    response = client.post(URL, _values(**{field: value}))
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert f'href="#id_{field}"' in page
    assert not ReconciliationModel.objects.exists()
    assert not AuditEvent.objects.filter(action="bank_reconciliation.rules_changed").exists()


@pytest.mark.django_db
def test_an_accountant_reads_the_rules_but_cannot_change_them(client, colleague, entity):
    client.force_login(colleague)
    page = client.get(URL).content.decode()
    assert 'id="rules-read-only"' in page
    assert "disabled" in page
    assert client.post(URL, _values(fee_account="6278")).status_code == 404
    assert not ReconciliationModel.objects.exists()


@pytest.mark.django_db
def test_the_rules_page_is_in_french(client, owner, entity):
    client.force_login(owner)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Règles de rapprochement" in page
