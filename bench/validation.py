"""Validations per second on one core, CII and UBL, with the official artefacts.

Usage: python bench/validation.py [CONFORMANCE_DIR] [--seconds N]
Default folder: ../shared/conformance next to the repository. Stylesheet compile time is paid
once per thread and printed separately; the loop then validates the same official example
(XSD + EN 16931 + BR-FR, the default rule sets, then without BR-FR) for the given number of seconds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from facturier.domain.validation import ArtefactStore, compile_timings, validate_xml

DOCUMENTS = {
    "CII": "en16931/cii/examples/CII_example1.xml",
    "UBL": "en16931/ubl/examples/ubl-tc434-example1.xml",
}


RULE_SETS = (("xsd", "en16931", "br-fr"), ("xsd", "en16931"))


def _measure(xml: bytes, store: ArtefactStore, rules: tuple[str, ...], seconds: float) -> tuple[int, float]:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        validate_xml(xml, rules=rules, store=store)
        count += 1
    return count, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "conformance",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance",
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()
    store = ArtefactStore(options.conformance)
    for label, relative in DOCUMENTS.items():
        xml = (options.conformance / relative).read_bytes()
        started = time.perf_counter()
        validate_xml(xml, store=store)  # the first call compiles the stylesheets
        first = time.perf_counter() - started
        print(f"{label}: first validation (with compile) {first:.2f} s")
        for rules in RULE_SETS:
            count, elapsed = _measure(xml, store, rules, options.seconds)
            print(
                f"{label} [{' + '.join(rules)}]: {count / elapsed:.1f} validations/s on one core "
                f"({elapsed / count * 1000:.1f} ms each)"
            )
    print("compile times:")
    for path, seconds in sorted(compile_timings().items(), key=lambda item: -item[1]):
        print(f"  {seconds:.2f} s  {Path(path).name}")


if __name__ == "__main__":
    main()
