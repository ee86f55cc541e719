"""The inbox pages: upload supplier e-invoices, list what was received, read one with its findings,
download the original, accept or reject. Every write goes through ``facturier.inbox.services``."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError, NotFound
from facturier.inbox import selectors
from facturier.inbox.errors import InboxFileTooLarge
from facturier.inbox.limits import InboxLimits
from facturier.inbox.messages import finding_text
from facturier.inbox.models import Channel, ReceivedInvoice, ReceivedStatus
from facturier.inbox.services import einvoice_import, received_invoice_decide
from facturier.inbox.uploads import declared_length_over_limit
from facturier.web.access import EntityRequest, staff_view

PAGE_SIZE = 25


def _received(request: EntityRequest, pk: str) -> ReceivedInvoice:
    try:
        return selectors.received_invoice_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


def _require(request: EntityRequest, action: Action) -> None:
    if not role_allows(request.role, action):
        raise Http404  # the button is hidden; a forged URL finds nothing


@staff_view
def inbox_list(request: EntityRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in ReceivedStatus.values else ""
    rows = selectors.received_invoices(entity=request.entity, status=status or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/inbox/list.html",
        {"page": page, "status": status, "statuses": ReceivedStatus.choices},
    )


@csrf_exempt  # checked by `_inbox_upload` once the size is known to be acceptable
def inbox_upload(request: HttpRequest) -> HttpResponse:
    """Refuse an oversize body from its Content-Length before Django reads and spools it."""
    if request.method == "POST" and declared_length_over_limit(request) is not None:
        limit = InboxLimits.from_settings().max_file_bytes
        message = _("The file is over the %(limit)s bytes limit.") % {"limit": limit}
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    return _inbox_upload(request)


@csrf_protect
@staff_view
def _inbox_upload(request: EntityRequest) -> HttpResponse:
    _require(request, Action.EDIT_DOCUMENTS)
    limits = InboxLimits.from_settings()
    context = {"max_mb": limits.max_file_bytes // (1024 * 1024)}
    if request.method != "POST":
        return render(request, "web/inbox/upload.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to import."))
        return render(request, "web/inbox/upload.html", context, status=400)
    try:
        if upload.size is not None and upload.size > limits.max_file_bytes:
            raise InboxFileTooLarge(
                _("The file is %(size)s bytes, over the %(limit)s bytes limit.")
                % {"size": upload.size, "limit": limits.max_file_bytes}
            )
        result = einvoice_import(
            entity=request.entity,
            by=as_actor(request.user),
            filename=upload.name or "upload",
            content=upload.read(),
            channel=Channel.UPLOAD,
        )
    except BusinessError as error:
        messages.error(request, _("File refused: %(reason)s") % {"reason": error.message})
        return render(request, "web/inbox/upload.html", context, status=error.status)
    if not result.is_archive and result.records:
        item = result.items[0]
        if item.duplicate_file:
            messages.warning(request, _("This file was already received: here it is."))
        else:
            messages.success(request, _("Invoice received."))
        return redirect("web:inbox-detail", pk=result.records[0].pk)
    return render(request, "web/inbox/result.html", {"result": result})


@staff_view
def inbox_detail(request: EntityRequest, pk: str) -> HttpResponse:
    received = _received(request, pk)
    report = received.validation_report
    decidable = received.status not in (ReceivedStatus.ACCEPTED, ReceivedStatus.REJECTED)
    return render(
        request,
        "web/inbox/detail.html",
        {
            "received": received,
            "findings": [{**finding, "text": finding_text(finding)} for finding in received.findings],
            "validation_ran": bool(report.get("ran")),
            "artefacts": report.get("artefacts", []),
            "decidable": decidable and role_allows(request.role, Action.ISSUE),
        },
    )


@staff_view
def inbox_original(request: EntityRequest, pk: str) -> HttpResponse:
    received = _received(request, pk)
    with received.original.open("rb") as handle:
        data = handle.read()
    is_pdf = received.format == "facturx_pdf"
    response = HttpResponse(data, content_type="application/pdf" if is_pdf else "application/xml")
    name = get_valid_filename(received.original_filename) or "invoice"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_view
@require_POST
def inbox_decide(request: EntityRequest, pk: str) -> HttpResponse:
    _require(request, Action.ISSUE)
    received = _received(request, pk)
    accept = request.POST.get("decision") == "accept"
    try:
        received_invoice_decide(
            received=received, by=as_actor(request.user), accept=accept, reason=request.POST.get("reason", "")
        )
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Invoice accepted.") if accept else _("Invoice rejected."))
    return redirect("web:inbox-detail", pk=received.pk)
