"""Where each official rule set is published, and how an operator points the installer elsewhere.

Each :class:`Source` is one archive from one publisher. The defaults are the publishers' documented
download URLs for the versions this release of Facturier was tested with; an operator overrides
any of them (a newer release, a mirror, a local copy) through the settings, the environment or
``--source NAME=URL_OR_PATH``, and pins what the bytes must hash to with ``--sha256 NAME=HEX``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

__all__ = ["DEFAULT_SOURCES", "Source", "SourceError", "configured_sources", "parse_assignments"]


class SourceError(ValueError):
    """An override names an unknown source or is not ``NAME=VALUE``."""


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    url: str
    """An http(s) URL, or a local archive (.zip, .jar, .tar.gz) or folder."""
    version: str = ""
    """The release the default URL points at; guessed from the URL when it is overridden."""
    sha256: str = ""
    """Expected SHA-256 of the archive (hex), when pinned; a mismatch refuses the installation."""
    checksum_url: str = ""
    """A checksum file the publisher puts beside the archive (``.sha1``/``.sha256``/``.sha512``)."""


_GITHUB_EN16931 = "https://github.com/ConnectingEurope/eInvoicing-EN16931/releases/download/validation-1.3.16"
_PHIVE_PEPPOL = "https://repo1.maven.org/maven2/com/helger/phive/rules/phive-rules-peppol/4.6.1"

DEFAULT_SOURCES: tuple[Source, ...] = (
    Source(
        "en16931-cii",
        "CEN EN 16931 validation artefacts, CII",
        f"{_GITHUB_EN16931}/en16931-cii-1.3.16.zip",
        version="1.3.16",
        sha256="1cd53cb8a84d38aedc82c0caede217da983a7934dd663f793a092fd66443c561",
    ),
    Source(
        "en16931-ubl",
        "CEN EN 16931 validation artefacts, UBL",
        f"{_GITHUB_EN16931}/en16931-ubl-1.3.16.zip",
        version="1.3.16",
        sha256="bafada015efbc5248bf5e05ad2191e1d9833ef96e9dd5f4bce420a747342da85",
    ),
    # The CII D16B schemas as the CEN repository redistributes them (cii/schema/, "uncoupled clm"):
    # its tag snapshot is always there, where UNECE's own D16B zip has moved more than once.
    Source(
        "cii-d16b",
        "UN/CEFACT CII D16B schemas (from the CEN EN 16931 repository)",
        "https://github.com/ConnectingEurope/eInvoicing-EN16931/archive/refs/tags/validation-1.3.16.zip",
        version="D16B (validation-1.3.16)",
    ),
    # The UBL schemas the EN 16931 README names ("Used XML Schemas").
    Source(
        "ubl21",
        "OASIS UBL 2.1 schemas",
        "https://docs.oasis-open.org/ubl/os-UBL-2.1/UBL-2.1.zip",
        version="2.1",
    ),
    Source(
        "fr-ctc",
        "FNFE-MPE French reform rules (BR-FR, XP Z12-012)",
        "https://github.com/fnfempe/France_RFE/archive/refs/tags/v1.4.0.04.zip",
        version="1.4.0.04",
    ),
    # OpenPEPPOL publishes Schematron sources only; phive-rules ships them compiled to XSLT, on
    # Maven Central, which publishes a SHA-1 beside every file.
    Source(
        "peppol",
        "OpenPEPPOL BIS Billing 3 rules (compiled by phive-rules)",
        f"{_PHIVE_PEPPOL}/phive-rules-peppol-4.6.1.jar",
        version="phive-rules-peppol 4.6.1",
        checksum_url=f"{_PHIVE_PEPPOL}/phive-rules-peppol-4.6.1.jar.sha1",
    ),
)

_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_VERSION_IN_URL = re.compile(r"(?:^|[^0-9])v?(\d+(?:\.\d+)+)(?=[^0-9]*$)")


def parse_assignments(values: Iterable[str], *, what: str) -> dict[str, str]:
    """``["en16931-cii=https://...", ...]`` -> ``{"en16931-cii": "https://..."}``."""
    parsed: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name.strip() or not rest.strip():
            raise SourceError(f"{what} must be NAME=VALUE, got {value!r}")
        parsed[name.strip()] = rest.strip()
    return parsed


def _env_key(prefix: str, name: str) -> str:
    return f"FACTURIER_CONFORMANCE_{prefix}_{name.upper().replace('-', '_')}"


def _guess_version(url: str) -> str:
    found = _VERSION_IN_URL.search(url.rsplit("/", 1)[-1]) or _VERSION_IN_URL.search(url)
    return found.group(1) if found else ""


def configured_sources(
    *,
    settings_overrides: Mapping[str, Mapping[str, str]] | None = None,
    environ: Mapping[str, str] | None = None,
    urls: Mapping[str, str] | None = None,
    sha256s: Mapping[str, str] | None = None,
) -> tuple[Source, ...]:
    """The sources to install from: defaults, then settings, then environment, then the command line.

    ``settings_overrides`` is ``FACTURIER_CONFORMANCE_SOURCES``
    (``{name: {"url": ..., "sha256": ..., "checksum_url": ...}}``);
    the environment has ``FACTURIER_CONFORMANCE_URL_<NAME>`` and ``FACTURIER_CONFORMANCE_SHA256_<NAME>``
    (``-`` written ``_``). A new URL drops the default pin and checksum file unless they are given again.
    """
    known = {source.name: source for source in DEFAULT_SOURCES}
    layers: list[dict[str, dict[str, str]]] = [{k: dict(v) for k, v in (settings_overrides or {}).items()}]
    env = environ or {}
    layers.append(
        {
            name: {
                key: env[var]
                for key, var in (("url", _env_key("URL", name)), ("sha256", _env_key("SHA256", name)))
                if env.get(var)
            }
            for name in known
        }
    )
    layers.append({name: {"url": url} for name, url in (urls or {}).items()})
    layers.append({name: {"sha256": digest} for name, digest in (sha256s or {}).items()})
    result = dict(known)
    for layer in layers:
        for name, values in layer.items():
            if name not in result:
                raise SourceError(f"Unknown rule source {name!r}; known: {', '.join(known)}")
            source = result[name]
            if values.get("url") and values["url"] != source.url:
                source = replace(source, url=values["url"], version=_guess_version(values["url"]), sha256="",
                                 checksum_url="")  # fmt: skip
            if values.get("checksum_url"):
                source = replace(source, checksum_url=values["checksum_url"])
            if values.get("sha256"):
                if not _HEX.match(values["sha256"]):
                    raise SourceError(f"The SHA-256 of {name} must be 64 hexadecimal digits")
                source = replace(source, sha256=values["sha256"].lower())
            result[name] = source
    return tuple(result.values())
