"""The customer's credit in the staff UI: refunding it (or the excess of an overpaid invoice), and offsetting
an issued credit note against another open invoice of the same customer.

Both pages only gather the choice and call `payments.credit` (validated, audited, one transaction); a
refusal is shown next to the form and nothing is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from facturier.accounts.actor import as_actor
from facturier.common.errors import BusinessError
from facturier.invoicing.models import Document, Kind, TypeCode
from facturier.parties.models import Customer
from facturier.payments import credit, selectors
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.payments import OffsetForm, RefundForm
from facturier.web.forms.summary import error_summary
from facturier.web.receivables import entity_today
from facturier.web.templatetags.facturier_format import money
from facturier.web.views.payments import _customer, _require_payments

# the service's field names -> the form's (an error about another field is shown above the form)
REFUND_FIELDS = {"amount": "amount", "invoice": "source", "currency": "source"}
OFFSET_FIELDS = {"amount": "amount", "invoice": "other", "credit_note": "other"}


def _problems(form: forms.BaseForm) -> list[Any]:
    return error_summary(form) if form.is_bound else []


def refund_choices(request: EntityRequest, customer: Customer) -> list[tuple[str, str, Decimal]]:
    """(value, label, most that can be refunded): the credit per currency, then each overpaid invoice."""
    choices = []
    for currency in selectors.credit_currencies(customer):
        available = credit.available_credit(customer, currency)
        if available > 0:
            label = _("The customer's credit — %(amount)s") % {"amount": money(available, currency)}
            choices.append((f"credit:{currency}", label, available))
    for invoice in selectors.overpaid_invoices(request.entity, customer):
        excess = Decimal(-invoice.balance).quantize(Decimal("0.01"))
        label = _("%(number)s, overpaid by %(amount)s") % {
            "number": invoice.number, "amount": money(excess, invoice.currency),
        }  # fmt: skip
        choices.append((f"invoice:{invoice.pk}", label, excess))
    return choices


@staff_view
def customer_refund(request: EntityRequest, pk: Any) -> HttpResponse:
    """Refund the customer: what they have as credit, or what an invoice received too much."""
    _require_payments(request)
    customer = _customer(request, pk)
    options = refund_choices(request, customer)
    choices = [(value, label) for value, label, _most in options]
    initial = {"refunded_on": entity_today(request.entity), "source": request.GET.get("source", "")}
    if options:
        chosen = next((option for option in options if option[0] == initial["source"]), options[0])
        initial.update(source=chosen[0], amount=chosen[2])
    form = RefundForm(request.POST or None, choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        kind, _sep, key = values["source"].partition(":")
        invoice = None
        if kind == "invoice":
            invoice = Document.objects.filter(entity=request.entity, customer=customer, pk=key).first()
            if invoice is None:
                raise Http404
        try:
            refund = credit.payment_refund(
                customer=customer, amount=values["amount"], refunded_on=values["refunded_on"],
                by=as_actor(request.user), currency=key if kind == "credit" else None, invoice=invoice,
                method=values["method"], reference=values["reference"],
            )  # fmt: skip
        except BusinessError as error:
            form.add_error(REFUND_FIELDS.get(error.field or ""), error.message)
        else:
            messages.success(
                request,
                _("Refund of %(amount)s recorded.") % {"amount": money(-refund.amount, refund.currency)},
            )
            return redirect("web:payment-detail", pk=refund.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "web/payments/refund.html",
        {"customer": customer, "form": form, "has_choices": bool(options), "problems": _problems(form)},
        status=status,
    )


def _offset_sides(request: EntityRequest, document: Document) -> tuple[list[tuple[str, str]], str]:
    """What `document` can be offset with: open invoices for a credit note, credit notes for an invoice."""
    entity = request.entity
    if document.is_credit_note:
        invoices = selectors.open_items(entity, customer=document.customer).filter(currency=document.currency)
        if document.preceding_invoice_id:
            invoices = invoices.exclude(pk=document.preceding_invoice_id)
        choices = [
            (str(item.pk), f"{item.number} — {money(item.balance, item.currency)}") for item in invoices
        ]
        return choices, _("Invoice")
    credit_notes = Document.objects.filter(
        entity=entity, customer=document.customer, kind=Kind.INVOICE, type_code=TypeCode.CREDIT_NOTE,
        currency=document.currency, seal_hash__gt="",
    ).exclude(preceding_invoice=document).select_related("preceding_invoice").order_by("issue_date", "number")  # fmt: skip
    choices = []
    for credit_note in credit_notes:
        left = credit.offset_left(credit_note)
        if left > 0:
            choices.append(
                (str(credit_note.pk), f"{credit_note.number} — {money(left, credit_note.currency)}")
            )
    return choices, _("Credit note")


@staff_view
def document_offset(request: EntityRequest, pk: Any) -> HttpResponse:
    """Offset a credit note against an invoice, from either document's page (the other one is chosen)."""
    _require_payments(request)
    document = (
        Document.objects.filter(entity=request.entity, kind=Kind.INVOICE, pk=pk, seal_hash__gt="")
        .select_related("customer", "entity", "preceding_invoice")
        .first()
    )
    if document is None:
        raise Http404
    choices, other_label = _offset_sides(request, document)
    initial: dict[str, Any] = {"other": request.GET.get("with", "")}
    if document.is_credit_note:
        initial["amount"] = credit.offset_left(document)
    else:
        initial["amount"] = selectors.settlement_of(document).balance
    form = OffsetForm(request.POST or None, choices=choices, other_label=other_label, initial=initial)
    if request.method == "POST" and form.is_valid():
        other = Document.objects.get(entity=request.entity, pk=form.cleaned_data["other"])
        credit_note, invoice = (document, other) if document.is_credit_note else (other, document)
        try:
            credit.credit_note_offset(
                credit_note=credit_note, invoice=invoice, amount=form.cleaned_data["amount"],
                by=as_actor(request.user),
            )  # fmt: skip
        except BusinessError as error:
            form.add_error(OFFSET_FIELDS.get(error.field or ""), error.message)
        else:
            messages.success(request, _("%(credit_note)s offset against %(invoice)s for %(amount)s.") % {
                "credit_note": credit_note.number, "invoice": invoice.number, "amount": form.cleaned_data["amount"],
            })  # fmt: skip
            return redirect("web:document-detail", pk=document.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "web/payments/offset.html",
        {"document": document, "form": form, "problems": _problems(form)},
        status=status,
    )
