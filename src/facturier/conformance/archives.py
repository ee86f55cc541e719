"""Unpacking a downloaded archive without trusting it.

A rule archive comes from the network: its member names are never used as given (no absolute
paths, no ``..``, no drive letters), links and device files are refused, and the number of files
and the bytes written are bounded whatever the archive's headers claim. A hostile archive is
refused as a whole, with a message, before anything it holds is used.
"""

from __future__ import annotations

import posixpath
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["ArchiveLimits", "UnsafeArchive", "unpack"]

_CHUNK = 64 * 1024


class UnsafeArchive(RuntimeError):
    """The archive is unreadable, hostile or larger than the limits: nothing of it is used."""


@dataclass(frozen=True)
class ArchiveLimits:
    max_files: int = 20_000
    max_total_bytes: int = 1024 * 1024 * 1024
    max_file_bytes: int = 200 * 1024 * 1024


def _safe_name(name: str) -> str:
    """The member's relative path, or UnsafeArchive when it could escape the target folder."""
    if "\x00" in name or "\\" in name:
        raise UnsafeArchive(f"unsafe file name in the archive: {name!r}")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"absolute path in the archive: {name!r}")
    normal = posixpath.normpath(name)
    if normal == ".." or normal.startswith("../") or "/../" in f"/{name}/":
        raise UnsafeArchive(f"path traversal in the archive: {name!r}")
    return normal


class _Writer:
    """Writes members under ``root`` and keeps the running totals."""

    def __init__(self, root: Path, limits: ArchiveLimits) -> None:
        self.root = root.resolve()
        self.limits = limits
        self.files = 0
        self.total = 0

    def target(self, name: str) -> Path:
        path = (self.root / _safe_name(name)).resolve()
        if path != self.root and self.root not in path.parents:
            raise UnsafeArchive(f"path traversal in the archive: {name!r}")
        return path

    def directory(self, name: str) -> None:
        self.target(name).mkdir(parents=True, exist_ok=True)

    def file(self, name: str, source: IO[bytes]) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise UnsafeArchive(f"the archive holds more than {self.limits.max_files} files")
        path = self.target(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with path.open("xb") as out:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                self.total += len(chunk)
                if written > self.limits.max_file_bytes:
                    raise UnsafeArchive(f"{name} unpacks to more than {self.limits.max_file_bytes} bytes")
                if self.total > self.limits.max_total_bytes:
                    raise UnsafeArchive(
                        f"the archive unpacks to more than {self.limits.max_total_bytes} bytes"
                    )
                out.write(chunk)


def _unzip(archive: Path, writer: _Writer) -> None:
    try:
        with zipfile.ZipFile(archive) as bundle:
            infos = bundle.infolist()
            if len(infos) > writer.limits.max_files:
                raise UnsafeArchive(f"the archive holds more than {writer.limits.max_files} files")
            for info in infos:
                kind = stat.S_IFMT(info.external_attr >> 16)  # 0 when the zip records no Unix mode
                if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                    raise UnsafeArchive(f"the archive holds a link or special file: {info.filename!r}")
                if info.is_dir():
                    writer.directory(info.filename)
                    continue
                with bundle.open(info) as member:
                    writer.file(info.filename, member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, ValueError) as exc:
        raise UnsafeArchive(f"the archive cannot be read: {exc}") from exc


def _untar(archive: Path, writer: _Writer) -> None:
    try:
        with tarfile.open(archive, mode="r:*") as bundle:
            count = 0
            for member in bundle:
                count += 1
                if count > writer.limits.max_files:
                    raise UnsafeArchive(f"the archive holds more than {writer.limits.max_files} files")
                if member.isdir():
                    writer.directory(member.name)
                elif member.isfile():
                    handle = bundle.extractfile(member)
                    if handle is None:
                        raise UnsafeArchive(f"{member.name!r} cannot be read")
                    with handle:
                        writer.file(member.name, handle)
                elif member.type in (tarfile.XHDTYPE, tarfile.XGLTYPE):
                    continue
                else:
                    raise UnsafeArchive(f"the archive holds a link or special file: {member.name!r}")
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, FileExistsError):
            raise UnsafeArchive(f"the archive holds the same file twice: {exc.filename}") from exc
        raise UnsafeArchive(f"the archive cannot be read: {exc}") from exc


def _kind(archive: Path) -> str:
    with archive.open("rb") as handle:
        head = handle.read(512)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ")) or head[257:262] == b"ustar":
        return "tar"
    raise UnsafeArchive(f"{archive.name} is neither a zip nor a tar archive")


def unpack(archive: Path, dest: Path, limits: ArchiveLimits) -> Path:
    """Unpack ``archive`` (zip/jar or tar, possibly compressed) into the new folder ``dest``."""
    dest.mkdir(parents=True)
    writer = _Writer(dest, limits)
    try:
        (_unzip if _kind(archive) == "zip" else _untar)(archive, writer)
    except FileExistsError as exc:
        raise UnsafeArchive(f"the archive holds the same file twice: {exc.filename}") from exc
    return dest
