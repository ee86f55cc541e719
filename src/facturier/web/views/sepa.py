"""SEPA direct debit pages: mandates of a customer (add, revoke), the company's collection and transfer files."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError, NotFound
from facturier.parties import selectors as party_selectors
from facturier.parties.models import Customer
from facturier.payments.mandates import Mandate, SepaCreditor, SepaFile
from facturier.payments.sepa_collections import collection_file_generate, collections_schedule
from facturier.payments.sepa_mandates import mandate_create, mandate_revoke, sepa_creditor_set
from facturier.web.access import EntityRequest, staff_view
from facturier.web.error_messages import explain
from facturier.web.forms.sepa import CollectionRunForm, CreditorForm, MandateForm


def _require(request: EntityRequest, action: Action) -> None:
    if not role_allows(request.role, action):
        raise Http404


def _customer(request: EntityRequest, pk: str) -> Customer:
    try:
        return party_selectors.customer_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


@staff_view
def mandate_add(request: EntityRequest, pk: str) -> HttpResponse:
    _require(request, Action.RECORD_PAYMENT)
    customer = _customer(request, pk)
    form = MandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandate_create(customer=customer, by=as_actor(request.user), **form.values())
        except BusinessError as error:
            form.attach(error)
        else:
            messages.success(request, _("Mandate recorded."))
            return redirect("web:customer-detail", pk=customer.pk)
    mandates = Mandate.objects.filter(entity=request.entity, customer=customer)
    return render(
        request, "web/sepa/mandate_form.html", {"customer": customer, "form": form, "mandates": mandates}
    )


@require_POST
@staff_view
def mandate_revoke_view(request: EntityRequest, pk: str, mandate_pk: str) -> HttpResponse:
    _require(request, Action.RECORD_PAYMENT)
    customer = _customer(request, pk)
    mandate = get_object_or_404(Mandate, entity=request.entity, customer=customer, pk=mandate_pk)
    try:
        mandate_revoke(mandate=mandate, by=as_actor(request.user), reason=request.POST.get("reason", ""))
    except BusinessError as error:
        messages.error(request, explain(error))
    else:
        messages.success(request, _("Mandate revoked."))
    return redirect("web:customer-detail", pk=customer.pk)


@staff_view
def sepa_files(request: EntityRequest) -> HttpResponse:
    """The collection and transfer files, the creditor identifier, and a collection run."""
    creditor = SepaCreditor.objects.filter(entity=request.entity).first()
    creditor_form = CreditorForm(instance=creditor)
    run_form = CollectionRunForm()
    if request.method == "POST":
        _require(request, Action.RECORD_PAYMENT)
        if "creditor_id" in request.POST:
            _require(request, Action.MANAGE_ENTITY)
            creditor_form = CreditorForm(request.POST, instance=creditor)
            if creditor_form.is_valid():
                try:
                    sepa_creditor_set(
                        entity=request.entity, by=as_actor(request.user), **creditor_form.values()
                    )
                except BusinessError as error:
                    creditor_form.attach(error)
                else:
                    messages.success(request, _("Creditor identifier saved."))
                    return redirect("web:sepa-files")
        else:
            run_form = CollectionRunForm(request.POST)
            if run_form.is_valid() and _collect(request, run_form):
                return redirect("web:sepa-files")
    files = SepaFile.objects.filter(entity=request.entity).defer("content")[:100]
    return render(request, "web/sepa/files.html", {"files": files, "creditor": creditor,
                                                   "creditor_form": creditor_form, "run_form": run_form})  # fmt: skip


def _collect(request: EntityRequest, form: CollectionRunForm) -> bool:
    date = form.cleaned_data["collection_date"]
    try:
        collections_schedule(entity=request.entity, collection_date=date, by=as_actor(request.user))
        sepa_file = collection_file_generate(
            entity=request.entity, collection_date=date, by=as_actor(request.user)
        )
    except BusinessError as error:
        form.add_error("collection_date" if error.field == "collection_date" else None, explain(error))
        return False
    if sepa_file is None:
        messages.info(request, _("Nothing to collect on that date."))
    else:
        messages.success(request, _("Collection file %(name)s generated.") % {"name": sepa_file.filename})
    return True


@staff_view
def sepa_file_download(request: EntityRequest, pk: str) -> HttpResponse:
    sepa_file = get_object_or_404(SepaFile, entity=request.entity, pk=pk)
    response = HttpResponse(bytes(sepa_file.content), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{sepa_file.filename}"'
    return response
