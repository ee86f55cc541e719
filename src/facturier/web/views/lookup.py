"""Suggestions for the editor's pickers: type part of a customer's name, code or SIREN (or of a
product's reference or name) and choose. Read through the tenant-scoped selectors, so a member of
another company finds nothing of this one.

Each suggestion carries what the editor fills in when it is chosen: a customer's currency,
language and payment terms (the service's own starting values), a product's price, unit and VAT
rate written in the reader's language.
"""

from typing import Any

from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from facturier.catalog.models import Product
from facturier.catalog.selectors import product_list
from facturier.invoicing.services.drafts import starting_terms
from facturier.parties.models import Customer
from facturier.parties.selectors import customer_list
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.documents import customer_label, product_label, terms_choice
from facturier.web.numbers import format_number

LIMIT = 10


def _customer(customer: Customer) -> dict[str, Any]:
    terms = starting_terms(customer)
    detail = " · ".join(part for part in (customer.code, customer.siren, customer.city) if part)
    return {
        "id": str(customer.pk), "label": customer_label(customer), "detail": detail,
        "fill": {"currency": terms["currency"], "language": terms["language"],
                 "payment_terms": terms["payment_terms"]},
        "choices": {"payment_terms": terms_choice(terms["payment_terms"])},
    }  # fmt: skip


def _product(product: Product) -> dict[str, Any]:
    return {
        "id": str(product.pk), "label": product_label(product), "detail": format_number(product.unit_price),
        "fill": {"description": product.name, "unit_price": format_number(product.unit_price),
                 "unit": product.unit, "vat_rate": format_number(product.vat_rate)},
    }  # fmt: skip


@require_GET
@staff_view
def lookup(request: EntityRequest, source: str) -> HttpResponse:
    term = request.GET.get("q", "")[:100]
    if source == "customers":
        customers = customer_list(entity=request.entity, search=term, is_active=True).order_by("name")
        results = [_customer(customer) for customer in customers[:LIMIT]]
    elif source == "products":
        products = product_list(entity=request.entity, search=term, is_active=True).order_by("sku")
        results = [_product(product) for product in products[:LIMIT]]
    else:
        raise Http404
    return JsonResponse({"results": results})
