"""`GET /api/v1/invoices/{id}/pdf|cii|ubl|validation` (and the same under `/credit_notes`).

The PDF is the Factur-X (PDF/A-3B with its XML); `cii` and `ubl` are the bare e-invoice XML of an
issued document, as stored at issue; `validation` re-runs the official rules on the document's XML
(the stored one once issued) and returns the structured report (it also works on a draft: "would this
issue?").
"""

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router

from facturier.api.v1.auth import require_scope
from facturier.api.v1.documents import document_get
from facturier.documents.files import document_file, stored_xml
from facturier.invoicing.einvoice import validation_payload

router = Router(tags=["e-invoices"])

_BINARY = {"description": "The file", "content": {"application/pdf": {}, "application/xml": {}}}


def _register(resource: str) -> None:
    for fmt, summary in (
        ("pdf", "Factur-X PDF (PDF/A-3B with the CII XML embedded)"),
        ("cii", "UN/CEFACT CII XML (Factur-X profile of the company)"),
        ("ubl", "UBL 2.1 XML"),
    ):
        _register_file(resource, fmt, summary)

    @router.get(f"/{resource}/{{document_id}}/validation", operation_id=f"{resource}_validation",
                summary="Validation report: XSD, EN 16931, BR-FR (and Factur-X profile / PEPPOL) findings")  # fmt: skip
    def validation(
        request: HttpRequest, document_id: str, format: Literal["cii", "ubl"] | None = None
    ) -> dict[str, Any]:
        require_scope(request, f"{resource}:read")
        document = document_get(request, resource, document_id)
        return validation_payload(document, syntax=format, files=stored_xml(document))


def _register_file(resource: str, fmt: str, summary: str) -> None:
    @router.get(f"/{resource}/{{document_id}}/{fmt}", operation_id=f"{resource}_{fmt}", summary=summary,
                openapi_extra={"responses": {200: _BINARY}})  # fmt: skip
    def download(request: HttpRequest, document_id: str) -> HttpResponse:
        require_scope(request, f"{resource}:read")
        content, content_type, filename = document_file(document_get(request, resource, document_id), fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


_register("invoices")
_register("credit_notes")
