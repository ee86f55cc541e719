"""Where received files are kept: byte for byte, under ``$FACTURIER_DATA_DIR/inbox`` by default.

A project that declares a ``STORAGES["inbox"]`` alias (S3-compatible object storage with object lock,
for instance) gets that backend instead. The default backend reads its root from the settings on every
access (not once at import), so tests and deployments can move it with ``FACTURIER_INBOX_ROOT``.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


class InboxFileStorage(FileSystemStorage):
    """The local filesystem backend, rooted at ``FACTURIER_INBOX_ROOT`` or ``DATA_DIR/inbox``."""

    @property
    def base_location(self) -> str:
        root = getattr(settings, "FACTURIER_INBOX_ROOT", None) or Path(settings.DATA_DIR) / "inbox"
        return str(root)

    @property
    def location(self) -> str:
        return str(Path(self.base_location).resolve())


_local_storage = InboxFileStorage()


def inbox_storage() -> Storage:
    """The storage for received originals (a callable, so migrations do not freeze a backend)."""
    if "inbox" in settings.STORAGES:
        return storages["inbox"]
    return _local_storage
