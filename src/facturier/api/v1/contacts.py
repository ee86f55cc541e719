"""`/api/v1/customers/{id}/contacts`: the people to write to at a customer (scope `customers`)."""

import uuid

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.types import required_text, text
from facturier.parties import selectors, services
from facturier.parties.models import Contact

router = Router(tags=["customers"])


class ContactCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: required_text(150)  # type: ignore[valid-type]
    role: text(100) = ""  # type: ignore[valid-type]
    email: text(254) = ""  # type: ignore[valid-type]
    phone: text(30) = ""  # type: ignore[valid-type]
    is_billing_contact: StrictBool = False


class ContactUpdateIn(Schema):
    """Only the fields sent are changed; a null leaves its field as it is."""

    model_config = ConfigDict(extra="forbid")

    name: required_text(150) | None = None  # type: ignore[valid-type]
    role: text(100) | None = None  # type: ignore[valid-type]
    email: text(254) | None = None  # type: ignore[valid-type]
    phone: text(30) | None = None  # type: ignore[valid-type]
    is_billing_contact: StrictBool | None = None


class ContactOut(Schema):
    id: uuid.UUID
    name: str
    role: str
    email: str
    phone: str
    is_billing_contact: bool


def _contact(request: HttpRequest, customer_id: str, contact_id: str) -> Contact:
    customer = selectors.customer_get(entity=entity_of(request), pk=customer_id)
    return selectors.contact_get(customer=customer, pk=contact_id)


@router.get("/customers/{customer_id}/contacts", response=list[ContactOut], operation_id="contacts_list")
def contacts_list(request: HttpRequest, customer_id: str) -> list[Contact]:
    require_scope(request, "customers:read")
    customer = selectors.customer_get(entity=entity_of(request), pk=customer_id)
    return list(selectors.contact_list(customer=customer))


@router.post("/customers/{customer_id}/contacts", response={201: ContactOut}, operation_id="contacts_create")
def contacts_create(request: HttpRequest, customer_id: str, payload: ContactCreateIn) -> Status[Contact]:
    key = require_scope(request, "customers:write")
    customer = selectors.customer_get(entity=entity_of(request), pk=customer_id)
    fields = payload.model_dump()
    return Status(
        201, services.contact_create(customer=customer, by=as_actor(key), name=fields.pop("name"), **fields)
    )


@router.patch("/customers/{customer_id}/contacts/{contact_id}", response=ContactOut,
              operation_id="contacts_update")  # fmt: skip
def contacts_update(
    request: HttpRequest, customer_id: str, contact_id: str, payload: ContactUpdateIn
) -> Contact:
    key = require_scope(request, "customers:write")
    contact = _contact(request, customer_id, contact_id)
    return services.contact_update(
        contact=contact, by=as_actor(key), **payload.model_dump(exclude_unset=True, exclude_none=True)
    )


@router.delete("/customers/{customer_id}/contacts/{contact_id}", response={204: None},
               operation_id="contacts_delete")  # fmt: skip
def contacts_delete(request: HttpRequest, customer_id: str, contact_id: str) -> HttpResponse:
    key = require_scope(request, "customers:write")
    services.contact_delete(contact=_contact(request, customer_id, contact_id), by=as_actor(key))
    return HttpResponse(status=204)
