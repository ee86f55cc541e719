"""`/api/v1/construction-contracts` and their situations: the `construction` scope.

`POST /construction-contracts` creates a contract with its bill of quantities. `POST
/construction-contracts/{id}/situations` records the cumulative progress of the lines it names (by
position; the others keep their progress) and, unless `issue` is false, invoices it at once: issuing
an invoice also needs the `invoices:write` scope (the invoice is made by the invoicing services). Bad
progress (above 100 %, going down outside a correction, a closed contract) is a problem+json with its
`code` and the `field` of the line.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.types import DecimalOut
from facturier.common.errors import NotFound, ValidationFailed
from facturier.construction import selectors, services
from facturier.construction.models import ConstructionContract, Situation
from facturier.parties.models import Customer

router = Router(tags=["construction"])


class ConstructionLineIn(Schema):
    description: str = Field("", max_length=300)
    quantity: Decimal = Field(Decimal(1), ge=0, max_digits=14, decimal_places=4)
    unit: str = Field("C62", max_length=3)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=6)
    vat_category: str | None = Field(None, max_length=2)
    vat_rate: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)


class ContractIn(Schema):
    customer: uuid.UUID
    reference: str = Field(max_length=50)
    name: str = Field("", max_length=200)
    currency: str | None = Field(None, max_length=3)
    retention_rate: Decimal = Field(Decimal("5.00"), max_digits=5, decimal_places=2)
    bank_guarantee_reference: str = Field("", max_length=100)
    guarantee_months: int = Field(12, ge=0, le=120)
    lines: list[ConstructionLineIn] = Field(min_length=1, max_length=500)


class ConstructionLineOut(Schema):
    position: int
    description: str
    quantity: DecimalOut
    unit: str
    unit_price: DecimalOut
    vat_category: str
    vat_rate: DecimalOut


class ConstructionContractOut(Schema):
    id: uuid.UUID
    reference: str
    name: str
    customer: uuid.UUID
    currency: str
    status: str
    retention_rate: DecimalOut
    bank_guarantee_reference: str
    guarantee_months: int
    acceptance_date: dt.date | None
    lines: list[ConstructionLineOut]

    @staticmethod
    def resolve_customer(contract: ConstructionContract) -> uuid.UUID:
        return contract.customer_id

    @staticmethod
    def resolve_lines(contract: ConstructionContract) -> list[Any]:
        return list(contract.lines.order_by("position"))


class ContractsOut(Schema):
    items: list[ConstructionContractOut]


class SituationProgressIn(Schema):
    line: int = Field(ge=1, description="The position of the line in the bill of quantities")
    percent: Decimal | None = Field(None, max_digits=9, decimal_places=4)
    quantity_done: Decimal | None = Field(None, max_digits=14, decimal_places=4)


class SituationIn(Schema):
    date: dt.date | None = None
    correction: bool = False
    issue: bool = True
    progress: list[SituationProgressIn] = Field(default_factory=list, max_length=500)


class SituationLineOut(Schema):
    line: int
    percent: DecimalOut | None
    quantity_done: DecimalOut | None
    cumulative: DecimalOut
    previous: DecimalOut
    amount: DecimalOut

    @staticmethod
    def resolve_line(row: Any) -> int:
        return int(row.line.position)


class SituationOut(Schema):
    id: uuid.UUID
    number: int
    date: dt.date
    correction: bool
    amount: DecimalOut
    retention: DecimalOut
    invoice: uuid.UUID | None
    invoice_number: str | None
    lines: list[SituationLineOut]

    @staticmethod
    def resolve_invoice(situation: Situation) -> uuid.UUID | None:
        return situation.document_id

    @staticmethod
    def resolve_invoice_number(situation: Situation) -> str | None:
        return situation.document.number if situation.document else None

    @staticmethod
    def resolve_lines(situation: Situation) -> list[Any]:
        return list(situation.lines.select_related("line").order_by("line__position"))


class SituationsOut(Schema):
    items: list[SituationOut]


def _contract(request: HttpRequest, pk: uuid.UUID) -> ConstructionContract:
    contract: ConstructionContract | None = ConstructionContract.objects.filter(
        entity=entity_of(request), pk=pk
    ).first()
    if contract is None:
        raise NotFound(_("Unknown construction contract."), code="not_found")
    return contract


@router.get("/construction-contracts", response=ContractsOut, operation_id="construction_contracts_list")
def construction_contracts_list(request: HttpRequest) -> dict[str, Any]:
    require_scope(request, "construction:read")
    return {"items": list(selectors.construction_contracts_of(entity=entity_of(request))[:500])}


@router.post(
    "/construction-contracts",
    response={201: ConstructionContractOut},
    operation_id="construction_contracts_create",
)
def construction_contracts_create(request: HttpRequest, payload: ContractIn) -> Status[ConstructionContract]:
    key = require_scope(request, "construction:write")
    entity = entity_of(request)
    customer = Customer.objects.filter(entity=entity, pk=payload.customer).first()
    if customer is None:
        raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer")
    contract = services.construction_contract_create(
        entity=entity, customer=customer, by=as_actor(key), reference=payload.reference, name=payload.name,
        currency=payload.currency, retention_rate=payload.retention_rate,
        bank_guarantee_reference=payload.bank_guarantee_reference, guarantee_months=payload.guarantee_months,
        lines=[services.LineInput(**line.model_dump()) for line in payload.lines],
    )  # fmt: skip
    return Status(201, contract)


@router.get(
    "/construction-contracts/{pk}",
    response=ConstructionContractOut,
    operation_id="construction_contracts_get",
)
def construction_contracts_get(request: HttpRequest, pk: uuid.UUID) -> ConstructionContract:
    require_scope(request, "construction:read")
    return _contract(request, pk)


@router.get("/construction-contracts/{pk}/situations", response=SituationsOut,
            operation_id="construction_situations_list")  # fmt: skip
def construction_situations_list(request: HttpRequest, pk: uuid.UUID) -> dict[str, Any]:
    require_scope(request, "construction:read")
    return {"items": list(selectors.situations_of(_contract(request, pk)))}


@router.post("/construction-contracts/{pk}/situations", response={201: SituationOut},
             operation_id="construction_situations_create")  # fmt: skip
def construction_situations_create(
    request: HttpRequest, pk: uuid.UUID, payload: SituationIn
) -> Status[Situation]:
    key = require_scope(request, "construction:write")
    contract = _contract(request, pk)
    lines = {line.position: line for line in contract.lines.all()}
    progress = []
    for index, item in enumerate(payload.progress):
        line = lines.get(item.line)
        if line is None:
            raise ValidationFailed(_("Unknown line."), field=f"progress[{index}].line", code="unknown_line")
        progress.append(
            services.ProgressInput(line=line, percent=item.percent, quantity_done=item.quantity_done)
        )
    actor = as_actor(key)
    with transaction.atomic():  # recorded and invoiced together, or not at all
        situation = services.situation_record(contract=contract, by=actor, progress=progress, date=payload.date,
                                              correction=payload.correction)  # fmt: skip
        if payload.issue:
            situation = services.situation_issue(situation=situation, by=actor)
    return Status(201, situation)
