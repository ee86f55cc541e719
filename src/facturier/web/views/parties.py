"""Customers and products: lists with search, the customer page, create and edit through the
parties and catalog services (validated, audited)."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.catalog import selectors as catalog_selectors
from facturier.catalog import services as catalog_services
from facturier.catalog.models import Product
from facturier.common.errors import BusinessError, NotFound
from facturier.parties import selectors as party_selectors
from facturier.parties import services as party_services
from facturier.parties.models import Customer
from facturier.payments.selectors import receivables_of, statement_tail, unallocated_credit, with_settlement
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.parties import ContactForm, CustomerForm, ProductForm
from facturier.web.forms.summary import error_summary
from facturier.web.keyset import page_of
from facturier.web.receivables import entity_today, is_overdue
from facturier.web.views.documents import entity_documents

PAGE_SIZE = 25
STATEMENT_LINES = 20  # the customer page shows the latest movements; the printable statement has them all


def _page(request: EntityRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _customer(request: EntityRequest, pk: str) -> Customer:
    try:
        return party_selectors.customer_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


def _product(request: EntityRequest, pk: str) -> Product:
    try:
        return catalog_selectors.product_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


def _require(request: EntityRequest, action: Action) -> None:
    if not role_allows(request.role, action):
        raise Http404  # the button is hidden; a forged URL finds nothing


# The columns a row of the customer list shows (a customer has some fifty): fewer to read and convert
# per row (issue 9: CPU per request).
CUSTOMER_ROW_FIELDS = ("code", "name", "kind", "siren", "city", "vat_regime", "is_active")


@staff_view
def customer_list(request: EntityRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    rows = party_selectors.customer_list(entity=request.entity, search=query).only(*CUSTOMER_ROW_FIELDS)
    # keyset pages in name order (the (entity, name) index), no total COUNT beyond 1,000 (issue 9)
    page = page_of(request, rows, ("name", "id"))
    return render(request, "web/customers/list.html", {"page": page, "q": query})


@staff_view
def customer_detail(request: EntityRequest, pk: str) -> HttpResponse:
    return _customer_page(request, _customer(request, pk))


def _customer_page(
    request: EntityRequest, customer: Customer, contact_form: ContactForm | None = None
) -> HttpResponse:
    today = entity_today(request.entity)
    documents = list(
        with_settlement(entity_documents(request).filter(customer=customer)).order_by("-created_at")[:50]
    )
    for document in documents:
        document.overdue = is_overdue(document, today)
    statement, statement_earlier = statement_tail(customer, last=STATEMENT_LINES)
    return render(
        request,
        "web/customers/detail.html",
        {
            "customer": customer,
            "contacts": party_selectors.contact_list(customer=customer),
            "contact_form": contact_form or ContactForm(),
            "documents": documents,
            "outstanding": receivables_of(request.entity, today, customer=customer).outstanding,
            "credit": unallocated_credit(customer),
            "statement": statement,
            "statement_earlier": statement_earlier,
        },
    )


@staff_view
def customer_edit(request: EntityRequest, pk: str | None = None) -> HttpResponse:
    _require(request, Action.EDIT_PARTIES)
    customer = _customer(request, pk) if pk else None
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            if customer is None:
                customer = party_services.customer_create(
                    entity=request.entity, by=as_actor(request.user), **form.values()
                )
            else:
                customer = party_services.customer_update(
                    customer=customer, by=as_actor(request.user), **form.values()
                )
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Customer saved."))
            return redirect("web:customer-detail", pk=customer.pk)
    return render(
        request,
        "web/customers/form.html",
        {"form": form, "customer": customer, "problems": error_summary(form) if form.is_bound else []},
    )


@require_POST
@staff_view
def contact_add(request: EntityRequest, pk: str) -> HttpResponse:
    _require(request, Action.EDIT_PARTIES)
    customer = _customer(request, pk)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            party_services.contact_create(customer=customer, by=as_actor(request.user), **form.values())
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Contact added."))
            return redirect("web:customer-detail", pk=customer.pk)
    return _customer_page(request, customer, contact_form=form)


@require_POST
@staff_view
def contact_delete(request: EntityRequest, pk: str, contact_pk: str) -> HttpResponse:
    _require(request, Action.EDIT_PARTIES)
    customer = _customer(request, pk)
    contact = get_object_or_404(party_selectors.contact_list(customer=customer), pk=contact_pk)
    party_services.contact_delete(contact=contact, by=as_actor(request.user))
    messages.success(request, _("Contact removed."))
    return redirect("web:customer-detail", pk=customer.pk)


@staff_view
def product_list(request: EntityRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    rows = catalog_selectors.product_list(entity=request.entity, search=query)
    return render(request, "web/products/list.html", {"page": _page(request, rows), "q": query})


@staff_view
def product_edit(request: EntityRequest, pk: str | None = None) -> HttpResponse:
    _require(request, Action.EDIT_CATALOG)
    product = _product(request, pk) if pk else None
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                catalog_services.product_create(
                    entity=request.entity, by=as_actor(request.user), **form.values()
                )
            else:
                catalog_services.product_update(product=product, by=as_actor(request.user), **form.values())
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Product saved."))
            return redirect("web:product-list")
    return render(
        request,
        "web/products/form.html",
        {"form": form, "product": product, "problems": error_summary(form) if form.is_bound else []},
    )
