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
  ``FAST_LOOKUPS = False`` leaves the lookups as published;
* rules on "every element whose name ..." (``//ram:*[ends-with(name(), 'ID')]``, which Saxon
  cannot index by name and tests on every element, at every ``xsl:next-match``) are routed: the
  walk sends each element to a mode holding only the wildcard rules its name passes, the tests
  worked out once per name at load time (:func:`_route_wildcards`; CEN CII ~7 -> ~5 ms).
  ``ROUTE_WILDCARDS = False`` keeps them in the one mode. A wildcard rule whose test is not about
  the name (Factur-X ``//*[not(*) and not(normalize-space())]``) stays in every mode, unrouted;
* runs of three or more assertions ``not(p:X)`` of one rule (CEN CII: 37 runs, 164 assertions,
  each a scan of the node's children) are wrapped in one ``xsl:if test="p:X | p:Y | ..."``: when
  none of those children is present, every one of them holds and writes nothing
  (:func:`_guard_absent_children`; ``GUARD_ABSENT_CHILDREN = False`` leaves them as published);
* :func:`.merged.merged_single_pass` puts the patterns of several schematrons (Factur-X profile, CEN,
  BR-FR) into one such stylesheet, so that a validation walks the document and writes an SVRL
  report once instead of once per schematron (``schematron.run_schematrons``).

The official file is never edited: the rewrite happens in memory at load time. Anything not of
the exact expected shape makes :func:`single_pass` return None and the original stylesheet is
used. ``tests/domain/validation/test_single_pass.py`` runs both over every official example.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

__all__ = ["TAG", "SinglePass", "single_pass"]

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
ROUTE_WILDCARDS = True
GUARD_ABSENT_CHILDREN = True
LAST_FIRED_ONLY = True
ROUTED = "facturier-routed"
CODE_KEY = "facturier-code"
# A rule on "every element of a kind whose name ...": one step, a wildcard name test, one predicate.
_WILDCARD_RULE = re.compile(r"^\s*(//)?((?:[A-Za-z_][\w.\-]*:)?\*)\s*\[(.*)\]\s*$", re.DOTALL)
_BOOLEAN_CALLS = r"(?:ends-with|starts-with|contains|not|matches|exists|empty|boolean)\s*\(\)"
_BOOLEAN_SHAPE = re.compile(rf"^\s*{_BOOLEAN_CALLS}(?:\s+(?:and|or)\s+{_BOOLEAN_CALLS})*\s*$")
_FOCUS_CALLS = re.compile(r"\b(?:position|last|current)\s*\(")
_POSITION_CALLS = re.compile(r"\b(?:position|last)\s*\(")
_CODE_LOOKUP = re.compile(
    r"(document\('[A-Za-z0-9_.\-]+\.xml'\))/codedb/cl\[@id=([0-9]+)\]/enumeration\[@value=(\$[A-Za-z][A-Za-z0-9]*)\]"
)


@dataclass(frozen=True)
class SinglePass:
    """The rewritten stylesheet and the files to bind, parsed, to its parameters."""

    text: str
    documents: tuple[tuple[str, Path], ...]
    # Merged stylesheets (:func:`.merged.merged_single_pass`): how many patterns each one brought, in order;
    # a finding's ``facturier-pattern`` tag then says which stylesheet it comes from.
    patterns: tuple[int, ...] = ()


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


def _rule_template(
    template: etree._Element, pattern: int, priority: int, walk: str, last_fired: bool = True
) -> etree._Element | None:
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
    # The chain meets the rules of a node pattern by pattern (priorities are assigned in the order
    # pattern, then published priority), so "this pattern already fired here" needs only the last
    # pattern that fired: one integer compared, not a growing list of every fired pattern.
    fires.append(_next_match(f"{pattern}" if last_fired else f"(${FIRED}, {pattern})"))
    return rule


# An assertion that a child is absent: ``not(ram:X)``. (Not ``not(ram:X) or (...)``: that child is
# allowed, usually present, and would make the guard true.)
_ABSENT_CHILD = re.compile(r"^\s*not\s*\(\s*([A-Za-z_][\w.\-]*:[A-Za-z_][\w.\-]*)\s*\)\s*$")
GUARD = 3  # shortest run of such assertions worth one guard


def _absent_child(element: etree._Element) -> str | None:
    """For ``<xsl:choose><xsl:when test="not(p:X) ..."/><xsl:otherwise>finding</...>``: ``p:X``."""
    if element.tag != f"{{{XSL}}}choose":
        return None
    branches = [child for child in element if isinstance(child.tag, str)]
    if len(branches) != 2 or branches[0].tag != f"{{{XSL}}}when" or branches[1].tag != f"{{{XSL}}}otherwise":
        return None
    if len(branches[0]) or (branches[0].text or "").strip():
        return None
    found = _ABSENT_CHILD.match(branches[0].get("test", ""))
    return found.group(1) if found else None


def _guard_absent_children(rule: etree._Element) -> int:
    """Runs of assertions ``not(p:X)`` on the rule's node, inside one test of the children.

    CEN CII checks that elements have none of the children EN 16931 leaves out with runs of such
    assertions (``TradeTax``: 28 on each of 22 elements of the official example), each a scan of
    the children. When none of the named children is present every one of them holds and writes
    nothing, so ``<xsl:if test="p:X | p:Y | ...">`` around the run skips them then, and runs them
    unchanged, in order, otherwise. Returns the guards added.
    """
    added = 0
    for branch in list(rule.iter(f"{{{XSL}}}otherwise")):
        run: list[tuple[etree._Element, str]] = []
        for child in [*branch, None]:
            name = _absent_child(child) if child is not None and isinstance(child.tag, str) else None
            if name is not None:
                run.append((child, name))
                continue
            if child is not None and not isinstance(child.tag, str):
                continue  # a comment between two assertions
            if len(run) >= GUARD:
                names = list(dict.fromkeys(name for _, name in run))
                guard = _xsl("if", test=" | ".join(names))
                run[0][0].addprevious(guard)
                for element, _ in run:
                    guard.append(element)
                added += 1
            run = []
    return added


def _top_level(expression: str) -> str | None:
    """``expression`` with its string literals and what its parentheses hold left out, or None."""
    kept: list[str] = []
    depth, quote = 0, ""
    for char in expression:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            kept.append(char if depth == 0 else "")
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
            kept.append(char if depth == 0 else "")
        elif depth == 0:
            kept.append(char)
    return "".join(kept) if depth == 0 and not quote else None


def _wildcard(match: str) -> tuple[str, str] | None:
    """For a rule on ``//p:*[boolean test of the node]``: the match without the test, and the test
    on the node itself (``self::p:*[...]``). None for any other match.

    The predicate must be a boolean (calls of boolean functions joined by and/or) that does not
    read the focus position (``position()``, ``last()``) nor ``current()``: then it means the same
    in the pattern and on the self axis.
    """
    found = _WILDCARD_RULE.match(match)
    if found is None:
        return None
    slashes, name_test, predicate = found.groups()
    shape = _top_level(predicate)
    if shape is None or not _BOOLEAN_SHAPE.match(shape) or _FOCUS_CALLS.search(predicate):
        return None
    return f"{slashes or ''}{name_test}", f"self::{name_test}[{predicate}]"


_NAME_TOKENS = re.compile(
    r"\s*(?:(?P<call>(?:ends-with|starts-with)\s*\(\s*(?:local-name|name)\s*\(\s*\)\s*,\s*'[^':]*'\s*\))"
    r"|(?P<self>self::[A-Za-z_][\w.\-]*:[A-Za-z_][\w.\-]*)|(?P<word>and|or|not)\b|(?P<open>\()|(?P<close>\)))"
)
_QNAME = re.compile(r"\b([A-Za-z_][\w.\-]*):([A-Za-z_][\w.\-]*)\b")
_Name = tuple[str, str]  # (namespace URI, local name) of an element


def _name_test(predicate: str, nsmap: dict[str | None, str]) -> Callable[[_Name], bool] | None:
    """The predicate as a function of the element's name, if it depends on nothing else.

    Understood: ``ends-with(name(), 'S')`` (with no colon in S, the same as on the local name,
    since a suffix without a colon cannot reach into the prefix), ``ends-with(local-name(), 'S')``,
    ``starts-with(local-name(), 'S')``, ``self::p:N``, joined by ``and``, ``or``, ``not(...)`` and
    parentheses. Anything else: None.
    """
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(predicate.rstrip()):
        found = _NAME_TOKENS.match(predicate, position)
        if found is None or found.end() == position:
            return None
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        position = found.end()
    tokens.append(("end", ""))
    at = 0

    def take(kind: str, value: str | None = None) -> bool:
        nonlocal at
        if tokens[at][0] == kind and (value is None or tokens[at][1] == value):
            at += 1
            return True
        return False

    def either() -> Callable[[_Name], bool] | None:
        first = both()
        while first is not None and take("word", "or"):
            second = both()
            if second is None:
                return None
            first = (lambda a, b: lambda name: a(name) or b(name))(first, second)
        return first

    def both() -> Callable[[_Name], bool] | None:
        first = single()
        while first is not None and take("word", "and"):
            second = single()
            if second is None:
                return None
            first = (lambda a, b: lambda name: a(name) and b(name))(first, second)
        return first

    def single() -> Callable[[_Name], bool] | None:
        kind, value = tokens[at]
        if take("word", "not"):
            if not take("open"):
                return None
            inner = either()
            return (
                (lambda a: lambda name: not a(name))(inner) if inner is not None and take("close") else None
            )
        if take("open"):
            inner = either()
            return inner if inner is not None and take("close") else None
        if take("call"):
            text = value.split("'")[1]
            if value.startswith("starts-with"):
                return None if "(name" in value.replace(" ", "") else lambda name: name[1].startswith(text)
            return lambda name: name[1].endswith(text)
        if take("self"):
            prefix, local = value[len("self::") :].split(":")
            if prefix not in nsmap:
                return None
            return lambda name: name == (nsmap[prefix], local)
        return None

    result = either()
    return result if result is not None and tokens[at][0] == "end" else None


def _conjuncts(predicate: str) -> list[str]:
    """The operands of a top-level ``and`` (the predicate itself if it has none, or has an ``or``)."""
    masked: list[str] = []
    depth, quote = 0, ""
    for char in predicate:
        if quote:
            quote = "" if char == quote else quote
            masked.append("\0")
        elif char in "'\"":
            quote = char
            masked.append("\0")
        elif char in "([":
            depth += 1
            masked.append("\0")
        elif char in ")]":
            depth -= 1
            masked.append("\0")
        else:
            masked.append(char if depth == 0 else "\0")
    text = "".join(masked)
    word = r"(?<![\w.\-]){}(?![\w.\-])"
    if re.search(word.format("or"), text):
        return [predicate]
    cuts = [found.span() for found in re.finditer(word.format("and"), text)]
    starts, ends = [0, *(end for _, end in cuts)], [*(start for start, _ in cuts), len(predicate)]
    return [predicate[start:end] for start, end in zip(starts, ends, strict=True)]


def _name_part(predicate: str, nsmap: dict[str | None, str]) -> tuple[Callable[[_Name], bool], bool] | None:
    """What the predicate requires of the element's name, and whether that is all it requires.

    ``ends-with(name(), 'Amount') and not(ancestor::cac:Price)``: the name test of the first
    operand, not exact (the rule keeps its whole test). None if no top-level operand is about the
    name only.
    """
    whole = _name_test(predicate, nsmap)
    if whole is not None:
        return whole, True
    tests = [test for part in _conjuncts(predicate) if (test := _name_test(part, nsmap)) is not None]
    if not tests:
        return None
    return (lambda name: all(test(name) for test in tests)), False


def _route_wildcards(root: etree._Element, rules: list[etree._Element], walk: str) -> etree._Element | None:
    """Send each element to a mode holding only the wildcard rules that can match it; the walk.

    A rule like ``//ram:*[ends-with(name(), 'ID')]`` cannot be indexed by element name, so Saxon
    tests it on every element, again at every ``xsl:next-match``, and string functions are slow
    there (~0.5 us a test; CEN CII has 6 such rules: ~2 ms of ~7). When every such rule's test
    depends on the element's name (:func:`_name_part`), the name tests are worked out here, once,
    for every element name the stylesheet mentions: the walk applies a node in a routing mode whose
    templates match those names (indexed by Saxon) and pass the node on to the mode holding every
    other rule plus, if the name passes exactly one wildcard's name test, that rule (with its test
    dropped when the test is about the name only: known true there), or to the mode with every rule
    as published if it passes several. A name the stylesheet does not mention goes through the
    whole tests, at run time. A rule whose test is false on a node never fires there, so each
    pattern's first matching rule is unchanged. Returns the walking template, or None when there is
    no wildcard test about the name (a test about something else leaves its rule unrouted, in
    every mode), or a rule (or a named template) could read its position, which routing changes.
    """
    found_wildcards = [
        (rule, found) for rule in rules if (found := _wildcard(rule.get("match", ""))) is not None
    ]
    # A wildcard test that says nothing of the name (Factur-X ``//*[not(*) and ...]``) is not
    # routed: the rule stays in every mode, like any rule matched by name, its test run as published.
    wildcards = [
        (rule, found)
        for rule, found in found_wildcards
        if (parts := _WILDCARD_RULE.match(rule.get("match", ""))) is not None
        and _name_part(parts.group(3), dict(rule.nsmap)) is not None
    ]
    if not wildcards or len({tuple(sorted(rule.nsmap.items(), key=str)) for rule, _ in wildcards}) != 1:
        return None
    nsmap = dict(wildcards[0][0].nsmap)
    named = [t for t in root.iter(f"{{{XSL}}}template") if t.get("name")]
    if any(_POSITION_CALLS.search(etree.tostring(t, encoding="unicode")) for t in [*rules, *named]):
        return None
    tests: list[Callable[[_Name], bool]] = []
    matches: list[str] = []
    for rule, (bare, _) in wildcards:
        parts = _WILDCARD_RULE.match(rule.get("match", ""))
        named_by = _name_part(parts.group(3), nsmap) if parts is not None else None
        prefix = parts.group(2)[:-2] if parts is not None and parts.group(2) != "*" else None
        if parts is None or named_by is None or (prefix is not None and prefix not in nsmap):
            return None
        test, exact = named_by
        namespace = nsmap[prefix] if prefix is not None else None
        tests.append((lambda t, ns: lambda name: (ns is None or name[0] == ns) and t(name))(test, namespace))
        matches.append(bare if exact else rule.get("match", ""))
    text = etree.tostring(root, encoding="unicode")
    names = {
        (nsmap[prefix], local)
        for prefix, local in _QNAME.findall(text)
        if prefix in nsmap and nsmap[prefix] not in (XSL, SVRL)
    }
    modes = [f"{MODE}-w{number}" for number in range(1, len(wildcards) + 1)]
    every, route = f"{MODE}-all", f"{MODE}-route"
    routed = [rule for rule, _ in wildcards]
    for rule in rules:
        if rule not in routed:
            rule.set("mode", " ".join([MODE, *modes, every]))
    for (rule, _), match, mode in zip(wildcards, matches, modes, strict=True):
        rule.set("mode", every)
        known = deepcopy(rule)
        known.set("match", match)
        known.set("mode", mode)
        rule.addnext(known)
    # Names the stylesheet mentions, by the mode they go to.
    targets: dict[str, list[_Name]] = {}
    for name in sorted(names):
        passed = [mode for mode, test in zip(modes, tests, strict=True) if test(name)]
        targets.setdefault(MODE if not passed else passed[0] if len(passed) == 1 else every, []).append(name)
    for target, members in targets.items():
        template = etree.SubElement(
            root,
            f"{{{XSL}}}template",
            match=" | ".join(f"Q{{{namespace}}}{local}" for namespace, local in members),
            mode=route,
        )  # no priority: each name of the union is then a rule of its own, indexed (priority 0)
        template.append(_xsl("apply-templates", mode=target, select="."))
    # Any other element: the tests themselves.
    other = etree.SubElement(root, f"{{{XSL}}}template", match="*", mode=route, priority="-0.25", nsmap=nsmap)
    checks = ", ".join(f"(if ({test}) then {n} else ())" for n, (_, (_, test)) in enumerate(wildcards, 1))
    other.append(_xsl("variable", name=ROUTED, select=f"({checks})"))
    choose = etree.SubElement(other, f"{{{XSL}}}choose")
    branches = [(f"empty(${ROUTED})", MODE), (f"count(${ROUTED}) gt 1", every)]
    branches += [(f"${ROUTED} = {n}", mode) for n, mode in enumerate(modes, 1)]
    for condition, mode in branches:
        etree.SubElement(choose, f"{{{XSL}}}when", test=condition).append(
            _xsl("apply-templates", mode=mode, select=".")
        )
    # The document node, attributes, comments...: no wildcard rule matches them (element tests).
    rest = etree.SubElement(root, f"{{{XSL}}}template", match="/|@*|node()", mode=route, priority="-1")
    rest.append(_xsl("apply-templates", mode=MODE, select="."))
    walking = _xsl("template", match="/|@*|node()", mode=" ".join([MODE, *modes, every]), priority="-2")
    walking.append(_xsl("apply-templates", mode=route, select=walk))
    return walking


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


def _rewrite(
    root: etree._Element,
    folder: Path,
    fast_lookups: bool = True,
    route_wildcards: bool = True,
    keep_tags: bool = False,
    guard_absent: bool = True,
    last_fired: bool = True,
) -> SinglePass | None:
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
    rewritten_rules: list[etree._Element] = []
    for number, (pattern, _, template) in enumerate(rules):
        rewritten = _rule_template(template, pattern + 1, len(rules) - number, walk, last_fired)
        if rewritten is None:
            return None
        if guard_absent:
            _guard_absent_children(rewritten)
        root.append(rewritten)
        rewritten_rules.append(rewritten)
    fallback = _route_wildcards(root, rewritten_rules, walk) if route_wildcards else None
    if fallback is None:
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
    copy.append(_xsl("copy-of", select="@*, node()" if keep_tags else f"@* except @{TAG}, node()"))
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


def _parsed(xslt_path: Path) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.parse(str(xslt_path), parser).getroot()
    if root.tag != f"{{{XSL}}}stylesheet" or root.find(f"{{{XSL}}}include") is not None:
        return None
    if root.find(f"{{{XSL}}}import") is not None:
        return None
    return root


def single_pass(xslt_path: Path) -> SinglePass | None:
    """The one-pass form of the compiled schematron at ``xslt_path``, or None if it does not apply."""
    return _single_pass(xslt_path, xslt_path.stat().st_mtime_ns, variant())


def variant() -> tuple[bool, bool, bool, bool]:
    """The rewrites switched on (:data:`FAST_LOOKUPS`, :data:`ROUTE_WILDCARDS`,
    :data:`GUARD_ABSENT_CHILDREN`, :data:`LAST_FIRED_ONLY`), for cache keys."""
    return FAST_LOOKUPS, ROUTE_WILDCARDS, GUARD_ABSENT_CHILDREN, LAST_FIRED_ONLY


@lru_cache(maxsize=64)
def _single_pass(xslt_path: Path, modified: int, flags: tuple[bool, bool, bool, bool]) -> SinglePass | None:
    root = _parsed(xslt_path)
    if root is None:
        return None
    fast_lookups, route_wildcards, guard_absent, last_fired = flags
    return _rewrite(root, xslt_path.parent, fast_lookups, route_wildcards, False, guard_absent, last_fired)
