"""Bounds on what the inbox accepts, read from the settings with safe defaults.

Every received file is untrusted: these numbers keep one upload from exhausting memory or disk
(zip bombs, huge PDFs) whatever its content claims.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class InboxLimits:
    max_file_bytes: int
    """Largest single file (PDF, XML, or the zip itself) and largest member once unzipped."""
    max_zip_members: int
    max_zip_total_bytes: int
    """Sum of the unzipped sizes of every member of one archive."""
    max_zip_ratio: int
    """Largest unzipped/zipped ratio of a member: far above real invoices, far below a bomb."""

    @classmethod
    def from_settings(cls) -> "InboxLimits":
        return cls(
            max_file_bytes=int(getattr(settings, "FACTURIER_INBOX_MAX_FILE_BYTES", 20 * 1024 * 1024)),
            max_zip_members=int(getattr(settings, "FACTURIER_INBOX_MAX_ZIP_MEMBERS", 200)),
            max_zip_total_bytes=int(
                getattr(settings, "FACTURIER_INBOX_MAX_ZIP_TOTAL_BYTES", 200 * 1024 * 1024)
            ),
            max_zip_ratio=int(getattr(settings, "FACTURIER_INBOX_MAX_ZIP_RATIO", 100)),
        )
