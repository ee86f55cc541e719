"""Download buttons of the document page: PDF (Factur-X once issued), CII, UBL and the validation report.

URL name `web:document-download` with `pk` and `fmt` (pdf|cii|ubl|validation). Members of the entity
only; a document of another entity does not exist (404).
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from facturier.documents.files import document_file, stored_xml
from facturier.invoicing.einvoice import (
    DOWNLOAD_FORMATS,
    NotIssued,
    RulesMissing,
    validation_payload,
)
from facturier.invoicing.models import Document, Kind
from facturier.web.access import EntityRequest, of_entity, staff_view


@staff_view
def document_download(request: EntityRequest, pk: str, fmt: str) -> HttpResponse:
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    document: Document = get_object_or_404(
        of_entity(Document, request.entity).select_related("entity"), pk=pk
    )
    if fmt != "pdf" and document.kind != Kind.INVOICE:
        raise Http404
    if fmt == "validation":
        return _validation(request, document)
    try:
        content, content_type, filename = document_file(document, fmt)
    except NotIssued as error:
        raise Http404(error.message) from error
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _validation(request: EntityRequest, document: Document) -> HttpResponse:
    """The report as a page (or JSON with ?format=json), in the entity's syntax or ?syntax=cii|ubl."""
    syntax = request.GET.get("syntax") or None
    try:
        report = validation_payload(
            document, syntax=syntax if syntax in ("cii", "ubl") else None, files=stored_xml(document)
        )
    except RulesMissing as error:
        return render(request, "web/einvoice_validation.html", {"document": document, "missing": error.message},
                      status=503)  # fmt: skip
    if request.GET.get("format") == "json":
        return JsonResponse(report, json_dumps_params={"ensure_ascii": False, "indent": 2})
    return render(request, "web/einvoice_validation.html", {"document": document, "report": report})
