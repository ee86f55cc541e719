"""Is what we got really the rule set? Every schema must load, every compiled schematron must
compile and carry its rule ids.

Saxon must be created in the process and thread that uses it and aborts after ``fork()``: the
compiles run in a fresh *spawned* process, so the caller (the CLI, a test, a web worker) keeps a
Saxon-free state and the staging folder's stylesheets are not cached under paths about to move.
"""

from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from lxml import etree

from facturier.domain.validation.artefacts import ARTEFACTS, EXPECTED_RULE_IDS

__all__ = ["compile_problems", "rule_id_problems", "schema_problems", "content_problems"]


def rule_id_problems(root: Path) -> list[str]:
    """Stylesheets under ``root`` that lack a rule id they must carry."""
    problems = []
    for key, ids in EXPECTED_RULE_IDS.items():
        path = root / ARTEFACTS[key].relpath
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        absent = [rule for rule in ids if not re.search(rf"(?<![A-Z0-9-]){re.escape(rule)}", text)]
        if absent:
            problems.append(f"{path.name} does not carry the rule(s) {', '.join(absent)}")
    return problems


def _compile_all(paths: list[str]) -> list[str]:
    """Runs in the spawned process: compile each stylesheet; stop at the first that fails."""
    from facturier.domain.validation.schematron import SchematronCompileError, warm_up

    for path in paths:
        try:
            warm_up([Path(path)])
        except SchematronCompileError as exc:
            return [" ".join(str(exc).split())[:500]]
    return []


def compile_problems(root: Path) -> list[str]:
    """Stylesheets under ``root`` that Saxon cannot compile."""
    paths = [
        str(root / spec.relpath)
        for key, spec in ARTEFACTS.items()
        if key.startswith("xslt/") and (root / spec.relpath).is_file()
    ]
    if not paths:
        return []
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_compile_all, paths).result()


def schema_problems(root: Path) -> list[str]:
    """Schemas under ``root`` that lxml cannot load (with every schema they import)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    problems = []
    for key, spec in ARTEFACTS.items():
        path = root / spec.relpath
        if key.startswith("xsd/") and path.is_file():
            try:
                etree.XMLSchema(etree.parse(str(path), parser))
            except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
                problems.append(f"{path.name} is not a usable schema: {' '.join(str(exc).split())[:300]}")
    return problems


def content_problems(root: Path) -> list[str]:
    """Everything wrong with the schemas and stylesheets under ``root`` (cheap checks first)."""
    return rule_id_problems(root) or schema_problems(root) or compile_problems(root)
