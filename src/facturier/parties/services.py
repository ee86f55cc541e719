"""Writes on customers and their contacts: identifiers validated, one transaction each, audited.

Used by the staff UI, the REST API and the demo loader alike, so a customer is valid whichever door
it came in through. `by` is the actor (accounts.actor), checked by `accounts.authorization.authorize`.
"""

from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.accounts.services import clean_identifiers
from facturier.audit.services import audit_record
from facturier.common import domain_wording
from facturier.common.cleaning import full_clean_or_raise
from facturier.common.errors import ValidationFailed
from facturier.domain.payment_terms import parse_terms
from facturier.parties.models import Contact, Customer, Supplier, VatRegime

CUSTOMER_FIELDS = frozenset(
    {
        "code", "name", "kind", "siren", "siret", "vat_number", "registration_id", "registration_scheme",
        "address_line1", "address_line2", "postcode", "city", "country", "delivery_line1", "delivery_line2",
        "delivery_postcode", "delivery_city", "delivery_country", "email", "phone", "language", "currency",
        "payment_terms", "vat_regime", "exemption_reason", "electronic_address_scheme", "electronic_address",
        "service_code", "is_active", "notes",
    }
)  # fmt: skip
CONTACT_FIELDS = frozenset({"name", "role", "email", "phone", "is_billing_contact"})
SUPPLIER_FIELDS = frozenset(
    {
        "name", "siren", "siret", "vat_number", "registration_id", "registration_scheme", "address_line1",
        "address_line2", "postcode", "city", "country", "email", "electronic_address_scheme", "electronic_address",
        "iban", "is_active", "notes",
    }
)  # fmt: skip
_IDENTIFIER_FIELDS = ("siren", "siret", "vat_number", "currency")


def _check_unknown(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed(
            _("Unknown fields: %(names)s") % {"names": ", ".join(unknown)},
            field=unknown[0],
            code="unknown_field",
        )


def _clean_customer_fields(fields: dict[str, Any], current: Customer | None) -> dict[str, Any]:
    """Normalize identifiers, currency and terms; check they agree with each other and the regime."""
    cleaned = {
        name: value.strip() if isinstance(value, str) else value
        for name, value in fields.items()
        if name not in _IDENTIFIER_FIELDS
    }
    cleaned.update(clean_identifiers({name: fields[name] for name in _IDENTIFIER_FIELDS if name in fields}))
    for name in ("siren", "siret", "vat_number"):
        if name in fields and not cleaned.get(name):
            cleaned[name] = ""  # cleared (None or blanks), unless derived above (SIREN from SIRET)
    if (
        "siret" in fields
        and "siren" not in fields
        and current is not None
        and current.siren
        and cleaned["siret"]
    ):
        if not cleaned["siret"].startswith(current.siren):
            raise ValidationFailed(
                _("The SIRET must start with the SIREN."), field="siret", code="siret_siren_mismatch"
            )
    if "payment_terms" in fields:
        try:
            cleaned["payment_terms"] = parse_terms(str(fields["payment_terms"])).code
        except ValueError as error:
            raise ValidationFailed(
                domain_wording.payment_terms(str(fields["payment_terms"])),
                field="payment_terms",
                code="invalid_payment_terms",
            ) from error
    for name in ("country", "delivery_country"):
        if fields.get(name):
            cleaned[name] = str(fields[name]).strip().upper()
    return cleaned


def _check_customer(customer: Customer) -> None:
    if customer.vat_regime == VatRegime.EXEMPT and not customer.exemption_reason.strip():
        raise ValidationFailed(
            _("An exempt customer needs the exemption reason printed on invoices."),
            field="exemption_reason",
            code="required",
        )
    if bool(customer.electronic_address) != bool(customer.electronic_address_scheme):
        raise ValidationFailed(
            _("An e-invoicing address needs both its scheme and its identifier."),
            field="electronic_address_scheme" if customer.electronic_address else "electronic_address",
            code="incomplete_electronic_address",
        )
    full_clean_or_raise(customer, exclude=["entity"])
    clash = Customer.objects.filter(entity_id=customer.entity_id, code=customer.code).exclude(pk=customer.pk)
    if clash.exists():
        raise ValidationFailed(
            _("The customer code '%(code)s' is already used.") % {"code": customer.code},
            field="code",
            code="duplicate_code",
        )


def _save_unique(instance: models.Model, *, field: str) -> None:
    """Save; a concurrent insert of the same natural key becomes a field error, not a 500."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise ValidationFailed(
            _("This %(field)s is already used.") % {"field": field}, field=field, code=f"duplicate_{field}"
        ) from error


def customer_state(customer: Customer) -> dict[str, Any]:
    """What an audit event records of a customer."""
    return {name: getattr(customer, name) for name in sorted(CUSTOMER_FIELDS)}


@transaction.atomic
def customer_create(*, entity: LegalEntity, by: Actor, code: str, name: str, **fields: Any) -> Customer:
    """Create a customer of `entity`; identifiers are validated (python-stdnum) and normalized."""
    authorize(by, Action.EDIT_PARTIES, entity)
    _check_unknown(fields, CUSTOMER_FIELDS)
    cleaned = _clean_customer_fields(fields, None)
    customer = Customer(entity=entity, code=code.strip(), name=name.strip(), **cleaned)
    if "currency" not in fields:
        customer.currency = entity.default_currency
    _check_customer(customer)
    _save_unique(customer, field="code")
    audit_record(
        entity=entity, actor=by, action="customer.created", obj=customer, after=customer_state(customer)
    )
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, by: Actor, **fields: Any) -> Customer:
    """Change some fields of a customer. Issued invoices keep their snapshot of the old values."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    authorize(by, Action.EDIT_PARTIES, customer.entity)
    _check_unknown(fields, CUSTOMER_FIELDS)
    before = customer_state(customer)
    for name, value in _clean_customer_fields(fields, customer).items():
        setattr(customer, name, value)
    _check_customer(customer)
    _save_unique(customer, field="code")
    audit_record(entity=customer.entity, actor=by, action="customer.updated", obj=customer,
                 before=before, after=customer_state(customer))  # fmt: skip
    return customer


def _contact_state(contact: Contact) -> dict[str, Any]:
    return {name: getattr(contact, name) for name in sorted(CONTACT_FIELDS)}


@transaction.atomic
def contact_create(*, customer: Customer, by: Actor, name: str, **fields: Any) -> Contact:
    authorize(by, Action.EDIT_PARTIES, customer.entity)
    _check_unknown(fields, CONTACT_FIELDS)
    contact = Contact(entity_id=customer.entity_id, customer=customer, name=name.strip(), **fields)
    full_clean_or_raise(contact, exclude=["entity", "customer"])
    contact.save()
    audit_record(entity=customer.entity, actor=by, action="contact.created", obj=contact,
                 after={**_contact_state(contact), "customer": str(customer.pk)})  # fmt: skip
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by: Actor, **fields: Any) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    authorize(by, Action.EDIT_PARTIES, contact.entity)
    _check_unknown(fields, CONTACT_FIELDS)
    before = _contact_state(contact)
    for name, value in fields.items():
        setattr(contact, name, value)
    full_clean_or_raise(contact, exclude=["entity", "customer"])
    contact.save()
    audit_record(entity=contact.entity, actor=by, action="contact.updated", obj=contact,
                 before=before, after=_contact_state(contact))  # fmt: skip
    return contact


@transaction.atomic
def contact_delete(*, contact: Contact, by: Actor) -> None:
    authorize(by, Action.EDIT_PARTIES, contact.entity)
    audit_record(entity=contact.entity, actor=by, action="contact.deleted", obj=contact,
                 before=_contact_state(contact))  # fmt: skip
    contact.delete()


def _supplier_state(supplier: Supplier) -> dict[str, Any]:
    return {name: getattr(supplier, name) for name in sorted(SUPPLIER_FIELDS)}


@transaction.atomic
def supplier_update(*, supplier: Supplier, by: Actor, **fields: Any) -> Supplier:
    """Correct a supplier (created from its e-invoices). A changed IBAN is validated and audited: paying
    a supplier on a swapped bank account is the classic invoice fraud."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    authorize(by, Action.EDIT_PARTIES, supplier.entity, resource="inbox")  # suppliers come with the inbox
    _check_unknown(fields, SUPPLIER_FIELDS)
    before = _supplier_state(supplier)
    identifiers = ("siren", "siret", "vat_number", "iban")
    cleaned = clean_identifiers({name: fields[name] for name in identifiers if name in fields})
    for name, value in fields.items():
        if name in identifiers:
            value = cleaned.get(name) or ""
        setattr(supplier, name, value.strip() if isinstance(value, str) else value)
    if "siret" in fields and "siren" not in fields and cleaned.get("siren"):
        supplier.siren = cleaned["siren"]
    full_clean_or_raise(supplier, exclude=["entity"])
    if (
        supplier.siren
        and Supplier.objects.filter(entity_id=supplier.entity_id, siren=supplier.siren)
        .exclude(pk=supplier.pk)
        .exists()
    ):
        raise ValidationFailed(_("Another supplier has this SIREN."), field="siren", code="duplicate_siren")
    _save_unique(supplier, field="siren")
    audit_record(entity=supplier.entity, actor=by, action="supplier.updated", obj=supplier,
                 before=before, after=_supplier_state(supplier))  # fmt: skip
    return supplier
