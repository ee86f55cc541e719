from decimal import Decimal

import pytest

from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action, Role
from facturier.accounts.selectors import can, entities_for_user
from facturier.accounts.services import api_key_create, clean_identifiers
from facturier.common.errors import ValidationFailed
from facturier.invoicing.models import NumberingSeries
from tests.conftest import make_entity


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("siren", "552100555", "invalid_siren"),
        ("siret", "55210055400014", "invalid_siret"),
        ("vat_number", "FR00552100554", "invalid_vat_number"),
        ("iban", "FR7630006000011234567890188", "invalid_iban"),
        ("bic", "NOTABIC", "invalid_bic"),
        ("currency", "EURO", "invalid_currency"),
    ],
)
def test_invalid_identifiers_are_refused_naming_the_field(field, value, code):
    with pytest.raises(ValidationFailed) as error:
        clean_identifiers({field: value})
    assert error.value.field == field
    assert error.value.code == code


def test_identifiers_are_normalized_and_siren_derived_from_siret():
    cleaned = clean_identifiers({"siret": "552 100 554 00013", "iban": "fr76 3000 6000 0112 3456 7890 189"})
    assert cleaned["siret"] == "55210055400013"
    assert cleaned["siren"] == "552100554"
    assert cleaned["iban"] == "FR7630006000011234567890189"


def test_entity_with_invalid_siren_is_not_created(db):
    with pytest.raises(ValidationFailed):
        make_entity(siren="123456789")
    assert LegalEntity.objects.count() == 0


def test_new_entity_gets_default_numbering_series(db):
    entity = make_entity()
    assert set(NumberingSeries.objects.filter(entity=entity).values_list("code", flat=True)) == {
        "invoice", "credit_note", "quote", "order"
    }  # fmt: skip
    assert entity.share_capital == Decimal("10000.00")


def test_a_user_sees_only_their_entities(entity, owner, colleague, outsider):
    assert list(entities_for_user(owner)) == [entity]
    assert list(entities_for_user(colleague)) == [entity]
    assert entity not in entities_for_user(outsider)


def test_roles_decide_what_a_user_may_do(entity, owner, colleague, outsider):
    assert can(owner, entity, Action.MANAGE_ENTITY)
    assert can(colleague, entity, Action.ISSUE)
    assert not can(colleague, entity, Action.APPROVE)
    assert not can(outsider, entity, Action.VIEW)


def test_api_keys_store_only_a_digest_and_refuse_unknown_scopes(entity, owner):
    key, secret = api_key_create(entity=entity, name="ERP", scopes=["invoices:read"], by=owner)
    assert secret.startswith(f"fk_{key.prefix}_")
    assert secret not in key.digest
    assert key.has_scope("invoices:read")
    assert not key.has_scope("invoices:write")
    with pytest.raises(ValidationFailed):
        api_key_create(entity=entity, name="bad", scopes=["everything"], by=owner)


def test_role_values_are_the_five_of_the_product():
    assert {role.value for role in Role} == {"admin", "accountant", "sales", "approver", "auditor"}
