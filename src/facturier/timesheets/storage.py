"""Where expense receipts are kept: under ``$FACTURIER_DATA_DIR/receipts`` (or ``STORAGES["receipts"]``).

Paths come from the file's SHA-256, never from the name the uploader gave, so no traversal is possible
and the same receipt uploaded twice is stored once.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


class ReceiptStorage(FileSystemStorage):
    @property
    def base_location(self) -> str:
        root = getattr(settings, "FACTURIER_RECEIPTS_ROOT", None) or Path(settings.DATA_DIR) / "receipts"
        return str(root)

    @property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())


_local_storage = ReceiptStorage()


def receipt_storage() -> Storage:
    """A callable, so migrations do not freeze a backend."""
    if "receipts" in settings.STORAGES:
        return storages["receipts"]
    return _local_storage
