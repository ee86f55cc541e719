"""Installing the official rule sets: fetch, check, lay out, verify, then swap in atomically.

Everything is built in a staging folder beside the installed one. Any failure (network, checksum,
hostile archive, missing file, a stylesheet that does not compile or lacks its rule ids) raises
:class:`InstallError` and leaves the previous installation exactly as it was; success replaces it
with two renames on the same file system.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from facturier.conformance.archives import ArchiveLimits, UnsafeArchive, unpack
from facturier.conformance.checks import content_problems
from facturier.conformance.fetch import FetchError, FetchLimits, check_published_checksum, fetch, is_remote
from facturier.conformance.layout import LayoutError, place, release_labels
from facturier.conformance.manifest import InstalledSource, Manifest, write_manifest
from facturier.conformance.sources import DEFAULT_SOURCES, Source
from facturier.domain.validation.artefacts import (
    ArtefactMissing,
    ArtefactStore,
    copy_conformance_folder,
    is_conformance_folder,
)

__all__ = ["InstallError", "InstallLimits", "install_from_folder", "install_sources"]


class InstallError(RuntimeError):
    """The rules were not installed; the previous installation (if any) is untouched."""


@dataclass(frozen=True)
class InstallLimits:
    fetch: FetchLimits = FetchLimits()
    archive: ArchiveLimits = ArchiveLimits()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


_RELEASE_PREFIX = ".conformance-"


def _swap(staging: Path, target: Path) -> None:
    """Point ``target`` at the new release in one ``rename(2)`` of a symlink.

    Each installation lives in its own folder (``.conformance-<time>-<pid>``) and ``target`` is a
    symlink to it: a reader sees the old rules or the new ones, never a missing folder, and
    long-running workers pick the new files up (compiled stylesheets are cached by resolved path).
    The previous release is kept until the next installation, for readers still using it.
    """
    parent = target.parent
    release = parent / f"{_RELEASE_PREFIX}{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    staging.rename(release)
    link = parent / f".conformance.link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(release.name)
    previous = target.resolve() if target.is_symlink() else None
    if target.exists() and not target.is_symlink():  # a folder from before releases were kept apart
        retired = parent / f".conformance.old-{os.getpid()}"
        target.rename(retired)
        shutil.rmtree(retired, ignore_errors=True)
    os.replace(link, target)
    for old in parent.glob(f"{_RELEASE_PREFIX}*"):
        if old.resolve() not in (release.resolve(), previous):
            shutil.rmtree(old, ignore_errors=True)


def _verify(staging: Path) -> None:
    """Every artefact validation reads resolves, and every stylesheet is the real thing."""
    try:
        ArtefactStore(staging).verify()
    except ArtefactMissing as exc:
        raise InstallError(str(exc).split(". Validation cannot run")[0]) from exc
    problems = content_problems(staging)
    if problems:
        raise InstallError("; ".join(problems))


def _pin(source: Source, fetched_digests: dict[str, str]) -> str:
    if not source.sha256:
        return ""
    got = fetched_digests.get("sha256", "")
    if got != source.sha256:
        raise InstallError(
            f"{source.name}: the archive's SHA-256 is {got or '(a folder, no digest)'}, "
            f"not the expected {source.sha256}"
        )
    return "pinned sha256"


def _fetch_one(source: Source, work: Path, staging: Path, limits: InstallLimits) -> InstalledSource:
    fetched = fetch(source.url, work, name=source.name, limits=limits.fetch)
    checked = _pin(source, fetched.digests)
    if source.checksum_url and fetched.digests:
        published = check_published_checksum(source.checksum_url, fetched, limits.fetch)
        checked = ", ".join(filter(None, (checked, published)))
    root = (
        fetched.path
        if fetched.path.is_dir()
        else unpack(fetched.path, work / f"{source.name}.d", limits.archive)
    )
    labels = release_labels(source.name, place(source.name, root, staging))
    return InstalledSource(
        name=source.name,
        title=source.title,
        version=" ".join([source.version, *(f"({label})" for label in labels)]).strip(),
        url=source.url if is_remote(source.url) else str(Path(source.url).expanduser().resolve()),
        sha256=fetched.digests.get("sha256", ""),
        checksum=checked,
    )


def _install(target: Path, build: Callable[[Path, Path], tuple[InstalledSource, ...]]) -> Manifest:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".conformance.", dir=target.parent) as temp:
        staging, work = Path(temp) / "staging", Path(temp) / "work"
        staging.mkdir()
        work.mkdir()
        try:
            installed = build(staging, work)
        except (FetchError, UnsafeArchive, LayoutError) as exc:
            raise InstallError(str(exc)) from exc
        except OSError as exc:
            raise InstallError(f"could not write the rules: {exc}") from exc
        _verify(staging)
        manifest = Manifest(installed_at=_now(), sources=installed)
        write_manifest(staging, manifest)
        _swap(staging, target)
    return manifest


def install_sources(
    sources: Sequence[Source],
    target: Path,
    *,
    limits: InstallLimits | None = None,
    progress: Callable[[Source], None] = lambda _source: None,
) -> Manifest:
    """Fetch every source, check it, and install them together into ``target`` (all or nothing)."""
    chosen = limits or InstallLimits()

    def build(staging: Path, work: Path) -> tuple[InstalledSource, ...]:
        installed = []
        for source in sources:
            progress(source)
            try:
                installed.append(_fetch_one(source, work, staging, chosen))
            except (FetchError, UnsafeArchive, LayoutError) as exc:
                raise type(exc)(f"{source.name}: {exc}") from exc
        return tuple(installed)

    return _install(target, build)


def install_from_folder(path: Path, target: Path, *, limits: InstallLimits | None = None) -> Manifest:
    """Install from one local folder or archive holding every rule set (``install PATH``).

    A folder laid out like the installed one (the team's ``shared/conformance``) is copied as is;
    anything else (an archive, another layout) is searched for each piece by its marker file.
    """
    chosen = limits or InstallLimits()
    path = Path(path).expanduser().resolve()
    if target.exists() and target.resolve() == path:
        raise InstallError(f"{path} is the installed folder itself")

    def build(staging: Path, work: Path) -> tuple[InstalledSource, ...]:
        fetched = fetch(str(path), work, name="local", limits=chosen.fetch)
        root = (
            fetched.path if fetched.path.is_dir() else unpack(fetched.path, work / "local.d", chosen.archive)
        )
        if is_conformance_folder(root):
            try:
                copy_conformance_folder(root, staging)
            except ArtefactMissing as exc:
                raise LayoutError(str(exc)) from exc
        else:
            try:
                for source in DEFAULT_SOURCES:
                    place(source.name, root, staging)
            except LayoutError as exc:
                raise LayoutError(f"{path} is not a complete conformance folder: {exc}") from exc
        return (
            InstalledSource(
                name="local",
                title="Local copy",
                version="",
                url=str(path),
                sha256=fetched.digests.get("sha256", ""),
            ),
        )

    return _install(target, build)
