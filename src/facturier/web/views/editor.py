"""Creating and editing a draft document: header, lines, document-level allowances and charges.

The live totals of the editor come from `document_totals`, which asks `invoicing.selectors.draft_totals`
to resolve each line exactly as saving would (product defaults, the customer's VAT regime) and run the
same EN 16931 calculation at the document's exchange rate: the figures on screen are the figures the
document will have.
"""

import uuid
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError, NotFound
from facturier.domain.calculation import CalculationError, Totals
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing import services
from facturier.invoicing.models import Document, Kind, TypeCode
from facturier.invoicing.selectors import available_actions, draft_lines, draft_totals
from facturier.invoicing.services.common import entity_today
from facturier.invoicing.services.drafts import CUSTOMER_TERMS, starting_terms
from facturier.parties.models import Customer
from facturier.parties.selectors import customer_get
from facturier.web.access import EntityRequest, staff_view
from facturier.web.error_messages import explain
from facturier.web.forms.documents import (
    AllowanceChargeFormSet,
    DocumentHeaderForm,
    LineFormSet,
    allowances_initial,
    attach_error,
    lines_initial,
)
from facturier.web.forms.summary import Problem, error_summary
from facturier.web.labels import line_rule_label
from facturier.web.listing import section_named, section_of
from facturier.web.numbers import ui_language
from facturier.web.templatetags.facturier_format import money, percent
from facturier.web.views.documents import entity_documents


class Editor:
    """The three forms of the editor, bound to the POST data or filled from a document."""

    def __init__(self, request: EntityRequest, *, kind: str, document: Document | None = None):
        entity = request.entity
        data = request.POST if request.method == "POST" else None
        credit_note = document is not None and document.is_credit_note
        initial: dict[str, Any] = {}
        if document is not None:
            initial = {name: getattr(document, name) for name in (
                "currency", "exchange_rate", "language", "payment_terms", "issue_date", "valid_until",
                "delivery_date", "buyer_reference", "purchase_order_reference", "note", "type_code",
                "promotion_code", "cost_centre")}  # fmt: skip
            initial["customer"] = document.customer_id
            initial["deposits"] = list(document.deposits.all())
        elif chosen := _customer_in_query(request):
            initial = {"customer": chosen.pk, **starting_terms(chosen)}
        self.header = DocumentHeaderForm(
            data, entity=entity, kind=kind, is_credit_note=credit_note, initial=initial
        )
        self.lines = LineFormSet(
            data, entity=entity, prefix="lines",
            initial=lines_initial(document) if document else [{"quantity": 1}],
        )  # fmt: skip
        self.allowances = AllowanceChargeFormSet(
            data, entity=entity, prefix="ac", initial=allowances_initial(document) if document else []
        )
        self.document = document

    def is_valid(self) -> bool:
        results = [self.header.is_valid(), self.lines.is_valid(), self.allowances.is_valid()]
        return all(results)

    @property
    def customer_changed(self) -> bool:
        chosen = self.header.cleaned_data.get("customer")
        return self.document is not None and chosen is not None and chosen.pk != self.document.customer_id

    def values(self) -> dict[str, Any]:
        kept_lines, kept_acs = self.lines.kept_forms(), self.allowances.kept_forms()
        values: dict[str, Any] = {
            "lines": [form.line_data() for form in kept_lines],
            "allowances_charges": [form.allowance_charge_data() for form in kept_acs],
            **self.header.header_values(customer_changed=self.customer_changed),
        }
        if "deposits" in self.header.cleaned_data:
            values["deposits"] = list(self.header.cleaned_data["deposits"])
        return values

    def attach(self, error: BusinessError) -> None:
        attach_error(error, self.header, self.lines.kept_forms(), self.allowances.kept_forms())

    def problems(self) -> list[Problem]:
        """What the error summary lists after a failed save (nothing before the first save)."""
        if not self.header.is_bound:
            return []
        return error_summary(
            self.header,
            (self.lines, _("Line %(number)s")),
            (self.allowances, _("Allowance or charge %(number)s")),
        )


def _customer_in_query(request: EntityRequest) -> Customer | None:
    """`?customer=<id>` (the "new invoice" button of a customer's page), if it is one of ours."""
    try:
        return customer_get(entity=request.entity, pk=uuid.UUID(request.GET.get("customer", "")))
    except (ValueError, NotFound):
        return None


def _render(
    request: EntityRequest, editor: Editor, *, section: Any, document: Document | None
) -> HttpResponse:
    problems = editor.problems()
    customer = editor.header.fields["customer"]
    if not problems and not customer.disabled:  # the first field; after a failed save, the summary
        customer.widget.attrs["autofocus"] = True
    return render(
        request,
        "web/documents/form.html",
        {"editor": editor, "section": section, "document": document, "problems": problems,
         "totals_url_query": f"?document={document.pk}" if document else ""},
    )  # fmt: skip


def _refuse(request: EntityRequest) -> None:
    if not role_allows(request.role, Action.EDIT_DOCUMENTS):
        raise Http404  # the button is hidden; a forged URL finds nothing to edit


@staff_view
def document_create(request: EntityRequest, slug: str) -> HttpResponse:
    section = section_named(slug)
    if section.credit_notes:
        raise Http404  # credit notes are created from the invoice they credit
    _refuse(request)
    editor = Editor(request, kind=section.kind)
    if request.method == "POST" and editor.is_valid():
        values = editor.values()
        type_code = editor.header.cleaned_data.get("type_code") or TypeCode.COMMERCIAL
        try:
            document = services.document_create(
                entity=request.entity, kind=section.kind, customer=editor.header.cleaned_data["customer"],
                by=as_actor(request.user), type_code=type_code, **values,
            )  # fmt: skip
        except BusinessError as error:
            editor.attach(error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("web:document-detail", pk=document.pk)
    return _render(request, editor, section=section, document=None)


@staff_view
def document_edit(request: EntityRequest, pk: str) -> HttpResponse:
    document = get_object_or_404(entity_documents(request), pk=pk)
    if not available_actions(as_actor(request.user), document)["edit"]:
        raise Http404  # no longer a draft, or not for this role: the button is hidden, a forged URL finds nothing
    editor = Editor(request, kind=document.kind, document=document)
    if request.method == "POST" and editor.is_valid():
        values = editor.values()
        customer = editor.header.cleaned_data.get("customer")
        try:
            services.document_update(
                document=document, by=as_actor(request.user), customer=customer, **values
            )
        except BusinessError as error:
            editor.attach(error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("web:document-detail", pk=document.pk)
    return _render(request, editor, section=section_of(document), document=document)


def _amounts(totals: Totals, currency: str, accounting_currency: str) -> dict[str, Any]:
    names = ("line_total", "allowance_total", "charge_total", "tax_exclusive", "tax_total", "tax_inclusive",
             "prepaid", "payable")  # fmt: skip
    accounting = totals.tax_total_accounting  # BT-111: only for a document in another currency
    return {
        **{name: format(getattr(totals, name), "f") for name in names},
        "tax_total_accounting": None if accounting is None else format(accounting, "f"),
        "accounting_currency": accounting_currency,
        "display": {
            **{name: money(getattr(totals, name), currency) for name in names},
            "tax_total_accounting": "" if accounting is None else money(accounting, accounting_currency),
        },
        "lines": [money(line.net_amount, currency) for line in totals.lines],
        "vat_breakdown": [
            {
                "label": f"{vat.category} {percent(vat.rate)}",
                "taxable": money(vat.taxable_amount, currency),
                "tax": money(vat.tax_amount, currency),
            }
            for vat in totals.vat_breakdown
        ],  # fmt: skip
    }


@require_POST
@staff_view
def document_totals(request: EntityRequest) -> JsonResponse:
    """The editor's live totals as JSON, computed by the same code that saves the document.

    Only the lines and allowances/charges must be valid: the header may still be incomplete (no
    customer yet means a domestic customer, the common case).
    """
    existing = None
    if request.GET.get("document"):
        try:
            pk = uuid.UUID(request.GET["document"])
        except ValueError:
            raise Http404 from None
        existing = get_object_or_404(entity_documents(request), pk=pk)
    kind = existing.kind if existing else request.POST.get("kind", Kind.INVOICE)
    if kind not in Kind.values:
        raise Http404
    editor = Editor(request, kind=kind, document=existing)
    header_valid = editor.header.is_valid()
    if not (editor.lines.is_valid() and editor.allowances.is_valid()):
        return JsonResponse({"ok": False, "errors": [_("Complete the highlighted fields.")]})
    header = editor.header.cleaned_data if header_valid else {}
    customer = header.get("customer") or (existing.customer if existing else None)
    terms = _terms_in_effect(editor, customer, existing, header_valid=header_valid)
    type_code = existing.type_code if existing else header.get("type_code") or TypeCode.COMMERCIAL
    draft = Document(entity=request.entity, customer=customer or Customer(entity=request.entity), kind=kind,
                     type_code=type_code)  # fmt: skip
    # rows still being typed (neither a product nor a price yet) do not count, and a missing description
    # is not an error yet: it is one when saving
    kept = [form for form in editor.lines.kept_forms() if form.cleaned_data.get("product") or
            form.cleaned_data.get("unit_price") is not None]  # fmt: skip
    lines = [replace(line, description=line.description or "—") for line in (f.line_data() for f in kept)]
    acs = [form.allowance_charge_data() for form in editor.allowances.kept_forms()]
    currency = terms.get("currency") or request.entity.default_currency
    draft.currency = currency
    draft.promotion_code = header.get("promotion_code") or (existing.promotion_code if existing else "")
    draft.exchange_rate = (
        header.get("exchange_rate") if header_valid else getattr(existing, "exchange_rate", None)
    )
    draft.prepaid = sum((d.tax_inclusive for d in header.get("deposits") or []), Decimal("0"))
    try:
        resolved = draft_lines(draft, lines)
        totals = draft_totals(draft, lines, acs, resolved=resolved)
    except BusinessError as error:
        return JsonResponse({"ok": False, "errors": [explain(error)], "field": error.field})
    except CalculationError as error:
        return JsonResponse({"ok": False, "errors": [str(error)]})
    nets = _amounts(totals, currency, request.entity.default_currency)
    nets["lines"] = dict(zip((form.prefix for form in kept), nets["lines"], strict=True))
    nets["rules"] = {form.prefix: line_rule_label(line) for form, line in zip(kept, resolved, strict=True)}
    return JsonResponse({"ok": True, "currency": currency, **nets, **_due(request, draft, existing, terms)})


def _terms_in_effect(
    editor: Editor, customer: Customer | None, existing: Document | None, *, header_valid: bool
) -> dict[str, str]:
    """Currency, language and terms the document will have once saved: the service's starting
    values (the customer's, or the draft's own) under what the form says, as saving applies them."""
    if customer is None:
        return {}
    terms = starting_terms(customer, existing)
    if header_valid:
        given = editor.header.header_values(customer_changed=editor.customer_changed)
        terms.update({name: given[name] for name in CUSTOMER_TERMS if name in given})
    return terms


def _due(
    request: EntityRequest, draft: Document, existing: Document | None, terms: dict[str, str]
) -> dict[str, str]:
    """The due date an invoice would get if issued today, computed as issuing computes it."""
    if draft.kind != Kind.INVOICE or draft.is_credit_note or not terms.get("payment_terms"):
        return {"due_date": "—", "payment_terms": ""}
    try:
        agreed = parse_terms(terms["payment_terms"])
    except ValueError:
        return {"due_date": "—", "payment_terms": ""}
    day = (existing.issue_date if existing else None) or entity_today(request.entity)
    return {
        "due_date": date_format(agreed.due_date(day), "SHORT_DATE_FORMAT"),
        "payment_terms": agreed.describe(ui_language()),
    }
