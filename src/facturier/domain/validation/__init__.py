"""E-invoice validation against the official artefacts: XSD (lxml) + schematron (saxonche).

Entry points: :func:`validate_xml` (CII/Factur-X and UBL invoices), :func:`validate_cdar`
(lifecycle statuses) and their ``*_in_subprocess`` twins for forked workers. Artefacts are found
through an :class:`ArtefactStore`; a missing one raises :class:`ArtefactMissing` (fail closed).
"""

from facturier.domain.validation.artefacts import (
    ARTEFACTS,
    FACTURX_PROFILES,
    ArtefactMissing,
    ArtefactStore,
    install_conformance,
)
from facturier.domain.validation.findings import Finding, Severity, ValidationReport
from facturier.domain.validation.isolation import (
    shutdown_subprocess_worker,
    validate_cdar_in_subprocess,
    validate_in_subprocess,
)
from facturier.domain.validation.pipeline import (
    DEFAULT_RULES,
    RULE_SETS,
    detect_facturx_profile,
    validate_cdar,
    validate_xml,
)
from facturier.domain.validation.schematron import SchematronCompileError, compile_timings, warm_up
from facturier.domain.validation.secure_xml import MalformedXmlError, UnsafeXmlError, parse_secure

__all__ = [
    "ARTEFACTS",
    "DEFAULT_RULES",
    "FACTURX_PROFILES",
    "RULE_SETS",
    "ArtefactMissing",
    "ArtefactStore",
    "Finding",
    "MalformedXmlError",
    "SchematronCompileError",
    "Severity",
    "UnsafeXmlError",
    "ValidationReport",
    "compile_timings",
    "detect_facturx_profile",
    "install_conformance",
    "parse_secure",
    "shutdown_subprocess_worker",
    "validate_cdar",
    "validate_cdar_in_subprocess",
    "validate_in_subprocess",
    "validate_xml",
    "warm_up",
]
