"""Approving a supplier invoice from a phone: what was received, the pre-check findings, the circuit and
its history, and the approve / reject buttons (through ``inbox.approval``, the same rules as anywhere)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.authorization import actor_ref
from facturier.accounts.roles import Action, role_allows
from facturier.approvals.models import SubjectType
from facturier.common.errors import BusinessError
from facturier.inbox.approval import received_invoice_approval
from facturier.inbox.models import ReceivedInvoice
from facturier.web.access import EntityRequest, staff_view
from facturier.web.approval_circuit import circuit_context
from facturier.web.error_messages import explain
from facturier.web.forms.actions import RejectForm
from facturier.web.forms.approvals import DecisionForm


def _received(request: EntityRequest, pk: str) -> ReceivedInvoice:
    if not role_allows(request.role, Action.APPROVE):
        raise Http404
    received: ReceivedInvoice = get_object_or_404(
        ReceivedInvoice.objects.filter(entity=request.entity).select_related("supplier"), pk=pk
    )
    return received


def _page(
    request: EntityRequest, received: ReceivedInvoice, reject_form: RejectForm | None = None
) -> HttpResponse:
    context = {
        "received": received,
        "decision_form": DecisionForm(),
        "reject_form": reject_form or RejectForm(),
        **circuit_context(SubjectType.RECEIVED_INVOICE, received.pk),
    }
    approval = context["approval"]
    context["pending"] = approval is not None and approval.status == "pending"
    context["own_submission"] = approval is not None and actor_ref(request.user) in approval.authors()
    return render(request, "web/approvals/received_detail.html", context, status=400 if reject_form else 200)


@staff_view
def approval_received(request: EntityRequest, pk: str) -> HttpResponse:
    return _page(request, _received(request, pk))


@require_POST
@staff_view
def approval_received_decide(request: EntityRequest, pk: str, decision: str) -> HttpResponse:
    received = _received(request, pk)
    if decision not in ("approve", "reject"):
        raise Http404
    comment = str(request.POST.get("comment", ""))[:1000]
    if decision == "reject":
        form = RejectForm(request.POST)
        if not form.is_valid():
            return _page(request, received, reject_form=form)
        comment = form.cleaned_data["reason"]
    try:
        received = received_invoice_approval(
            received=received, by=as_actor(request.user), approve=decision == "approve", comment=comment
        )
    except BusinessError as error:
        messages.error(request, explain(error))
        return redirect("web:approval-received", pk=received.pk)
    messages.success(request, _("Decision recorded: %(invoice)s is %(status)s.")
                     % {"invoice": received, "status": received.get_status_display().lower()})  # fmt: skip
    return redirect("web:approval-list")
