"""Where issued files are kept: the `issued` storage alias (convention 12, "What was issued is stored").

Unset, they go to ``$FACTURIER_DATA_DIR/files`` on the local disk. ``FACTURIER_STORAGE_URL=s3://bucket/prefix``
puts them on S3-compatible object storage through django-storages (install the ``s3`` extra); the usual
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` are read by boto3 itself, and ``AWS_S3_ENDPOINT_URL`` /
``AWS_S3_REGION_NAME`` name a non-AWS endpoint (MinIO, Scaleway, OVH...). Files are write-once: the
object storage never overwrites a key (``file_overwrite`` off), and the code refuses to replace one.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def issued_storage(data_dir: Path, url: str | None = None) -> dict[str, Any]:
    """The STORAGES entry of the issued files, from FACTURIER_STORAGE_URL (or the data dir)."""
    url = os.environ.get("FACTURIER_STORAGE_URL", "") if url is None else url
    if not url:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(data_dir / "files"), "base_url": None},
        }
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": parts.path}}
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"FACTURIER_STORAGE_URL must be s3://bucket[/prefix] or file:///path, not {url!r}"
        )
    options: dict[str, Any] = {
        "bucket_name": parts.netloc,
        "location": parts.path.strip("/"),
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
    }
    for option, variable in (("endpoint_url", "AWS_S3_ENDPOINT_URL"), ("region_name", "AWS_S3_REGION_NAME")):
        if os.environ.get(variable):
            options[option] = os.environ[variable]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def storages(data_dir: Path) -> dict[str, Any]:
    """Django's two default aliases plus `issued`."""
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "issued": issued_storage(data_dir),
    }
