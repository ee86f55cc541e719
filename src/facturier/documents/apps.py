from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "facturier.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from facturier.audit.registry import register_check
        from facturier.documents.integrity import verify_stored_files
        from facturier.documents.issued import (
            issued_file_rows,
            schedule_pdf,
            store_issued_files,
            store_issued_files_many,
        )
        from facturier.invoicing.hooks import IssuedFilesKeeper, register_issued_files_keeper

        register_issued_files_keeper(
            IssuedFilesKeeper(
                store=store_issued_files,
                schedule_pdf=schedule_pdf,
                store_many=store_issued_files_many,
                file_rows=issued_file_rows,
            )
        )
        register_check("documents-stored-files", verify_stored_files, order=STORED_FILES_ORDER)


STORED_FILES_ORDER = 50  # after the chains, completeness and checkpoints (facturier.audit.verify)
