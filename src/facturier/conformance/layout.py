"""Which files of each publisher's archive go where in ``$FACTURIER_DATA_DIR/conformance``.

Publishers lay their archives out differently (a release zip, a repository snapshot with a
top-level folder, a Maven jar, the team's ``shared/conformance`` folder), and reorganise them
between releases. So each piece is found by a *marker*: the path suffix of a file it must hold
(``xslt/EN16931-CII-validation.xslt``), and copied from there into the fixed layout that
:data:`facturier.domain.validation.artefacts.ARTEFACTS` reads.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from facturier.domain.validation.artefacts import FACTURX_PROFILES, UBL_DOCUMENTS

__all__ = ["PIECES", "LayoutError", "Piece", "place", "release_labels"]


class LayoutError(RuntimeError):
    """A required file is not in the archive: it is not the rule set it claims to be."""


@dataclass(frozen=True)
class Piece:
    source: str
    target: str
    """Folder (or file, for ``kind="file"``) in the installed layout."""
    marker: str
    """Path suffix (``/``-separated) of a file the piece holds."""
    kind: str = "files"
    """``tree``: the folder the marker suffix starts in, whole; ``files``: ``files`` beside the
    marker; ``file``: the marker itself."""
    files: tuple[str, ...] = ()
    prefer: tuple[str, ...] = ()
    """Substrings of the path that win when several copies match (then: newest version, shortest)."""
    avoid: tuple[str, ...] = ()
    required: bool = True
    release_label: str = ""
    """When set, the folder two levels above the marker names the rule set's release (a jar holding
    several): recorded as ``"<label> <folder>"`` beside the archive's own version."""


_PEPPOL_XSLT = (
    "CEN-EN16931-UBL.xslt",
    "PEPPOL-EN16931-UBL.xslt",
    "PEPPOL-EN16931-UBL-SB.xslt",
    "PEPPOLBIS-T111.xslt",
    "PEPPOLBIS-T71.xslt",
)
_UBL_MAINDOCS = tuple(f"UBL-{doc}-2.1.xsd" for doc in UBL_DOCUMENTS)
_FACTURX_XSLT = {
    "BASICWL": "FACTUR-X_BASIC-WL",
    "EN16931": "FACTUR-X_EN16931",
    "EXTENDED": "Factur-X_EXTENDED",
}
_FACTURX_DIRS = {"BASICWL": ("BASIC-WL", "BASICWL"), "EN16931": ("EN16931",), "EXTENDED": ("EXTENDED",)}

PIECES: tuple[Piece, ...] = (
    Piece("en16931-cii", "en16931/cii/xslt", "EN16931-CII-validation.xslt", files=("EN16931-CII-*.xslt",)),
    Piece("en16931-cii", "en16931/LICENSE.txt", "LICENSE.txt", kind="file", required=False),
    Piece("en16931-ubl", "en16931/ubl/xslt", "EN16931-UBL-validation.xslt", files=("EN16931-UBL-*.xslt",)),
    Piece(
        "cii-d16b",
        "en16931/cii/schema/D16B-uncoupled",
        "CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd",
        kind="tree",
        prefer=("uncoupled",),
    ),
    Piece("ubl21", "ubl21/xsd/maindoc", "maindoc/UBL-Invoice-2.1.xsd", files=_UBL_MAINDOCS, avoid=("xsdrt",)),
    Piece(
        "ubl21",
        "ubl21/xsd/common",
        "UBL-CommonAggregateComponents-2.1.xsd",
        kind="tree",
        prefer=("common",),
        avoid=("xsdrt",),
    ),  # fmt: skip
    Piece(
        "fr-ctc",
        "fr-ctc/CII/1xsd-CII_D22B_uncoupled",
        "CrossIndustryInvoice_100pD22B.xsd",
        kind="tree",
        prefer=("uncoupled",),
        avoid=("EXTENDED",),
    ),  # fmt: skip
    Piece(
        "fr-ctc",
        "fr-ctc/CII/BR-FR/2xslt",
        "CII/*/2xslt/BR-FR-Flux2-Schematron-CII.xslt",
        files=("BR-FR-Flux2-Schematron-CII*.xslt",),
        avoid=("Factur-X", "facturx"),
    ),  # fmt: skip
    Piece(
        "fr-ctc",
        "fr-ctc/UBL/BR-FR/2xslt",
        "UBL/*/2xslt/BR-FR-Flux2-Schematron-UBL.xslt",
        files=("BR-FR-Flux2-Schematron-UBL*.xslt",),
    ),  # fmt: skip
    Piece(
        "fr-ctc",
        "fr-ctc/CII/EXTENDED-CTC-FR/2xslt",
        "EXTENDED-CTC-FR-CII.xslt",
        files=("EXTENDED-CTC-FR-CII*.xslt",),
    ),
    Piece(
        "fr-ctc",
        "fr-ctc/UBL/EXTENDED-CTC-FR/2xslt",
        "EXTENDED-CTC-FR-UBL.xslt",
        files=("EXTENDED-CTC-FR-UBL*.xslt",),
    ),
    Piece(
        "fr-ctc",
        "fr-ctc/CDAR/1xsd-CDAR_D22B_uncoupled",
        "CrossDomainAcknowledgementAndResponse_100pD22B.xsd",
        kind="tree",
    ),  # fmt: skip
    Piece(
        "fr-ctc",
        "fr-ctc/CDAR/2xslt",
        "BR-FR-CDV-Schematron-CDAR.xslt",
        files=("BR-FR-CDV-Schematron-CDAR*.xslt",),
    ),
    Piece("fr-ctc", "fr-ctc/LICENSE", "LICENSE", kind="file", required=False),
    *(
        piece
        for profile in FACTURX_PROFILES
        if profile in _FACTURX_XSLT
        for piece in (
            Piece(
                "fr-ctc",
                f"facturx/{profile}/2xslt",
                f"{_FACTURX_XSLT[profile]}.xslt",
                files=(f"{_FACTURX_XSLT[profile]}*",),
                required=False,
            ),  # fmt: skip
            Piece(
                "fr-ctc",
                f"facturx/{profile}/1xsd",
                f"Factur-X_{profile}.xsd",
                kind="tree",
                prefer=_FACTURX_DIRS[profile],
                required=False,
            ),  # fmt: skip
        )
    ),
    Piece(
        "peppol",
        "peppol/bis-billing-3.0.21/xslt",
        "xslt/PEPPOL-EN16931-UBL.xslt",
        files=_PEPPOL_XSLT,
        release_label="OpenPEPPOL",
    ),  # fmt: skip
)


def _index(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())


def _matches(relpath: str, marker: str) -> bool:
    parts, wanted = relpath.split("/"), marker.split("/")
    return len(parts) >= len(wanted) and all(
        fnmatch.fnmatchcase(part, pattern)
        for part, pattern in zip(parts[-len(wanted) :], wanted, strict=True)
    )


def _numbers(relpath: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", relpath))


def _choose(piece: Piece, files: list[str]) -> str | None:
    found = [f for f in files if _matches(f, piece.marker) and not any(a in f for a in piece.avoid)]
    if not found:
        return None
    found.sort(key=lambda f: (-sum(p in f for p in piece.prefer), [-n for n in _numbers(f)], len(f), f))
    return found[0]


def _copy(piece: Piece, root: Path, relpath: str, dest: Path) -> list[str]:
    marker_path = root / relpath
    target = dest / piece.target
    if piece.kind == "file":
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(marker_path, target)
        return [piece.target]
    if piece.kind == "tree":
        folder = marker_path
        for _ in piece.marker.split("/"):
            folder = folder.parent
        shutil.copytree(folder, target, symlinks=False, dirs_exist_ok=True)
        return [piece.target]
    folder = marker_path.parent
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for candidate in sorted(folder.iterdir()):
        if candidate.is_file() and any(fnmatch.fnmatchcase(candidate.name, p) for p in piece.files):
            shutil.copyfile(candidate, target / candidate.name)
            copied.append(f"{piece.target}/{candidate.name}")
    return copied


def release_labels(source: str, placed: dict[str, str]) -> list[str]:
    """``["OpenPEPPOL 2026.5"]``: the releases named by the folders the pieces were taken from."""
    labels = []
    for piece in PIECES:
        chosen = placed.get(piece.target)
        if piece.source == source and piece.release_label and chosen and chosen.count("/") >= 2:
            labels.append(f"{piece.release_label} {chosen.split('/')[-3]}")
    return labels


def place(source: str, root: Path, dest: Path) -> dict[str, str]:
    """Copy every piece of ``source`` found under ``root`` into ``dest``; {target: path in the archive}.

    Raises :class:`LayoutError` naming the required pieces the archive lacks.
    """
    files = _index(root)
    placed: dict[str, str] = {}
    missing: list[str] = []
    for piece in PIECES:
        if piece.source != source:
            continue
        chosen = _choose(piece, files)
        if chosen is None:
            if piece.required:
                missing.append(piece.marker.rsplit("/", 1)[-1])
            continue
        _copy(piece, root, chosen, dest)
        placed[piece.target] = chosen
    if missing:
        raise LayoutError(f"the {source} archive lacks {', '.join(missing)}")
    return placed
