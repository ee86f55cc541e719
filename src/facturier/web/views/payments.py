"""Payments in the staff UI: the list, recording one, its page (allocate, unallocate, reverse), applying a
customer's credit to an invoice, and the customer's printable statement of account.

Every write goes through `payments.services` / `payments.credit` (validated, audited); a refused one is
shown as a message and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError, NotFound
from facturier.invoicing.models import Document, Kind
from facturier.parties import selectors as party_selectors
from facturier.parties.models import Customer
from facturier.payments import credit, selectors, services
from facturier.payments.models import OpenItem, Payment
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.payments import AllocateForm, PaymentCreateForm, PaymentFilterForm, ReverseForm
from facturier.web.keyset import page_of
from facturier.web.receivables import entity_today

PAGE_SIZE = 25


def _require_payments(request: EntityRequest) -> None:
    if not role_allows(request.role, Action.RECORD_PAYMENT):
        raise Http404  # the button is hidden; a forged URL finds nothing


def _payment(request: EntityRequest, pk: Any) -> Payment:
    try:
        return selectors.payment_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


def _customer(request: EntityRequest, pk: Any) -> Customer:
    try:
        return party_selectors.customer_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


def _target(request: EntityRequest, value: str) -> Document | OpenItem:
    """`document:<id>` or `open_item:<id>`, of this entity."""
    kind, _sep, pk = value.partition(":")
    try:
        target: Document | OpenItem
        if kind == "open_item":
            target = OpenItem.objects.get(entity=request.entity, pk=pk)
        else:
            target = Document.objects.select_related("entity", "customer").get(
                entity=request.entity, kind=Kind.INVOICE, pk=pk
            )
        return target
    except (Document.DoesNotExist, OpenItem.DoesNotExist, ValueError):
        raise Http404 from None


def target_choices(request: EntityRequest, customer: Customer) -> list[tuple[str, str]]:
    """What a payment of `customer` can go to, with the balance left on each."""
    choices = []
    for item in selectors.payable_targets(request.entity, customer):
        prefix = "open_item" if isinstance(item, OpenItem) else "document"
        choices.append((f"{prefix}:{item.pk}", f"{item.number} — {item.balance} {item.currency}"))
    return choices


@staff_view
def payment_list(request: EntityRequest) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    payments = selectors.payment_list(
        entity=request.entity, state=filters.get("state") or "", method=filters.get("method") or "",
        received_from=filters.get("received_from"), received_to=filters.get("received_to"),
        search=filters.get("q") or "",
    )  # fmt: skip
    # keyset pages, newest first, no total COUNT beyond 1,000 (issue 9)
    page = page_of(request, payments, ("-received_on", "-created_at", "-id"), size=PAGE_SIZE)
    return render(request, "web/payments/list.html", {"page": page, "form": form})


@staff_view
def payment_create(request: EntityRequest) -> HttpResponse:
    _require_payments(request)
    customer = None
    if request.GET.get("customer"):
        customer = _customer(request, request.GET["customer"])
    form = PaymentCreateForm(request.POST or None, entity=request.entity, initial_customer=customer)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            payment = services.payment_record(
                entity=request.entity, customer=values["customer"], amount=values["amount"],
                received_on=values["received_on"], by=as_actor(request.user), currency=values["currency"] or None,
                method=values["method"], reference=values["reference"], payer=values["payer"],
            )  # fmt: skip
        except BusinessError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("web:payment-detail", pk=payment.pk)
    return render(request, "web/payments/form.html", {"form": form})


@staff_view
def payment_detail(request: EntityRequest, pk: Any) -> HttpResponse:
    return _detail(request, _payment(request, pk))


def _detail(
    request: EntityRequest, payment: Payment, allocate_form: AllocateForm | None = None
) -> HttpResponse:
    allocations = list(selectors.allocations_of(payment))
    allocated = sum((allocation.amount for allocation in allocations), start=payment.amount * 0)
    left = payment.amount - allocated if not payment.is_reversed else payment.amount * 0
    choices = target_choices(request, payment.customer) if left > 0 else []
    return render(
        request,
        "web/payments/detail.html",
        {
            "payment": payment,
            "allocations": allocations,
            "left": left,
            "allocate_form": allocate_form or AllocateForm(choices=choices, initial={"amount": left}),
            "reverse_form": ReverseForm(),
        },
    )


@require_POST
@staff_view
def payment_allocate(request: EntityRequest, pk: Any) -> HttpResponse:
    _require_payments(request)
    payment = _payment(request, pk)
    form = AllocateForm(request.POST, choices=target_choices(request, payment.customer))
    if not form.is_valid():
        return _detail(request, payment, allocate_form=form)
    try:
        services.payment_allocate(
            payment=payment, document=_target(request, form.cleaned_data["target"]),
            amount=form.cleaned_data["amount"], by=as_actor(request.user),
            write_off_difference=form.cleaned_data["write_off_difference"],
        )  # fmt: skip
    except BusinessError as error:
        form.add_error(None, error.message)
        return _detail(request, payment, allocate_form=form)
    messages.success(request, _("Payment allocated."))
    return redirect("web:payment-detail", pk=payment.pk)


@require_POST
@staff_view
def payment_unallocate(request: EntityRequest, pk: Any, allocation_pk: Any) -> HttpResponse:
    _require_payments(request)
    payment = _payment(request, pk)
    allocation = payment.allocations.filter(pk=allocation_pk).first()
    if allocation is None:
        raise Http404
    try:
        services.allocation_remove(allocation=allocation, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Allocation removed: the money is the customer's credit again."))
    return redirect("web:payment-detail", pk=payment.pk)


@require_POST
@staff_view
def payment_reverse(request: EntityRequest, pk: Any) -> HttpResponse:
    _require_payments(request)
    payment = _payment(request, pk)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason of the reversal."))
        return redirect("web:payment-detail", pk=payment.pk)
    try:
        services.payment_reverse(
            payment=payment, by=as_actor(request.user), reason=form.cleaned_data["reason"]
        )
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Payment reversed."))
    return redirect("web:payment-detail", pk=payment.pk)


@require_POST
@staff_view
def credit_apply(request: EntityRequest, pk: Any) -> HttpResponse:
    """Apply the customer's unallocated credit to this invoice (the invoice page's button)."""
    _require_payments(request)
    invoice = _target(request, f"document:{pk}")
    try:
        credit.credit_apply(customer=invoice.customer, target=invoice, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The customer's credit was applied to this invoice."))
    return redirect("web:document-detail", pk=invoice.pk)


@staff_view
def customer_statement(request: EntityRequest, pk: Any) -> HttpResponse:
    """The statement of account, laid out to be printed (or saved as PDF from the browser)."""
    customer = _customer(request, pk)
    today = entity_today(request.entity)
    return render(
        request,
        "web/payments/statement.html",
        {
            "customer": customer,
            "statement": selectors.statement_of_account(customer),
            "receivables": selectors.receivables_of(request.entity, today, customer=customer),
            "credit": selectors.unallocated_credit(customer),
            "today": today,
        },
    )
