"""``manifest.json`` in the installed folder: which releases were installed, from where, when.

Written last into the staging folder, so an installation without a manifest is either a copy made
before manifests existed or a folder pointed at directly (``CONFORMANCE_DIR``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["MANIFEST_NAME", "InstalledSource", "Manifest", "read_manifest", "write_manifest"]

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class InstalledSource:
    name: str
    title: str
    version: str
    url: str
    sha256: str
    """SHA-256 of the archive as received ("" for a local folder)."""
    checksum: str = ""
    """How the bytes were checked against the publisher: ``"pinned sha256"``, ``"sha1:<hex>"``, or ""."""


@dataclass(frozen=True)
class Manifest:
    installed_at: str
    sources: tuple[InstalledSource, ...] = field(default_factory=tuple)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    data = {"installed_at": manifest.installed_at, "sources": [asdict(s) for s in manifest.sources]}
    (folder / MANIFEST_NAME).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> Manifest | None:
    """The manifest of an installed folder; None when there is none or it is unreadable."""
    try:
        data = json.loads((Path(folder) / MANIFEST_NAME).read_text(encoding="utf-8"))
        sources = tuple(InstalledSource(**{k: str(v) for k, v in s.items()}) for s in data["sources"])
        return Manifest(installed_at=str(data["installed_at"]), sources=sources)
    except (OSError, ValueError, KeyError, TypeError):
        return None
