"""One actor, one `authorize`: users by role, API keys by scope (checked in the services, whatever the
endpoint did), portal customers on their own documents, the system and the admin trusted."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from facturier.accounts.actor import (
    ANONYMOUS,
    SYSTEM,
    AdminActor,
    ApiKeyActor,
    OAuthAppActor,
    PortalCustomerActor,
    UserActor,
    as_actor,
    as_admin,
)
from facturier.accounts.authorization import actor_ref, authorize, user_and_key
from facturier.accounts.roles import Action
from facturier.accounts.services import api_key_create
from facturier.audit.models import AuditEvent
from facturier.catalog.services import product_create
from facturier.common.errors import PermissionDenied
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create, document_update, invoice_issue
from facturier.parties.models import Supplier
from facturier.parties.services import customer_create, customer_update, supplier_update
from tests.api.conftest import make_key

ADDRESS = {"address_line1": "1 rue du Port", "postcode": "44000", "city": "Nantes", "country": "FR"}


def _invoice_for(entity, customer, product, by):
    return document_create(entity=entity, kind="invoice", customer=customer, by=by,
                           lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip


def test_as_actor_turns_what_the_edges_hold_into_actors(entity, owner):
    key, _secret = make_key(entity, ["customers:read"])
    assert as_actor(owner) == UserActor(owner)
    assert as_actor(key) == ApiKeyActor(key)
    assert as_actor(None) is SYSTEM
    assert as_actor(AnonymousUser()) is ANONYMOUS
    assert as_actor(as_actor(owner)) == UserActor(owner)  # idempotent
    with pytest.raises(TypeError):
        as_actor("owner")


def test_an_actor_is_frozen(owner):
    actor = as_actor(owner)
    with pytest.raises(AttributeError):
        actor.account = None  # type: ignore[misc]


def test_actors_name_themselves_for_comparison_and_the_audit_trail(entity, owner):
    key, _secret = make_key(entity, ["customers:read"])
    assert (as_actor(owner).ref, as_actor(owner).label) == (f"user:{owner.pk}", "user:owner")
    assert (as_actor(key).ref, as_actor(key).label) == (f"apikey:{key.pk}", f"apikey:{key.prefix}")
    assert (SYSTEM.ref, SYSTEM.label) == (None, "system")
    assert user_and_key(as_actor(owner)) == (owner, None)
    assert user_and_key(as_actor(key)) == (None, key)
    assert user_and_key(SYSTEM) == (None, None)
    assert actor_ref(owner) == actor_ref(as_actor(owner))  # a plain user still compares the same


def test_a_key_with_customers_read_cannot_create_an_invoice_through_the_service(entity, customer, product):
    # given a key that may only read customers, and no endpoint in between to check it
    key, _secret = make_key(entity, ["customers:read"])
    # when it creates an invoice directly through the service, then the service refuses it
    with pytest.raises(PermissionDenied) as refused:
        _invoice_for(entity, customer, product, as_actor(key))
    assert refused.value.code == "insufficient_scope"
    assert refused.value.extra["required_scope"] == "invoices:write"
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [(["customers:read"], False), (["customers:write"], True), (["invoices:write"], False), (["*"], True)],
)
def test_a_key_writes_customers_only_with_customers_write(entity, scopes, allowed):
    key = as_actor(make_key(entity, scopes)[0])

    def create():
        return customer_create(entity=entity, by=key, code="C9", name="Client direct", **ADDRESS)

    if allowed:
        assert create().code == "C9"
    else:
        with pytest.raises(PermissionDenied):
            create()


def test_a_key_writes_products_only_with_products_write(entity):
    key = as_actor(make_key(entity, ["customers:write"])[0])
    with pytest.raises(PermissionDenied) as refused:
        product_create(entity=entity, by=key, sku="X", name="X", unit_price="1.00", vat_category="S",
                       vat_rate=Decimal("20.00"))  # fmt: skip
    assert refused.value.extra["required_scope"] == "products:write"


def test_a_key_edits_a_document_only_with_the_scope_of_its_resource(entity, customer, product, owner):
    # given a draft invoice, and a key that may write quotes only
    invoice = _invoice_for(entity, customer, product, as_actor(owner))
    key = as_actor(make_key(entity, ["quotes:write"])[0])
    # when it edits or issues the invoice through the services, then both are refused
    with pytest.raises(PermissionDenied) as refused:
        document_update(document=invoice, by=key, note="changed")
    assert refused.value.extra["required_scope"] == "invoices:write"
    with pytest.raises(PermissionDenied):
        invoice_issue(invoice=invoice, by=key)


def test_a_key_acts_only_in_its_own_entity(entity, customer):
    other = make_key(entity, ["*"])[0]
    from facturier.accounts.models import LegalEntity

    second = LegalEntity.objects.exclude(pk=entity.pk).get()
    with pytest.raises(PermissionDenied):
        authorize(as_actor(other), Action.EDIT_PARTIES, second)


def test_a_key_cannot_manage_the_company_without_the_star_scope(entity):
    key = as_actor(make_key(entity, ["customers:write", "invoices:write", "invoices:approve"])[0])
    with pytest.raises(PermissionDenied):
        api_key_create(entity=entity, name="escalated", scopes=["*"], by=key)


def test_users_act_by_their_role(entity, owner, colleague, outsider):
    authorize(as_actor(owner), Action.MANAGE_ENTITY, entity)
    authorize(as_actor(colleague), Action.ISSUE, entity)
    with pytest.raises(PermissionDenied):
        authorize(as_actor(colleague), Action.MANAGE_ENTITY, entity)
    with pytest.raises(PermissionDenied):
        authorize(as_actor(outsider), Action.VIEW, entity, resource="invoices")
    with pytest.raises(PermissionDenied):
        authorize(ANONYMOUS, Action.VIEW, entity, resource="invoices")


def test_the_system_and_the_admin_are_trusted(entity, owner):
    owner.is_superuser = True
    authorize(SYSTEM, Action.MANAGE_ENTITY, entity)
    authorize(as_admin(owner), Action.MANAGE_ENTITY, entity)
    assert as_admin(owner) == AdminActor("owner")


def test_only_a_superuser_acts_as_admin(colleague):
    with pytest.raises(TypeError):
        as_admin(colleague)


def test_a_call_naming_no_resource_is_a_programming_error(entity):
    # viewing or editing documents spans several resources: the caller must say which
    with pytest.raises(ValueError, match="resource"):
        authorize(SYSTEM, Action.EDIT_DOCUMENTS, entity)


def test_an_oauth_application_is_limited_to_its_scopes_and_entity(entity):
    app = OAuthAppActor(application_id="crm", entity_id=entity.pk, scopes=frozenset({"customers:write"}))
    authorize(app, Action.EDIT_PARTIES, entity)
    authorize(app, Action.VIEW, entity, resource="customers")
    with pytest.raises(PermissionDenied):
        authorize(app, Action.EDIT_DOCUMENTS, entity, resource="invoices")


def test_a_portal_customer_may_only_read_its_own_documents(entity, customer, product, owner):
    # given an invoice to `customer`, and another customer of the same company
    invoice = _invoice_for(entity, customer, product, as_actor(owner))
    other = customer_create(entity=entity, by=SYSTEM, code="C2", name="Autre client", **ADDRESS)
    buyer = PortalCustomerActor(customer_id=customer.pk, entity_id=entity.pk)
    stranger = PortalCustomerActor(customer_id=other.pk, entity_id=entity.pk)
    # then the buyer reads its invoice, and nothing else
    authorize(buyer, Action.VIEW, entity, invoice)
    with pytest.raises(PermissionDenied) as refused:
        authorize(stranger, Action.VIEW, entity, invoice)
    assert refused.value.code == "portal_own_documents_only"
    for action in (Action.EDIT_DOCUMENTS, Action.APPROVE, Action.ISSUE):
        with pytest.raises(PermissionDenied):
            authorize(buyer, action, entity, invoice)
    with pytest.raises(PermissionDenied):  # no list of every document either
        authorize(buyer, Action.VIEW, entity, resource="invoices")
    with pytest.raises(PermissionDenied):
        customer_update(customer=customer, by=buyer, name="Renamed")


def test_the_audit_trail_records_each_kind_of_actor(entity, customer, owner):
    key = as_actor(make_key(entity, ["customers:write"])[0])
    customer_update(customer=customer, by=as_actor(owner), name="Par un utilisateur")
    customer_update(customer=customer, by=key, name="Par une clé")
    customer_update(customer=customer, by=SYSTEM, name="Par le système")
    events = AuditEvent.objects.filter(action="customer.updated").order_by("position")
    assert [(event.actor_label, event.actor_id) for event in events] == [
        ("user:owner", owner.pk), (key.label, None), ("system", None)
    ]  # fmt: skip


def test_suppliers_are_corrected_with_the_inbox_scope(entity):
    # suppliers come with received invoices: their API (and so their service) needs `inbox:write`
    supplier = Supplier.objects.create(entity=entity, name="Fournisseur", **ADDRESS)
    supplier_update(supplier=supplier, by=as_actor(make_key(entity, ["inbox:write"])[0]), notes="ok")
    with pytest.raises(PermissionDenied) as refused:
        supplier_update(supplier=supplier, by=as_actor(make_key(entity, ["customers:write"])[0]), notes="no")
    assert refused.value.extra["required_scope"] == "inbox:write"
