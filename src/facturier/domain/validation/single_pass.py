"""Rewrite a compiled schematron (ISO skeleton XSLT) so that Saxon runs it in one document pass.

Why: the skeleton gives every schematron pattern its own mode and walks the whole document once
per pattern (Factur-X EN16931: 68 patterns, BR-FR: 58), plus one more walk per pattern to fill
an ``svrl:active-pattern`` element that nobody reads; the Factur-X rules also re-parse their
190 KB code list file (``document('..._codedb.xml')``) in every transformation. Those walks and
that parse, not the rules, were most of the CPU of a validation (docs/issuing-parallel.md).

The rewrite keeps every rule and its assertions byte for byte. What changes:

* all rule templates go into one mode; each node is visited once and, through
  ``xsl:next-match``, meets every rule that matches it, in priority order. A parameter carries
  the patterns that already fired on this node, so that, as in the skeleton, only the first
  matching rule of a pattern fires;
* each assertion is tagged with its pattern number and the report is stably sorted on it, so
  the SVRL lists the findings in exactly the original order (pattern by pattern, document order);
* ``svrl:active-pattern`` and ``svrl:fired-rule`` (informational, never read) are not produced,
  and the report is not indented;
* ``document('<file>.xml')`` of a file beside the stylesheet becomes a stylesheet parameter,
  parsed once per engine (:class:`SinglePass.documents`);
* the Factur-X code-list test ``document(F)/codedb/cl[@id=N]/enumeration[@value=$v]`` (118
  of them in the EN16931 profile, each a scan of the 190 KB code list: 3-4 ms of a 8 ms run)
  becomes a lookup in an ``xsl:key`` on ``enumeration/@value``, filtered on the same path:
  ``key(K, $v, document(F))[parent::cl[@id=N]/parent::codedb/parent::document-node()]``.
  Same nodes: a key compares untyped values as strings, like ``=`` between two untyped values,
  and the filter keeps exactly the enumerations the path reaches. Only ``xsl:when``/``xsl:if``
  tests are rewritten; the ``test`` attribute written into the SVRL is left as published.
  ``FAST_LOOKUPS = False`` leaves the lookups as published (the benchmark compares both).

The official file is never edited: the rewrite happens in memory at load time. Anything not of
the exact expected shape makes :func:`single_pass` return None and the original stylesheet is
used. ``tests/domain/validation/test_single_pass.py`` runs both over every official example.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

__all__ = ["SinglePass", "single_pass"]

XSL = "http://www.w3.org/1999/XSL/Transform"
SVRL = "http://purl.oclc.org/dsdl/svrl"
MODE = "facturier-single-pass"
FIRED = "facturier-fired"
TAG = "facturier-pattern"
_WALKS = ("@*|*", "*", "*|comment()|processing-instruction()")  # how skeletons walk the tree
_DOCUMENT_CALL = re.compile(r"document\('([A-Za-z0-9_.\-]+\.xml)'\)")
# Calls whose meaning would change with the base URI, and rules on nodes the walk may skip.
_BASE_URI = re.compile(r"document\(|unparsed-text|\bdoc\(|collection\(|static-base-uri")
_SKIPPED_NODES = re.compile(r"comment\(\)|processing-instruction\(\)")
FAST_LOOKUPS = True
CODE_KEY = "facturier-code"
_CODE_LOOKUP = re.compile(
    r"(document\('[A-Za-z0-9_.\-]+\.xml'\))/codedb/cl\[@id=([0-9]+)\]/enumeration\[@value=(\$[A-Za-z][A-Za-z0-9]*)\]"
)


@dataclass(frozen=True)
class SinglePass:
    """The rewritten stylesheet and the files to bind, parsed, to its parameters."""

    text: str
    documents: tuple[tuple[str, Path], ...]


def _xsl(local: str, **attributes: str) -> etree._Element:
    return etree.Element(f"{{{XSL}}}{local}", attributes)


def _next_match(select: str) -> etree._Element:
    call = _xsl("next-match")
    call.append(_xsl("with-param", name=FIRED, select=select))
    return call


def _is_recursion(element: etree._Element, mode: str, walk: str) -> bool:
    return (
        element.tag == f"{{{XSL}}}apply-templates"
        and element.get("mode") == mode
        and (element.get("select") or "").replace(" ", "") == walk
        and len(element) == 0
    )


def _rule_template(template: etree._Element, pattern: int, priority: int, walk: str) -> etree._Element | None:
    """The skeleton rule as a template of the single mode, or None if its shape is unexpected."""
    mode = template.get("mode", "")
    body = [child for child in template if isinstance(child.tag, str)]
    if not body or not _is_recursion(body[-1], mode, walk) or (template.text or "").strip():
        return None
    if any(child.tag in (f"{{{XSL}}}param", f"{{{XSL}}}apply-templates") for child in body[:-1]):
        return None
    if set(template.attrib) - {"match", "mode", "priority"}:
        return None  # e.g. xpath-default-namespace would change what the rule's XPaths mean
    # Same in-scope namespaces as the original, for the prefixes inside its XPaths.
    rule = etree.Element(
        f"{{{XSL}}}template",
        {"match": template.get("match", ""), "mode": MODE, "priority": str(priority)},
        nsmap=template.nsmap,
    )
    rule.append(_xsl("param", name=FIRED, select="()"))
    choose = etree.SubElement(rule, f"{{{XSL}}}choose")
    etree.SubElement(choose, f"{{{XSL}}}when", test=f"${FIRED} = {pattern}").append(_next_match(f"${FIRED}"))
    fires = etree.SubElement(choose, f"{{{XSL}}}otherwise")
    for child in list(template):
        if child is not body[-1]:
            fires.append(child)
    for fired in fires.iter(f"{{{SVRL}}}fired-rule"):
        fired.getparent().remove(fired)
    for finding in fires.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        finding.set(TAG, str(pattern))
    fires.append(_next_match(f"(${FIRED}, {pattern})"))
    return rule


def _code_lookups_by_key(root: etree._Element) -> int:
    """Code-list lookups of the rule tests through an ``xsl:key``; returns how many."""
    if CODE_KEY in etree.tostring(root, encoding="unicode"):
        return 0  # the name is taken: leave the tests as published
    count = 0
    for test in root.iter(f"{{{XSL}}}when", f"{{{XSL}}}if"):
        rewritten, found = _CODE_LOOKUP.subn(
            lambda call: (
                f"key('{CODE_KEY}', {call.group(3)}, {call.group(1)})"
                f"[parent::cl[@id={call.group(2)}]/parent::codedb/parent::document-node()]"
            ),
            test.get("test", ""),
        )
        if found:
            test.set("test", rewritten)
            count += found
    if count:
        root.insert(0, _xsl("key", name=CODE_KEY, match="enumeration", use="@value"))
    return count


def _rewrite(root: etree._Element, folder: Path, fast_lookups: bool = True) -> SinglePass | None:
    top = [child for child in root if isinstance(child.tag, str)]
    roots = [t for t in top if t.tag == f"{{{XSL}}}template" and t.get("match") == "/" and not t.get("mode")]
    if len(roots) != 1:
        return None
    report = next((child for child in roots[0] if child.tag == f"{{{SVRL}}}schematron-output"), None)
    if report is None:
        return None
    calls = [c for c in report if c.tag == f"{{{XSL}}}apply-templates"]
    modes = [c.get("mode", "") for c in calls]
    if (
        not calls
        or len(set(modes)) != len(modes)
        or any(
            c.get("select") != "/" or len(c) or not m.startswith("M")
            for c, m in zip(calls, modes, strict=True)
        )
    ):
        return None
    # Templates of each pattern mode: rules (positive priority, highest first) and two defaults.
    walks = {
        (c.get("select") or "").replace(" ", "")
        for c in root.iter(f"{{{XSL}}}apply-templates")
        if c.get("mode") in modes and c.get("select") != "/"
    }
    if len(walks) != 1 or not walks <= set(_WALKS):
        return None
    walk = walks.pop()
    rules: list[tuple[int, float, etree._Element]] = []
    for template in [t for t in top if t.get("mode") in modes]:
        pattern, priority = modes.index(template.get("mode", "")), float(template.get("priority", "nan"))
        body = [child for child in template if isinstance(child.tag, str)]
        if priority == -1 and template.get("match") == "text()" and not body:
            pass  # the skeleton's empty text() template: the one walk below never visits text nodes
        elif priority == -2 and template.get("match") == "@*|node()" and len(body) == 1:
            if not _is_recursion(body[0], template.get("mode", ""), walk):
                return None
        elif priority >= 0 and template.tag == f"{{{XSL}}}template":
            if _SKIPPED_NODES.search(template.get("match", "")):
                return None
            rules.append((pattern, -priority, template))
        else:
            return None
        root.remove(template)
    rules.sort(key=lambda rule: rule[:2])
    if any(a[:2] == b[:2] for a, b in zip(rules, rules[1:], strict=False)):
        return None  # two rules of one pattern with the same priority: order undefined
    for number, (pattern, _, template) in enumerate(rules):
        rewritten = _rule_template(template, pattern + 1, len(rules) - number, walk)
        if rewritten is None:
            return None
        root.append(rewritten)
    fallback = _xsl("template", match="/|@*|node()", mode=MODE, priority="-2")
    fallback.append(_xsl("apply-templates", mode=MODE, select=walk))
    root.append(fallback)
    # The report: everything but the walks, then the findings sorted (stably) by pattern.
    for child in list(report):
        if child.tag in (f"{{{XSL}}}apply-templates", f"{{{SVRL}}}active-pattern"):
            report.remove(child)
    found = etree.SubElement(report, f"{{{XSL}}}variable", name="facturier-findings")
    found.append(_xsl("apply-templates", mode=MODE, select="/"))
    each = etree.SubElement(report, f"{{{XSL}}}for-each", select="$facturier-findings/*")
    each.append(_xsl("sort", select=f"number(@{TAG})"))
    copy = etree.SubElement(each, f"{{{XSL}}}copy")
    copy.append(_xsl("copy-of", select=f"@* except @{TAG}, node()"))
    for output in root.iter(f"{{{XSL}}}output"):
        output.set("indent", "no")
    if fast_lookups:
        _code_lookups_by_key(root)
    # document('x.xml') of a file beside the stylesheet -> a parameter bound once per engine.
    text = etree.tostring(root, encoding="unicode")
    files = sorted(set(_DOCUMENT_CALL.findall(text)))
    if any(not (folder / name).is_file() for name in files):
        return None
    parameters = {name: f"facturier-document-{number}" for number, name in enumerate(files)}
    for parameter in parameters.values():
        root.insert(0, _xsl("param", name=parameter, required="yes"))
    text = _DOCUMENT_CALL.sub(
        lambda call: f"${parameters[call.group(1)]}", etree.tostring(root, encoding="unicode")
    )
    if _BASE_URI.search(text) or any(f'mode="{mode}"' in text for mode in modes):
        return None
    return SinglePass(text, tuple((parameters[name], folder / name) for name in files))


def single_pass(xslt_path: Path) -> SinglePass | None:
    """The one-pass form of the compiled schematron at ``xslt_path``, or None if it does not apply."""
    return _single_pass(xslt_path, xslt_path.stat().st_mtime_ns, FAST_LOOKUPS)


@lru_cache(maxsize=64)
def _single_pass(xslt_path: Path, modified: int, fast_lookups: bool) -> SinglePass | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.parse(str(xslt_path), parser).getroot()
    if root.tag != f"{{{XSL}}}stylesheet" or root.find(f"{{{XSL}}}include") is not None:
        return None
    if root.find(f"{{{XSL}}}import") is not None:
        return None
    return _rewrite(root, xslt_path.parent, fast_lookups)
