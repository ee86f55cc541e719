import pytest

from facturier.audit.models import AuditEvent
from facturier.common.errors import PermissionDenied, ValidationFailed
from facturier.parties.models import Contact, Customer
from facturier.parties.selectors import customer_get, customer_list
from facturier.parties.services import (
    contact_create,
    contact_delete,
    contact_update,
    customer_create,
    customer_update,
)

ADDRESS = {"address_line1": "1 rue Neuve", "postcode": "33000", "city": "Bordeaux"}


def test_a_customer_is_created_with_normalized_identifiers_and_an_audit_event(entity, owner):
    # when a customer is created with spaced identifiers
    customer = customer_create(
        entity=entity, by=owner, code="C100", name="Vins de Bordeaux SA",
        siret="443 061 841 00013", vat_number="fr 64 443061841", payment_terms="45EOM", **ADDRESS,
    )  # fmt: skip
    # then they are stored compact, the SIREN is derived from the SIRET, and the creation is audited
    assert (customer.siren, customer.siret, customer.vat_number) == (
        "443061841",
        "44306184100013",
        "FR64443061841",
    )
    assert customer.payment_terms == "45eom"
    assert customer.currency == "EUR"
    event = AuditEvent.objects.get(action="customer.created", object_id=str(customer.pk))
    assert event.actor_label == "user:owner"
    assert event.after["siren"] == "443061841"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("siren", "443061842", "invalid_siren"),
        ("siret", "44306184100014", "invalid_siret"),
        ("vat_number", "FR00443061841", "invalid_vat_number"),
        ("currency", "EUX", "invalid_currency"),
        ("payment_terms", "someday", "invalid_payment_terms"),
        ("email", "not-an-email", "invalid"),
        ("kind", "alien", "invalid_choice"),
    ],
)
def test_a_customer_with_a_bad_value_is_refused_naming_the_field_and_nothing_is_written(
    entity, owner, field, value, code
):
    customers, events = Customer.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as error:
        customer_create(entity=entity, by=owner, code="C200", name="Test", **{field: value}, **ADDRESS)
    assert (error.value.field, error.value.code) == (field, code)
    assert (Customer.objects.count(), AuditEvent.objects.count()) == (customers, events)


def test_a_blank_siren_is_derived_from_the_siret(entity, owner):
    customer = customer_create(entity=entity, by=owner, code="C7", name="X", siren="", siret="44306184100013",
                               **ADDRESS)  # fmt: skip
    assert customer.siren == "443061841"


def test_a_siret_of_another_siren_is_refused(entity, owner):
    with pytest.raises(ValidationFailed) as error:
        customer_create(entity=entity, by=owner, code="C3", name="X", siren="552100554", siret="44306184100013",
                        **ADDRESS)  # fmt: skip
    assert (error.value.field, error.value.code) == ("siret", "siret_siren_mismatch")


def test_customer_codes_are_unique_within_an_entity(entity, owner, customer):
    with pytest.raises(ValidationFailed) as error:
        customer_create(entity=entity, by=owner, code=customer.code, name="Doublon", **ADDRESS)
    assert (error.value.field, error.value.code) == ("code", "duplicate_code")


def test_an_exempt_customer_needs_the_exemption_reason(entity, owner):
    with pytest.raises(ValidationFailed) as error:
        customer_create(entity=entity, by=owner, code="C4", name="Asso", vat_regime="exempt", **ADDRESS)
    assert error.value.field == "exemption_reason"


def test_updating_a_customer_changes_only_the_given_fields_and_records_before_and_after(customer, owner):
    # when the city and VAT number change
    updated = customer_update(customer=customer, by=owner, city="Villeurbanne", vat_number="FR64443061841")
    # then the rest is untouched and the audit event holds both states
    customer.refresh_from_db()
    assert (customer.city, customer.vat_number, customer.name) == (
        "Villeurbanne",
        "FR64443061841",
        updated.name,
    )
    event = AuditEvent.objects.get(action="customer.updated")
    assert (event.before["city"], event.after["city"]) == ("Lyon", "Villeurbanne")


def test_an_invalid_update_leaves_the_customer_as_it_was(customer, owner):
    with pytest.raises(ValidationFailed) as error:
        customer_update(customer=customer, by=owner, city="Paris", siren="123")
    assert error.value.code == "invalid_siren"
    customer.refresh_from_db()
    assert (customer.city, customer.siren) == ("Lyon", "443061841")


def test_an_auditor_cannot_create_customers(entity, colleague, owner):
    # given the colleague is only an auditor
    from facturier.accounts.services import membership_set

    membership_set(entity=entity, user=colleague, role="auditor", by=owner)
    with pytest.raises(PermissionDenied):
        customer_create(entity=entity, by=colleague, code="C5", name="Nope", **ADDRESS)
    assert not Customer.objects.filter(code="C5").exists()


def test_an_outsider_cannot_create_customers_in_an_entity_they_do_not_belong_to(entity, outsider):
    with pytest.raises(PermissionDenied):
        customer_create(entity=entity, by=outsider, code="C6", name="Nope", **ADDRESS)


def test_contacts_are_created_updated_and_deleted_with_audit(customer, owner):
    contact = contact_create(customer=customer, by=owner, name="Marie Martin", email="marie@martin.example")
    contact_update(contact=contact, by=owner, role="Comptable", is_billing_contact=True)
    contact.refresh_from_db()
    assert (contact.role, contact.is_billing_contact, contact.entity_id) == (
        "Comptable",
        True,
        customer.entity_id,
    )
    contact_delete(contact=contact, by=owner)
    assert not Contact.objects.exists()
    actions = list(AuditEvent.objects.filter(action__startswith="contact.").values_list("action", flat=True))
    assert sorted(actions) == ["contact.created", "contact.deleted", "contact.updated"]


def test_a_contact_with_a_bad_email_is_refused(customer, owner):
    with pytest.raises(ValidationFailed) as error:
        contact_create(customer=customer, by=owner, name="Bad", email="nope")
    assert error.value.field == "email"


def test_selectors_never_show_another_entitys_customers(entity, customer, make_other_customer):
    # given a customer of another entity
    other = make_other_customer
    assert list(customer_list(entity=entity)) == [customer]
    assert list(customer_list(entity=entity, search="martin")) == [customer]
    with pytest.raises(Exception, match="Client inconnu"):
        customer_get(entity=entity, pk=other.pk)
    with pytest.raises(Exception, match="Client inconnu"):
        customer_get(entity=entity, pk="not-a-uuid")


@pytest.fixture
def make_other_customer(entity):
    from facturier.accounts.models import LegalEntity

    other_entity = LegalEntity.objects.exclude(pk=entity.pk).get()
    return customer_create(
        entity=other_entity, by=None, code="C001", name="Client Martin ailleurs", **ADDRESS
    )


def test_a_supplier_iban_is_validated_normalized_and_its_change_audited(entity, owner):
    from facturier.parties.models import Supplier
    from facturier.parties.services import supplier_update

    supplier = Supplier.objects.create(entity=entity, name="Imprimerie Rapide", siren="732829320")
    # when its IBAN is corrected with spaces
    supplier_update(supplier=supplier, by=owner, iban="fr76 3000 6000 0112 3456 7890 189")
    supplier.refresh_from_db()
    assert supplier.iban == "FR7630006000011234567890189"
    event = AuditEvent.objects.get(action="supplier.updated")
    assert (event.before["iban"], event.after["iban"]) == ("", "FR7630006000011234567890189")
    # then a wrong check digit is refused and the stored IBAN stays
    with pytest.raises(ValidationFailed) as error:
        supplier_update(supplier=supplier, by=owner, iban="FR7630006000011234567890188", name="Autre")
    assert (error.value.field, error.value.code) == ("iban", "invalid_iban")
    supplier.refresh_from_db()
    assert (supplier.iban, supplier.name) == ("FR7630006000011234567890189", "Imprimerie Rapide")
