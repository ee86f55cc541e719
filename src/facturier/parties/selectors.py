"""Reads on customers, always scoped to one legal entity."""

import uuid

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.common.lookup import get_visible
from facturier.common.text_search import indexed_on_sqlite, matching, phrase
from facturier.parties.models import Contact, Customer, Supplier


def customer_list(
    *, entity: LegalEntity, search: str = "", is_active: bool | None = None, kind: str | None = None
) -> QuerySet[Customer]:
    """Customers of `entity`, filtered by a free-text search (name, code, SIREN, VAT, city)."""
    customers: QuerySet[Customer] = Customer.objects.filter(entity=entity)
    if search.strip():
        customers = customers.filter(customer_search(search.strip()))
    if is_active is not None:
        customers = customers.filter(is_active=is_active)
    if kind:
        customers = customers.filter(kind=kind)
    return customers


CUSTOMER_INDEX = "parties_customer_search"  # SQLite's FTS5 trigram index (parties 0005)


def customer_search(term: str) -> Q:
    """Name, code, VAT number or city contains `term`, or the SIREN starts with it (case-insensitive).

    PostgreSQL: one trigram index per column (parties 0003), combined by a BitmapOr, or the name order
    read with a filter when the term is common (the planner's choice). SQLite: one FTS5 query on the
    trigram index (parties 0005; `^` anchors the SIREN at its start), same rows as PostgreSQL.
    """
    if indexed_on_sqlite(term):
        text = phrase(term)
        return matching(CUSTOMER_INDEX, f"{{name code vat_number city}} : {text} OR siren : ^ {text}")
    return (
        Q(name__icontains=term)
        | Q(code__icontains=term)
        | Q(siren__startswith=term)
        | Q(vat_number__icontains=term)
        | Q(city__icontains=term)
    )


def named(term: str, entity: LegalEntity | None = None) -> QuerySet[Customer]:
    """The customers (of `entity`, when given) whose name contains `term` (case-insensitive)."""
    customers = Customer.objects.all() if entity is None else Customer.objects.filter(entity=entity)
    if indexed_on_sqlite(term):
        return customers.filter(matching(CUSTOMER_INDEX, f"name : {phrase(term)}"))
    return customers.filter(name__icontains=term)


def customer_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> Customer:
    """One customer of `entity`; another entity's customer is as unknown as a missing one."""
    customer: Customer = get_visible(
        Customer.objects.filter(entity=entity), pk, message=_("Unknown customer."), field="customer",
        code="customer_not_found",
    )  # fmt: skip
    return customer


def contact_list(*, customer: Customer) -> QuerySet[Contact]:
    return Contact.objects.filter(customer=customer, entity_id=customer.entity_id).order_by("name")


def contact_get(*, customer: Customer, pk: uuid.UUID | str) -> Contact:
    return get_visible(
        contact_list(customer=customer),
        pk,
        message=_("Unknown contact."),
        field="contact",
        code="contact_not_found",
    )


def supplier_list(*, entity: LegalEntity, search: str = "") -> QuerySet[Supplier]:
    suppliers: QuerySet[Supplier] = Supplier.objects.filter(entity=entity)
    if search.strip():
        term = search.strip()
        suppliers = suppliers.filter(
            Q(name__icontains=term) | Q(siren__startswith=term) | Q(vat_number__icontains=term)
        )
    return suppliers


def supplier_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> Supplier:
    supplier: Supplier = get_visible(
        Supplier.objects.filter(entity=entity), pk, message=_("Unknown supplier."), field="supplier",
        code="supplier_not_found",
    )  # fmt: skip
    return supplier
