"""Where the official example invoices live and which syntax each one uses (shared by tests)."""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
CONFORMANCE = SHARED / "conformance"
SKIP_REASON = "../shared not present: conformance data is only in the team workspace"

CII_XSD = (
    CONFORMANCE
    / "en16931/cii/schema/D16B-uncoupled/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd"
)
UBL_INVOICE_XSD = CONFORMANCE / "ubl21/xsd/maindoc/UBL-Invoice-2.1.xsd"
UBL_CREDIT_NOTE_XSD = CONFORMANCE / "ubl21/xsd/maindoc/UBL-CreditNote-2.1.xsd"


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4000)


def _is_cii(path: Path) -> bool:
    return b"CrossIndustryInvoice" in _head(path)


def _is_ubl(path: Path) -> bool:
    head = _head(path)
    return b"xsd:Invoice-2" in head or b"xsd:CreditNote-2" in head


def golden_files() -> tuple[list[Path], list[Path]]:
    """(CII files, UBL files) among the official examples; empty when ../shared is absent."""
    if not CONFORMANCE.is_dir():
        return [], []
    candidates = [
        *CONFORMANCE.glob("en16931/cii/examples/*.xml"),
        *CONFORMANCE.glob("en16931/ubl/examples/*"),
        *CONFORMANCE.glob("xrechnung-testsuite/src/test/**/*.xml"),
        *CONFORMANCE.glob("peppol/bis-billing-3.0.21/examples/**/*.xml"),
        *CONFORMANCE.glob("facturx/samples/*/*.factur-x.xml"),
    ]
    files = sorted(path for path in candidates if path.is_file())
    return [path for path in files if _is_cii(path)], [path for path in files if _is_ubl(path)]


def file_id(path: Path) -> str:
    return str(path.relative_to(CONFORMANCE))
