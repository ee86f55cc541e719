"""Background rendering of issued documents (Django Tasks; at-least-once, idempotent by document)."""

from django_tasks import task

from facturier.documents.issued import ensure_pdf, has_issued_files
from facturier.invoicing.models import Document


@task()
def render_issued_pdf(document_id: str) -> str | None:
    """Render and store the Factur-X PDF of an issued document unless it is already stored.

    Safe to run twice or concurrently: the second run finds the file (or loses the unique row race and
    keeps the first one's); returns the storage name.
    """
    document = Document.objects.select_related("entity", "customer").filter(pk=document_id).first()
    if document is None or not has_issued_files(document):
        return None
    return ensure_pdf(document).name


@task()
def sweep_missing_pdfs() -> int:
    """Queue the PDF of every issued document lacking one (schedule `documents-sweep`); how many."""
    from facturier.documents.sweeper import render_missing_pdfs

    return render_missing_pdfs()
