"""Getting one archive onto the disk: downloaded with ``requests`` (bounded in time and size) or
taken from a local path, with its digests computed on the way for the checksum checks."""

from __future__ import annotations

import hashlib
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import requests

__all__ = ["Fetched", "FetchError", "FetchLimits", "check_published_checksum", "fetch"]

_CHUNK = 64 * 1024


class FetchError(RuntimeError):
    """The archive could not be had: network, HTTP status, size, time or a missing local file."""


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 30.0
    """Seconds to connect, and the longest silence while reading."""
    deadline: float = 600.0
    """Seconds for the whole download (a server trickling bytes cannot hold us forever)."""
    max_bytes: int = 300 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    path: Path
    """The archive file, or the folder when the source is a local folder."""
    digests: dict[str, str]
    """Hex digests (sha1, sha256, sha512) of the archive; empty for a folder."""


def is_remote(location: str) -> bool:
    return urlparse(location).scheme in ("http", "https")


def _digests(path: Path) -> dict[str, str]:
    hashers = {name: hashlib.new(name) for name in ("sha1", "sha256", "sha512")}
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            for hasher in hashers.values():
                hasher.update(chunk)
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def _download(url: str, dest: Path, limits: FetchLimits) -> None:
    started = time.monotonic()
    try:
        with requests.get(url, stream=True, timeout=(limits.timeout, limits.timeout)) as response:
            if response.status_code != 200:
                raise FetchError(f"{url} answered HTTP {response.status_code}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(f"{url} is {declared} bytes, over the {limits.max_bytes} bytes limit")
            size = 0
            with dest.open("wb") as out:
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise FetchError(f"{url} is over the {limits.max_bytes} bytes limit")
                    if time.monotonic() - started > limits.deadline:
                        raise FetchError(f"{url} took more than {limits.deadline:.0f} s")
                    out.write(chunk)
    except requests.RequestException as exc:
        raise FetchError(f"{url} could not be downloaded: {_reason(exc)}") from exc


def _reason(exc: requests.RequestException) -> str:
    """The useful end of a requests error (the root cause, not three nested reprs)."""
    root: BaseException = exc
    while root.__cause__ is not None or (root.__context__ is not None and not root.__suppress_context__):
        root = root.__cause__ or root.__context__  # type: ignore[assignment]
    text = " ".join(str(root).split())
    if isinstance(exc, requests.Timeout):
        return f"timed out ({text})"
    if isinstance(exc, requests.ConnectionError):
        return f"no connection ({text})"
    return text


def fetch(location: str, workdir: Path, *, name: str, limits: FetchLimits) -> Fetched:
    """Download ``location`` into ``workdir`` (or use the local file/folder it names)."""
    if is_remote(location):
        suffix = "".join(Path(urlparse(location).path).suffixes[-2:]) or ".zip"
        dest = workdir / f"{name}{suffix}"
        _download(location, dest, limits)
        return Fetched(dest, _digests(dest))
    path = Path(location[7:] if location.startswith("file://") else location).expanduser()
    if path.is_dir():
        return Fetched(path.resolve(), {})
    if not path.is_file():
        raise FetchError(f"{path} does not exist")
    if path.stat().st_size > limits.max_bytes:
        raise FetchError(f"{path} is over the {limits.max_bytes} bytes limit")
    dest = workdir / f"{name}{''.join(path.suffixes[-2:])}"
    shutil.copyfile(path, dest)
    return Fetched(dest, _digests(dest))


_HEX_TOKEN = re.compile(r"\b([0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})\b")
_ALGORITHM_BY_LENGTH = {40: "sha1", 64: "sha256", 128: "sha512"}


def check_published_checksum(checksum_url: str, fetched: Fetched, limits: FetchLimits) -> str:
    """Compare the archive with the checksum file its publisher puts beside it; ``"sha1:<hex>"``."""
    try:
        response = requests.get(checksum_url, timeout=(limits.timeout, limits.timeout))
    except requests.RequestException as exc:
        raise FetchError(f"{checksum_url} could not be downloaded: {_reason(exc)}") from exc
    if response.status_code != 200:
        raise FetchError(f"{checksum_url} answered HTTP {response.status_code}")
    found = _HEX_TOKEN.search(response.text[:4096])
    if found is None:
        raise FetchError(f"{checksum_url} holds no checksum")
    published = found.group(1).lower()
    algorithm = _ALGORITHM_BY_LENGTH[len(published)]
    if fetched.digests.get(algorithm) != published:
        raise FetchError(
            f"the archive does not match the checksum its publisher gives ({checksum_url}: "
            f"{algorithm} {published}, got {fetched.digests.get(algorithm)})"
        )
    return f"{algorithm}:{published}"
