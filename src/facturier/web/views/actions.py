"""The buttons of a document page: each a POST calling one service.

A refused action (illegal transition, missing approval, invalid e-invoice...) comes back as a message
on the document page, with the validation findings listed when the service gives them; the service's
transaction rolled back, so nothing was written.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.common.errors import BusinessError
from facturier.invoicing import services
from facturier.invoicing.models import Document, Kind, Status
from facturier.invoicing.selectors import available_actions
from facturier.payments.services import payment_record_for_invoice
from facturier.transmission.models import TransmissionStatus
from facturier.transmission.services import transmission_request
from facturier.web.access import EntityRequest, staff_view
from facturier.web.error_messages import explain
from facturier.web.forms.actions import PaymentForm, RejectForm
from facturier.web.views.documents import detail_context, entity_documents

Outcome = Document | HttpResponse | None
Handler = Callable[[EntityRequest, Document], Outcome]


def show_error(request: EntityRequest, error: BusinessError) -> None:
    """The error as a message, and each validation finding (rule, location, message) under it."""
    messages.error(request, explain(error))
    for finding in (error.extra.get("findings") or [])[:50]:
        if isinstance(finding, dict):
            text = " — ".join(
                str(finding.get(key)) for key in ("rule", "message", "location") if finding.get(key)
            )
        else:
            text = str(finding)
        messages.error(request, text, extra_tags="finding")


def _submit(request: EntityRequest, document: Document) -> Outcome:
    submitted = services.invoice_submit(invoice=document, by=as_actor(request.user))
    if submitted.status == Status.APPROVED:  # the company does not require approval
        messages.success(request, _("Approved: it can now be issued."))
    else:
        messages.success(request, _("Submitted for approval: someone else will approve it."))
    return submitted


def _approve(request: EntityRequest, document: Document) -> Outcome:
    approved = services.invoice_approve(invoice=document, by=as_actor(request.user))
    if approved.status == Status.PENDING_APPROVAL:  # an approval circuit with a level still to decide
        messages.success(request, _("Your approval is recorded: the next level of the circuit decides."))
    else:
        messages.success(request, _("Approved: it can now be issued."))
    return approved


def _reject(request: EntityRequest, document: Document) -> Outcome:
    form = RejectForm(request.POST)
    if not form.is_valid():
        return render(
            request, "web/documents/detail.html", detail_context(request, document, reject_form=form)
        )
    rejected = services.invoice_reject(
        invoice=document, by=as_actor(request.user), reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Sent back to draft."))
    return rejected


def _issue(request: EntityRequest, document: Document) -> Outcome:
    issued = services.invoice_issue(invoice=document, by=as_actor(request.user))
    messages.success(request, _("Issued under number %(number)s.") % {"number": issued.number})
    return issued


def _mark_sent(request: EntityRequest, document: Document) -> Outcome:
    return services.invoice_mark_sent(invoice=document, by=as_actor(request.user))


def _send(request: EntityRequest, document: Document) -> Outcome:
    """Send the e-invoice through the customer's channel (email, Chorus Pro or the platform), in the background.

    A channel that is not configured, or a customer with no address on it, is refused at once (the
    service raises; the message names what to set). Once accepted, the page's sending alert says
    how it went: a failure shows there with its reason and a retry button.
    """
    transmission = transmission_request(document=document, by=as_actor(request.user))
    transmission.refresh_from_db()  # the task may already have run (immediate backend, fast worker)
    values = {"channel": transmission.get_channel_display(), "recipient": transmission.recipient}
    if transmission.status == TransmissionStatus.SENT:
        messages.success(request, _("Sent through %(channel)s to %(recipient)s.") % values)
    elif transmission.status != TransmissionStatus.FAILED:  # a failure is the page's alert
        messages.success(request, _("Sending through %(channel)s to %(recipient)s has started.") % values)
    return document


def _payment(request: EntityRequest, document: Document) -> Outcome:
    form = PaymentForm(request.POST)
    if not form.is_valid():
        return render(
            request, "web/documents/detail.html", detail_context(request, document, payment_form=form)
        )
    payment_record_for_invoice(invoice=document, by=as_actor(request.user), **form.cleaned_data)
    messages.success(request, _("Payment recorded."))
    return document


def _credit(request: EntityRequest, document: Document) -> Outcome:
    credit_note = services.credit_note_create(invoice=document, by=as_actor(request.user))
    messages.success(request, _("Draft credit note created: check it, then issue it."))
    return credit_note


def _delete(request: EntityRequest, document: Document) -> Outcome:
    services.document_delete_draft(document=document, by=as_actor(request.user))
    messages.success(request, _("Draft deleted."))
    return redirect("web:document-list", slug="invoices")


def _convert(to_kind: str) -> Handler:
    def convert(request: EntityRequest, document: Document) -> Outcome:
        created = services.document_convert(document=document, to_kind=to_kind, by=as_actor(request.user))
        messages.success(request, _("Created from %(source)s.") % {"source": document})
        return created

    return convert


def _set_status(status: str) -> Handler:
    def set_status(request: EntityRequest, document: Document) -> Outcome:
        return services.quote_set_status(quote=document, status=status, by=as_actor(request.user))

    return set_status


# action name -> (the button that must be visible, what it does)
ACTIONS: dict[str, tuple[str, Handler]] = {
    "submit": ("submit", _submit),
    # posted by its author anyway, approve is refused by the service with its own message (approval_by_submitter)
    "approve": ("reject", _approve),
    "reject": ("reject", _reject),
    "issue": ("issue", _issue),
    "mark-sent": ("mark_sent", _mark_sent),
    "send": ("send", _send),
    "payment": ("payment", _payment),
    "credit-note": ("credit", _credit),
    "delete": ("delete", _delete),
    "to-order": ("to_order", _convert(Kind.ORDER)),
    "to-invoice": ("to_invoice", _convert(Kind.INVOICE)),
    "quote-sent": ("quote_status", _set_status(Status.SENT)),
    "quote-accepted": ("quote_status", _set_status(Status.ACCEPTED)),
    "quote-declined": ("quote_status", _set_status(Status.DECLINED)),
    "order-confirmed": ("confirm", _set_status(Status.CONFIRMED)),
}


@require_POST
@staff_view
def document_action(request: EntityRequest, pk: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    document = get_object_or_404(entity_documents(request), pk=pk)
    button, handler = ACTIONS[action]
    if not available_actions(as_actor(request.user), document)[button]:
        messages.error(request, _("This action is not available for this document or your role."))
        return redirect("web:document-detail", pk=document.pk)
    outcome: Any
    try:
        outcome = handler(request, document)
    except BusinessError as error:
        show_error(request, error)
        return redirect("web:document-detail", pk=document.pk)
    if isinstance(outcome, HttpResponse):
        return outcome
    return redirect("web:document-detail", pk=(outcome or document).pk)
