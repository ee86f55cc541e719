"""Reading a bank's CSV column mapping from a JSON file, for the bank-account commands."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError


def read_mapping(path: str) -> dict[str, Any]:
    """The JSON object in `path` (column names, delimiter...); a clear error otherwise."""
    try:
        mapping = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read the CSV mapping {path}: {error}", returncode=1) from None
    if not isinstance(mapping, dict):
        raise CommandError("The CSV mapping is a JSON object (column names, delimiter...).", returncode=1)
    return mapping
