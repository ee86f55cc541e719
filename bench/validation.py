"""Validation cost on one core, CII and UBL, with the official artefacts.

Usage: python bench/validation.py [CONFORMANCE_DIR] [--seconds N] [--repeat N] [--original] [--compare]
Default folder: ../shared/conformance next to the repository. Stylesheet compile time is paid
once per thread and printed separately. First the CPU ms (``time.process_time``: all threads of
the process, Saxon's included, since saxonche runs in-process; comparable on a loaded machine,
unlike wall time) of each step and of a whole ``validate_xml`` on the official example,
CII as issued (Factur-X EN16931 profile + XSD + EN 16931 + BR-FR) and UBL (default rule sets);
then the wall-clock loop (XSD + EN 16931 + BR-FR, then without BR-FR) for the given seconds.
``--original`` runs the schematron files as published instead of their one-pass rewrite.
``--compare`` instead measures, in alternating rounds in one process (so all see the same load),
the variants of :data:`VARIANTS` (the fourth session's rewrites switched on one by one: last fired
pattern only, guards on runs of ``not(child)`` assertions, the schematrons merged into one
transformation), and prints the median and best of the rounds per step.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from facturier.domain.validation import (
    ArtefactStore,
    compile_timings,
    parse_secure,
    schematron,
    single_pass,
    validate_xml,
)
from facturier.domain.validation.pipeline import plan_validation
from facturier.domain.validation.secure_xml import serialize_for_xslt
from facturier.domain.validation.xsd import validate_xsd

DOCUMENTS = {
    "CII": "en16931/cii/examples/CII_example1.xml",
    "UBL": "en16931/ubl/examples/ubl-tc434-example1.xml",
}


RULE_SETS = (("xsd", "en16931", "br-fr"), ("xsd", "en16931"))
PROFILES = {"CII": "EN16931", "UBL": None}


def _cpu() -> float:
    return time.process_time()


def _cpu_ms(action: Callable[[], object], repeat: int) -> float:
    """Best of three averages over ``repeat`` calls, in CPU milliseconds."""
    best = float("inf")
    for _ in range(3):
        started = _cpu()
        for _ in range(repeat):
            action()
        best = min(best, (_cpu() - started) / repeat * 1000)
    return best


def _cpu_split(label: str, xml: bytes, store: ArtefactStore, repeat: int) -> None:
    """CPU ms of each step of one validation, then of the whole ``validate_xml``."""
    profile = PROFILES[label]
    tree = parse_secure(xml)
    steps, _ = plan_validation(tree, syntax=None, profile=profile, rules=RULE_SETS[0])
    validate_xml(xml, store=store, profile=profile)  # compile outside the measurement
    document = schematron.XsltInput(serialize_for_xslt(tree))
    engine = schematron._engine()
    print(f"{label} [profile {profile}, {' + '.join(RULE_SETS[0])}], CPU ms per call:")
    print(f"  {_cpu_ms(partial(parse_secure, xml), repeat):6.2f}  parse (lxml)")
    saxon_parse = partial(engine.processor.parse_xml, xml_text=document.text)
    print(f"  {_cpu_ms(saxon_parse, repeat):6.2f}  parse (Saxon)")
    schematrons: list[tuple[Path, str]] = []
    for step in steps:
        path = store.path(step.key)
        if step.kind == "xsd":
            action: Callable[[], object] = partial(validate_xsd, tree, path, source=step.source)
        else:
            action = partial(schematron.run_schematron, document, path, source=step.source)
            schematrons.append((path, step.source))
        print(f"  {_cpu_ms(action, repeat):6.2f}  {step.kind} {path.name}")
    merged = partial(schematron.run_schematrons, document, schematrons)
    print(f"  {_cpu_ms(merged, repeat):6.2f}  xslt all (run_schematrons, merged: {schematron.MERGE})")
    total = _cpu_ms(partial(validate_xml, xml, store=store, profile=profile), repeat)
    print(f"  {total:6.2f}  total validate_xml")


def _stages(label: str, xml: bytes, store: ArtefactStore) -> dict[str, Callable[[], object]]:
    """Each step of one validation (and the whole call) as a no-argument action."""
    profile = PROFILES[label]
    tree = parse_secure(xml)
    steps, _ = plan_validation(tree, syntax=None, profile=profile, rules=RULE_SETS[0])
    document = schematron.XsltInput(serialize_for_xslt(tree))
    engine = schematron._engine()
    actions: dict[str, Callable[[], object]] = {
        "parse (lxml)": partial(parse_secure, xml),
        "parse (Saxon)": partial(engine.processor.parse_xml, xml_text=document.text),
    }
    schematrons: list[tuple[Path, str]] = []
    for step in steps:
        path = store.path(step.key)
        if step.kind == "xsd":
            actions[f"xsd {path.name}"] = partial(validate_xsd, tree, path, source=step.source)
        else:
            actions[f"xslt {path.name}"] = partial(
                schematron.run_schematron, document, path, source=step.source
            )
            schematrons.append((path, step.source))
    actions["xslt all (run_schematrons)"] = partial(schematron.run_schematrons, document, schematrons)
    actions["total validate_xml"] = partial(validate_xml, xml, store=store, profile=profile)
    return actions


# (label, schematron.MERGE, single_pass.GUARD_ABSENT_CHILDREN, single_pass.LAST_FIRED_ONLY) of the
# variants --compare alternates.
VARIANTS = (
    ("before (3rd session)", False, False, False),
    ("+ last fired only", False, False, True),
    ("+ guards", False, True, True),
    ("+ guards + merged", True, True, True),
)


def _set(merge: bool, guard: bool, last: bool) -> None:
    schematron.MERGE = merge
    single_pass.GUARD_ABSENT_CHILDREN, single_pass.LAST_FIRED_ONLY = guard, last


def _compare(conformance: Path, store: ArtefactStore, repeat: int, rounds: int) -> None:
    """Median and best CPU ms per step of each variant (:data:`VARIANTS`), in alternating rounds."""
    for label, relative in DOCUMENTS.items():
        xml = (conformance / relative).read_bytes()
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(rounds):
            for variant, merge, guard, last in VARIANTS:
                _set(merge, guard, last)
                validate_xml(xml, store=store, profile=PROFILES[label])  # compiled outside the timing
                for name, action in _stages(label, xml, store).items():
                    started = _cpu()
                    for _ in range(repeat):
                        action()
                    times.setdefault((variant, name), []).append((_cpu() - started) / repeat * 1000)
        _set(False, True, True)  # as shipped
        print(
            f"{label} [profile {PROFILES[label]}, {' + '.join(RULE_SETS[0])}], CPU ms per call, "
            f"median (best) of {rounds} alternating rounds of {repeat}:"
        )
        print(f"  {'step':44}" + "".join(f" {variant:>20}" for variant, *_ in VARIANTS))
        for name in _stages(label, xml, store):
            cells = [times[(variant, name)] for variant, *_ in VARIANTS]
            text = [f"{statistics.median(c):6.2f} ({min(c):5.2f})" for c in cells]
            print(f"  {name:44}" + "".join(f" {cell:>20}" for cell in text))


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
    parser.add_argument("--repeat", type=int, default=30, help="calls per CPU measurement")
    parser.add_argument("--original", action="store_true", help="run the schematron files as published")
    parser.add_argument(
        "--compare", action="store_true", help="one pass without / with the merged schematrons"
    )
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds of --compare")
    options = parser.parse_args()
    if options.compare:
        _compare(options.conformance, ArtefactStore(options.conformance), options.repeat, options.rounds)
        return
    schematron.SINGLE_PASS = not options.original
    store = ArtefactStore(options.conformance)
    print("schematron:", "as published" if options.original else "one-pass rewrite")
    for label, relative in DOCUMENTS.items():
        _cpu_split(label, (options.conformance / relative).read_bytes(), store, options.repeat)
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
