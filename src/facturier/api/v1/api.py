"""The REST API v1: API-key auth on every operation, problem+json errors, one router per resource.

Other apps add their router with one line: `api.add_router("", <module>.router)`.
"""

from ninja import NinjaAPI

from facturier.api.v1 import (
    approvals,
    bank,
    construction,
    contacts,
    contracts,
    credit_notes,
    customers,
    einvoice,
    inbox,
    invoices,
    orders,
    payments,
    pricing,
    problems,
    products,
    projects,
    quotes,
    reconciliation,
    suppliers,
    timesheets,
    transmission,
    usage,
)
from facturier.api.v1.auth import ApiKeyAuth
from facturier.api.v1.idempotency import run_once

api = NinjaAPI(
    title="Facturier API",
    version="1.0.0",
    urls_namespace="api-v1",
    auth=ApiKeyAuth(),
    description="Invoicing and receivables. Authenticate with `Authorization: Bearer <API key>` "
    "(`facturier apikey create`). Errors are RFC 9457 problem+json with a stable `code`.",
)
problems.install(api)
api.add_decorator(run_once, mode="view")  # Idempotency-Key on every POST of every router

api.add_router("", customers.router)
api.add_router("", contacts.router)
api.add_router("", products.router)
api.add_router("", quotes.router)
api.add_router("", orders.router)
api.add_router("", invoices.router)
api.add_router("", credit_notes.router)
api.add_router("", suppliers.router)
api.add_router("", inbox.router)
api.add_router("", transmission.router)
api.add_router("", einvoice.router)
api.add_router("", bank.router)
api.add_router("", reconciliation.router)
api.add_router("", payments.router)
api.add_router("", projects.router)
api.add_router("", construction.router)
api.add_router("", usage.router)
api.add_router("", timesheets.router)
api.add_router("", contracts.router)
api.add_router("", pricing.router)
api.add_router("", approvals.router)
