"""`/api/v1/bank-accounts`, `/api/v1/bank-statements`, `/api/v1/bank-lines`: the `bank` scope.

`POST /bank-statements` uploads a statement file (multipart field ``file``; optional form field
``account``: the IBAN of the account when the file names none, as for CSV). It is idempotent by
content: the same bytes again answer 200 ``already_imported`` and nothing is written; a statement
overlapping one already imported adds only its new lines (201). A refused file is a problem+json 422
(413 when too large) and writes nothing.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.banking import selectors
from facturier.banking.models import BankAccount, Channel, StatementImport
from facturier.banking.reconciliation import reconcile_after_import
from facturier.banking.services import (
    StatementFileTooLarge,
    bank_account_add,
    max_statement_bytes,
    statement_import,
)

router = Router(tags=["bank"])


class BankAccountOut(Schema):
    id: uuid.UUID
    name: str
    iban: str
    bic: str
    account_number: str
    currency: str
    has_csv_mapping: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_has_csv_mapping(account: BankAccount) -> bool:
        return bool(account.csv_mapping)


class BankAccountIn(Schema):
    iban: str = Field("", max_length=50)
    bic: str = Field("", max_length=20)
    name: str = Field("", max_length=100)
    currency: str | None = Field(None, max_length=3)
    account_number: str = Field("", max_length=50)
    csv_mapping: dict[str, Any] | None = None


class AccountsOut(Schema):
    items: list[BankAccountOut]


class StatementImportOut(Schema):
    id: uuid.UUID
    account_iban: str = ""
    filename: str
    sha256: str
    format: str
    channel: str
    statement_id: str
    period_start: dt.date | None
    period_end: dt.date | None
    new_lines: int
    duplicate_lines: int
    error: str
    created_at: dt.datetime

    @staticmethod
    def resolve_account_iban(item: StatementImport) -> str:
        return item.account.identifier if item.account else ""


class UploadOut(Schema):
    filename: str
    sha256: str
    outcome: str = Field(description="imported, or already_imported (the same file was imported before)")
    new_lines: int
    duplicate_lines: int
    imports: list[StatementImportOut]


class ImportsPageOut(Schema):
    items: list[StatementImportOut]
    next: str | None = None


class BankLineOut(Schema):
    id: uuid.UUID
    account_iban: str
    booking_date: dt.date
    value_date: dt.date | None
    amount: Decimal
    currency: str
    bank_reference: str
    end_to_end_id: str
    structured_reference: str
    remittance: str
    counterparty_name: str
    counterparty_iban: str
    counterparty_bic: str
    transaction_code: str
    return_reason: str
    charges: Decimal | None
    description: str
    status: str
    score: Decimal | None
    created_at: dt.datetime

    @staticmethod
    def resolve_account_iban(line: Any) -> str:
        return str(line.account.identifier)


class LinesPageOut(Schema):
    items: list[BankLineOut]
    next: str | None = None


class LineFilters(Schema):
    account: str | None = Field(None, max_length=50, description="IBAN, account number or id")
    status: Literal["unreconciled", "auto", "proposed", "manual", "unrelated"] | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


class PageFilters(Schema):
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


@router.get("/bank-accounts", response=AccountsOut, operation_id="bank_accounts_list")
def bank_accounts_list(request: HttpRequest) -> dict[str, Any]:
    require_scope(request, "bank:read")
    return {"items": list(selectors.bank_accounts(entity=entity_of(request)))}


@router.post("/bank-accounts", response={201: BankAccountOut}, operation_id="bank_accounts_add")
def bank_accounts_add(request: HttpRequest, payload: BankAccountIn) -> Status[BankAccount]:
    key = require_scope(request, "bank:write")
    account = bank_account_add(entity=entity_of(request), by=as_actor(key), **payload.model_dump())
    return Status(201, account)


@router.post(
    "/bank-statements", response={200: UploadOut, 201: UploadOut}, operation_id="bank_statements_upload"
)
def bank_statements_upload(
    request: HttpRequest, file: File[UploadedFile], account: Form[str] = ""
) -> Status[dict[str, Any]]:
    """Import a statement file: camt.053/054, MT940, OFX, CFONB 120, or CSV with the account's mapping."""
    key = require_scope(request, "bank:write")
    if file.size is not None and file.size > max_statement_bytes():
        raise StatementFileTooLarge(
            _("The file is %(size)s bytes, over the %(limit)s bytes limit.")
            % {"size": file.size, "limit": max_statement_bytes()}, field="file",
        )  # fmt: skip
    entity = entity_of(request)
    target = selectors.bank_account_find(entity=entity, reference=account) if account.strip() else None
    result = statement_import(
        entity=entity, by=as_actor(key), filename=file.name or "statement", content=file.read(), account=target,
        channel=Channel.API,
    )  # fmt: skip
    reconcile_after_import(entity, new_lines=result.new_lines)
    body = {
        "filename": result.filename, "sha256": result.sha256,
        "outcome": "already_imported" if result.already_imported else "imported",
        "new_lines": result.new_lines, "duplicate_lines": result.duplicate_lines, "imports": result.imports,
    }  # fmt: skip
    return Status(200 if result.already_imported else 201, body)


@router.get("/bank-statements", response=ImportsPageOut, operation_id="bank_statements_list")
def bank_statements_list(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    require_scope(request, "bank:read")
    rows = selectors.statement_imports(entity=entity_of(request))
    page = paginate(request, rows, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.get("/bank-lines", response=LinesPageOut, operation_id="bank_lines_list")
def bank_lines_list(request: HttpRequest, filters: Query[LineFilters]) -> dict[str, Any]:
    """The bank lines, newest imported first; filter by account and reconciliation status."""
    require_scope(request, "bank:read")
    entity = entity_of(request)
    account = (
        selectors.bank_account_find(entity=entity, reference=filters.account) if filters.account else None
    )
    rows = selectors.bank_lines(entity=entity, account=account, status=filters.status)
    page = paginate(request, rows, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}
