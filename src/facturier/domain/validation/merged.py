"""Several rewritten schematrons merged into one transformation (``schematron.MERGE``, off: measured
slower, docs/issuing-parallel.md "Validation, fourth pass").

Kept beside the one-pass rewrite (``single_pass``) because it is proven equivalent by the tests and
may pay on another engine: the stylesheets' shared declarations must be identical or the merge is
refused, each stylesheet keeps its own patterns, findings, order and source, and Factur-X EXTENDED runs
as published.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from lxml import etree

from facturier.domain.validation.single_pass import (
    _BASE_URI,
    SVRL,
    XSL,
    SinglePass,
    _parsed,
    _rewrite,
    variant,
)


def _canonical(element: etree._Element) -> tuple[object, ...]:
    """What an XSLT declaration means, without what XSLT ignores (whitespace-only text outside
    ``xsl:text``, attribute order, comments), to tell identical copies from different ones."""
    verbatim = element.tag == f"{{{XSL}}}text" or element.get("{http://www.w3.org/XML/1998/namespace}space")

    def text(value: str | None) -> str:
        return "" if value is None or not (verbatim or value.strip()) else value

    return (
        element.tag,
        tuple(sorted(element.attrib.items())),
        text(element.text),
        tuple(
            (_canonical(child) if isinstance(child.tag, str) else None, text(child.tail)) for child in element
        ),
    )


def _outside_predicates(expression: str) -> str:
    """``expression`` with what its predicates and string literals hold left out."""
    kept: list[str] = []
    depth, quote = 0, ""
    for char in expression:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "[":
            kept.append(char if depth == 0 else "")
            depth += 1
        elif char == "]":
            depth -= 1
            kept.append(char if depth == 0 else "")
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


# A match pattern of element name tests only, grouped and joined (``(a:B | c:D)[...]/e:F | //*``):
# it cannot match an attribute. No axis, no ``@``, no call or kind test (a name before ``(``).
_ELEMENT_PATTERN = re.compile(r"^[\w.\-:/|*\s\[\]()]*$")
_CALL = re.compile(r"[\w*\])]\s*\(")


def _element_only(match: str) -> bool:
    shape = _outside_predicates(match)
    return "::" not in shape and bool(_ELEMENT_PATTERN.match(shape)) and not _CALL.search(shape)


def _identity(element: etree._Element) -> tuple[str, str] | None:
    """Which declaration of a merged stylesheet ``element`` is (templates: by mode, as a group)."""
    if not element.tag.startswith(f"{{{XSL}}}"):
        return None  # a top-level element of another namespace: data, ignored by XSLT
    name = element.get("name")
    if element.tag == f"{{{XSL}}}template" and name is None:
        return "mode", element.get("mode") or "#default"
    return element.tag, name or ""


def _merge(roots: list[etree._Element]) -> tuple[etree._Element, tuple[int, ...]] | None:
    """One skeleton stylesheet holding the patterns of ``roots``, in order, or None.

    Each stylesheet's pattern modes are renamed (``M7`` of the second: ``M7-s1``); every other
    top-level declaration (helper modes of the location paths, parameters, variables, functions,
    output) must be identical wherever two stylesheets declare it (then one copy is kept), or the
    merge is declined: nothing is renamed inside an XPath. Prefixes must mean the same namespace
    in all of them. A stylesheet that walks elements only (``select="*"``, BR-FR) may join
    stylesheets that also walk attributes only if none of its rules can match an attribute.
    """
    nsmap: dict[str | None, str] = {}
    for root in roots:
        for element in [root, *root]:
            if isinstance(element.tag, str):
                for prefix, uri in element.nsmap.items():
                    if nsmap.setdefault(prefix, uri) != uri:
                        return None
    if len({tuple(sorted(root.attrib.items())) for root in roots}) != 1:
        return None
    merged = etree.Element(f"{{{XSL}}}stylesheet", dict(roots[0].attrib), nsmap=nsmap)
    counts: list[int] = []
    walks: list[str] = []
    pattern_modes: list[set[str]] = []
    declarations: dict[tuple[str, str], tuple[object, ...]] = {}
    start: etree._Element | None = None
    last_call: etree._Element | None = None
    for number, root in enumerate(roots):
        top = [child for child in root if isinstance(child.tag, str)]
        starts = [
            t for t in top if t.tag == f"{{{XSL}}}template" and t.get("match") == "/" and not t.get("mode")
        ]
        if len(starts) != 1:
            return None
        report = next((c for c in starts[0] if c.tag == f"{{{SVRL}}}schematron-output"), None)
        if report is None:
            return None
        calls = [c for c in report if c.tag == f"{{{XSL}}}apply-templates"]
        modes = [c.get("mode", "") for c in calls]
        if not calls or len(set(modes)) != len(modes) or any(not m.startswith("M") for m in modes):
            return None
        renamed = {mode: f"{mode}-s{number}" for mode in modes}
        for element in root.iter(f"{{{XSL}}}apply-templates", f"{{{XSL}}}template"):
            if element.get("mode") in renamed:
                element.set("mode", renamed[element.get("mode", "")])
        pattern_modes.append(set(renamed.values()))
        walk = {
            (c.get("select") or "").replace(" ", "")
            for c in root.iter(f"{{{XSL}}}apply-templates")
            if c.get("mode") in pattern_modes[-1] and c.get("select") != "/"
        }
        if len(walk) != 1:
            return None
        walks.append(walk.pop())
        counts.append(len(calls))
        groups: dict[tuple[str, str], list[tuple[object, ...]]] = {}
        for element in top:
            if element is starts[0]:
                if start is None:
                    start = deepcopy(element)
                    merged.append(start)
                    report_copy = next(c for c in start if c.tag == f"{{{SVRL}}}schematron-output")
                    last_call = [c for c in report_copy if c.tag == f"{{{XSL}}}apply-templates"][-1]
                else:
                    for call in calls:
                        copied = deepcopy(call)
                        assert last_call is not None
                        last_call.addnext(copied)
                        last_call = copied
                continue
            if element.get("mode") in pattern_modes[-1]:
                merged.append(deepcopy(element))
                continue
            identity = _identity(element)
            if identity is None:
                continue
            groups.setdefault(identity, []).append(_canonical(element))
            if identity not in declarations:
                merged.append(deepcopy(element))
        for identity, members in groups.items():
            meaning = tuple(sorted(members, key=repr))
            if declarations.setdefault(identity, meaning) != meaning:
                return None
    if len(set(walks)) > 1:
        if set(walks) != {"*", "@*|*"}:
            return None
        for template in merged.iter(f"{{{XSL}}}template"):
            owner = next((n for n, modes in enumerate(pattern_modes) if template.get("mode") in modes), None)
            if owner is None or walks[owner] != "*":
                continue
            if float(template.get("priority", "nan")) >= 0 and not _element_only(template.get("match", "")):
                return None
            for call in template.iter(f"{{{XSL}}}apply-templates"):
                if call.get("mode") == template.get("mode") and (call.get("select") or "").strip() == "*":
                    call.set("select", "@*|*")
    return merged, tuple(counts)


def merged_single_pass(xslt_paths: tuple[Path, ...]) -> SinglePass | None:
    """The one-pass form of several compiled schematrons run as one transformation, or None.

    Their findings come out in the order of running them one after another (patterns are numbered
    across the stylesheets in the order given) and keep their ``facturier-pattern`` tag, which
    :attr:`SinglePass.patterns` maps back to the stylesheet. Saves the walks and the transformations
    but one, and all SVRL reports but one.
    """
    modified = tuple(path.stat().st_mtime_ns for path in xslt_paths)
    return _merged_single_pass(xslt_paths, modified, variant())


@lru_cache(maxsize=16)
def _merged_single_pass(
    xslt_paths: tuple[Path, ...], modified: tuple[int, ...], flags: tuple[bool, bool, bool, bool]
) -> SinglePass | None:
    roots = [_parsed(path) for path in xslt_paths]
    if len(roots) < 2 or any(root is None for root in roots):
        return None
    loaded = [root for root in roots if root is not None]
    readers = {
        path.parent
        for path, root in zip(xslt_paths, loaded, strict=True)
        if _BASE_URI.search(etree.tostring(root, encoding="unicode"))
    }
    if len(readers) > 1:
        return None  # files read relative to two folders
    combined = _merge(loaded)
    if combined is None:
        return None
    root, counts = combined
    folder = readers.pop() if readers else xslt_paths[0].parent
    fast_lookups, route_wildcards, guard_absent, last_fired = flags
    rewritten = _rewrite(root, folder, fast_lookups, route_wildcards, True, guard_absent, last_fired)
    return None if rewritten is None else replace(rewritten, patterns=counts)
