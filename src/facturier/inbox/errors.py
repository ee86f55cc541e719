"""Why a received file was refused. Each refusal has a stable code (API problem+json, CLI, UI)."""

from django.utils.translation import gettext_lazy as _

from facturier.common.errors import ValidationFailed

FILE_TOO_LARGE = "inbox_file_too_large"
EMPTY_FILE = "inbox_empty_file"
UNSUPPORTED_FILE = "inbox_unsupported_file"
UNREADABLE_INVOICE = "inbox_unreadable_invoice"
PDF_UNREADABLE = "inbox_pdf_unreadable"
PDF_NO_XML = "inbox_pdf_without_xml"
PDF_SEVERAL_XML = "inbox_pdf_several_xml"
ZIP_UNREADABLE = "inbox_zip_unreadable"
ZIP_TOO_MANY_MEMBERS = "inbox_zip_too_many_members"
ZIP_TOO_LARGE = "inbox_zip_too_large"
ZIP_BOMB = "inbox_zip_bomb"
ZIP_UNSAFE_NAME = "inbox_zip_unsafe_name"
ZIP_NESTED = "inbox_zip_nested"
ZIP_EMPTY = "inbox_zip_empty"

GENERIC_MESSAGE = _("This file cannot be imported.")


class InboxImportError(ValidationFailed):
    """A received file (or zip member) was refused: nothing was stored for it."""

    code = "inbox_refused"


class InboxFileTooLarge(InboxImportError):
    """Over the configured size limit (HTTP 413 in the API)."""

    code = FILE_TOO_LARGE
    status = 413
