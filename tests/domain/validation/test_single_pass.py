"""The one-pass rewrite of each official schematron finds exactly what the published file finds.

Both forms run over every instance document of ../shared/conformance (examples, samples, test
suites; each ``<test>`` of a VEFA ``testSet`` file as its own document) that the stylesheet
applies to, and must give the same findings in the same order: rule id, location, severity,
message and internal id.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from facturier.domain.lifecycle import build_cdar
from facturier.domain.validation import schematron
from facturier.domain.validation.merged import merged_single_pass
from facturier.domain.validation.schematron import SchematronCompileError, _engine
from facturier.domain.validation.single_pass import _conjuncts, _name_test, single_pass
from tests.domain.lifecycle.builders import status_message

from .conftest import CONFORMANCE

CII = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}CrossIndustryInvoice"
CDAR = (
    "{urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100}"
    "CrossDomainAcknowledgementAndResponse"
)
UBL = "{urn:oasis:names:specification:ubl:schema:xsd:%s-2}%s"
_INVOICES = (UBL % ("Invoice", "Invoice"), UBL % ("CreditNote", "CreditNote"))
_RESPONSES = (UBL % ("ApplicationResponse", "ApplicationResponse"),)

# Stylesheet (relative to the conformance folder) -> root elements of the documents it checks.
STYLESHEETS = {
    "en16931/cii/xslt/EN16931-CII-validation.xslt": (CII,),
    "fr-ctc/CII/BR-FR/2xslt/BR-FR-Flux2-Schematron-CII.xslt": (CII,),
    "fr-ctc/CII/BR-FR/2xslt/BR-FR-Flux2-Schematron-CII_WARNING.xslt": (CII,),
    "fr-ctc/CII/EXTENDED-CTC-FR/2xslt/EXTENDED-CTC-FR-CII.xslt": (CII,),
    "facturx/MINIMUM/2xslt/Factur-X_1.09_MINIMUM.xsl": (CII,),
    "facturx/BASICWL/2xslt/FACTUR-X_BASIC-WL.xslt": (CII,),
    "facturx/BASIC/2xslt/Factur-X_1.09_BASIC.xsl": (CII,),
    "facturx/EN16931/2xslt/FACTUR-X_EN16931.xslt": (CII,),
    "en16931/ubl/xslt/EN16931-UBL-validation.xslt": _INVOICES,
    "fr-ctc/UBL/BR-FR/2xslt/BR-FR-Flux2-Schematron-UBL.xslt": _INVOICES,
    "fr-ctc/UBL/BR-FR/2xslt/BR-FR-Flux2-Schematron-UBL_WARNING.xslt": _INVOICES,
    "fr-ctc/UBL/EXTENDED-CTC-FR/2xslt/EXTENDED-CTC-FR-UBL.xslt": _INVOICES,
    "peppol/bis-billing-3.0.21/xslt/CEN-EN16931-UBL.xslt": _INVOICES,
    "peppol/bis-billing-3.0.21/xslt/PEPPOL-EN16931-UBL.xslt": _INVOICES,
    "peppol/bis-billing-3.0.21/xslt/PEPPOL-EN16931-UBL-SB.xslt": _INVOICES,
    "peppol/bis-billing-3.0.21/xslt/PEPPOLBIS-T111.xslt": _RESPONSES,
    "peppol/bis-billing-3.0.21/xslt/PEPPOLBIS-T71.xslt": _RESPONSES,
    "fr-ctc/CDAR/2xslt/BR-FR-CDV-Schematron-CDAR.xslt": (CDAR,),
    "fr-ctc/CDAR/2xslt/BR-FR-CDV-Schematron-CDAR_WARNING.xslt": (CDAR,),
}
# Published files the rewrite leaves alone (they then run as published), and why.
NOT_REWRITTEN = {
    # Some rules of its pattern M87 stop the walk below the node they fire on (no recursion).
    "facturx/EXTENDED/2xslt/Factur-X_EXTENDED.xslt",
}


def _cdar_messages() -> Iterator[tuple[str, etree._Element]]:
    """The folder has no CDAR instance: status messages as Facturier writes them, valid or not."""
    for code in (200, 204, 207, 210, 212, 213):
        for reason in ("", "QTE_ERR"):
            yield (
                f"cdar-{code}-{reason}",
                etree.fromstring(build_cdar(status_message(code, reason_code=reason))),
            )
    yield "cdar-empty", etree.fromstring(f"<r:{CDAR.split('}')[1]} xmlns:r='{CDAR[1:].split('}')[0]}'/>")


def _documents() -> Iterator[tuple[str, etree._Element]]:
    """(label, root element) of every instance document: whole files and testSet members."""
    yield from _cdar_messages()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    for path in sorted(CONFORMANCE.rglob("*.xml")):
        if "codedb" in path.name or "/xsd" in str(path) or "schema" in path.parts:
            continue
        try:
            root = etree.parse(str(path), parser).getroot()
        except etree.XMLSyntaxError:
            continue
        label = str(path.relative_to(CONFORMANCE))
        if root.tag == "{http://difi.no/xsd/vefa/validator/1.0}testSet":
            for number, test in enumerate(root.iter("{http://difi.no/xsd/vefa/validator/1.0}test")):
                for member in test:
                    if isinstance(member.tag, str) and not member.tag.startswith("{http://difi.no"):
                        yield f"{label}#{number}", member
        else:
            yield label, root


def _run_both(xslt: Path, text: str) -> tuple[object, object]:
    document = schematron.XsltInput(text)
    results = []
    for single in (False, True):
        schematron.SINGLE_PASS = single
        try:
            results.append(schematron.run_schematron(document, xslt, source="x"))
        finally:
            schematron.SINGLE_PASS = True
    return results[0], results[1]


def _params() -> list[object]:
    if not CONFORMANCE.is_dir():
        reason = "../shared not present: conformance data is only in the team workspace"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    return list(STYLESHEETS)


@pytest.mark.slow
@pytest.mark.parametrize("relative", _params())
def test_single_pass_finds_what_the_published_stylesheet_finds(relative: str) -> None:
    xslt = CONFORMANCE / relative
    assert single_pass(xslt) is not None, "the rewrite should apply to this official stylesheet"
    checked, with_findings = 0, 0
    for label, root in _documents():
        if root.tag not in STYLESHEETS[relative]:
            continue
        text = etree.tostring(root, encoding="unicode")
        original, rewritten = _run_both(xslt, text)
        assert rewritten == original, label
        checked += 1
        with_findings += bool(original)
    assert checked > 0
    assert with_findings > 0


def test_rewrite_declines_what_it_cannot_preserve() -> None:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    for relative in NOT_REWRITTEN:
        assert single_pass(CONFORMANCE / relative) is None


def test_rewrite_declines_a_rule_that_stops_the_walk(tmp_path: Path) -> None:
    xslt = tmp_path / "rules.xslt"
    xslt.write_text(
        """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
            xmlns:svrl="http://purl.oclc.org/dsdl/svrl" version="2.0">
          <xsl:template match="/"><svrl:schematron-output>
            <xsl:apply-templates select="/" mode="M1"/>
          </svrl:schematron-output></xsl:template>
          <xsl:template match="a" mode="M1" priority="1000">
            <svrl:failed-assert test="false()"/>
          </xsl:template>
          <xsl:template match="text()" mode="M1" priority="-1"/>
          <xsl:template match="@*|node()" mode="M1" priority="-2">
            <xsl:apply-templates select="*" mode="M1"/>
          </xsl:template>
        </xsl:stylesheet>"""
    )
    assert single_pass(xslt) is None
    walking = tmp_path / "walking.xslt"
    walking.write_text(
        xslt.read_text().replace(
            '<svrl:failed-assert test="false()"/>',
            '<svrl:failed-assert test="false()"/><xsl:apply-templates select="*" mode="M1"/>',
        )
    )
    rewritten = single_pass(walking)
    assert rewritten is not None
    assert "next-match" in rewritten.text


def test_a_stylesheet_that_does_not_compile_still_fails_closed(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xslt"
    broken.write_text("<xsl:stylesheet xmlns:xsl='http://www.w3.org/1999/XSL/Transform' version='2.0'>")
    with pytest.raises(SchematronCompileError):
        _engine().executable(broken)


_CODE_LIST_RULES = """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl" version="2.0">
  <xsl:template match="/"><svrl:schematron-output>
    <xsl:apply-templates select="/" mode="M1"/>
  </svrl:schematron-output></xsl:template>
  <xsl:template match="code" mode="M1" priority="1000">
    <xsl:variable name="codeValue1" select="."/>
    <xsl:variable name="codeValue2" select="@list"/>
    <xsl:choose>
      <xsl:when test="string-length($codeValue1)=0 or document('codes.xml')/codedb/cl[@id=1]/enumeration[@value=$codeValue1]"/>
      <xsl:otherwise><svrl:failed-assert test="cl1" id="CL-1"><xsl:attribute name="location"><xsl:value-of select="."/></xsl:attribute><svrl:text>[CL-1]-not in list 1</svrl:text></svrl:failed-assert></xsl:otherwise>
    </xsl:choose>
    <xsl:if test="document('codes.xml')/codedb/cl[@id=2]/enumeration[@value=$codeValue2]">
      <svrl:successful-report test="cl2" id="CL-2"><xsl:attribute name="location"><xsl:value-of select="."/></xsl:attribute><svrl:text>[CL-2]-list attribute is a list 2 code</svrl:text></svrl:successful-report>
    </xsl:if>
    <xsl:apply-templates select="@*|*" mode="M1"/>
  </xsl:template>
  <xsl:template match="text()" mode="M1" priority="-1"/>
  <xsl:template match="@*|node()" mode="M1" priority="-2">
    <xsl:apply-templates select="@*|*" mode="M1"/>
  </xsl:template>
</xsl:stylesheet>"""
_CODES = """<codedb>
  <cl id="1"><enumeration value="A"/><enumeration value="B"/></cl>
  <cl id="2"><enumeration value="Z"/></cl>
  <other><cl id="1"><enumeration value="HIDDEN"/></cl></other>
  <cl id="3"><enumeration value="C"/></cl>
</codedb>"""
_CODE_DOCUMENT = """<doc><code>A</code><code>C</code><code list="Z">B</code><code list="A">HIDDEN</code>
  <code/><code list="">b</code><x><code list="Z">Z</code></x></doc>"""


def test_code_list_lookups_go_through_a_key_and_find_the_same(tmp_path: Path) -> None:
    """A value of another list, of a list nested elsewhere, another case, empty: same as the scan."""
    xslt = tmp_path / "rules.xslt"
    xslt.write_text(_CODE_LIST_RULES)
    (tmp_path / "codes.xml").write_text(_CODES)
    rewritten = single_pass(xslt)
    assert rewritten is not None
    assert rewritten.text.count("key('facturier-code'") == 2
    assert "/codedb/cl[@id=1]/enumeration[@value=$codeValue1]" not in rewritten.text.split("svrl:")[0]
    original, fast = _run_both(xslt, _CODE_DOCUMENT)
    assert fast == original
    # C; list Z; HIDDEN (a list 1 value out of the path); b (case); Z then its list Z.
    assert [f.rule_id for f in original] == ["CL-1", "CL-2", "CL-1", "CL-1", "CL-1", "CL-2"]  # type: ignore[attr-defined]


def test_code_list_lookups_stay_as_published_when_the_key_name_is_taken(tmp_path: Path) -> None:
    xslt = tmp_path / "rules.xslt"
    xslt.write_text(
        _CODE_LIST_RULES.replace(
            '<xsl:template match="text()"', '<!-- facturier-code --><xsl:template match="text()"', 1
        )
    )
    (tmp_path / "codes.xml").write_text(_CODES)
    rewritten = single_pass(xslt)
    assert rewritten is not None
    assert "key(" not in rewritten.text


def _assertion(rule_id: str) -> str:
    return (
        f'<svrl:failed-assert test="a:LineID or a:AmountID or a:LineAmount" id="{rule_id}">'
        '<xsl:attribute name="location"><xsl:value-of select="path()"/></xsl:attribute>'
        f"<svrl:text>[{rule_id}]-fired</svrl:text></svrl:failed-assert>"
    )


def _rule(match: str, mode: str, priority: int, rule_id: str) -> str:
    return (
        f'<xsl:template match="{match}" mode="{mode}" priority="{priority}">{_assertion(rule_id)}'
        f'<xsl:apply-templates select="@*|*" mode="{mode}"/></xsl:template>'
    )


def _defaults(mode: str) -> str:
    return (
        f'<xsl:template match="text()" mode="{mode}" priority="-1"/>'
        f'<xsl:template match="@*|node()" mode="{mode}" priority="-2">'
        f'<xsl:apply-templates select="@*|*" mode="{mode}"/></xsl:template>'
    )


_WILDCARD_RULES = (
    '<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
    'xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:a="urn:a" version="2.0">'
    '<xsl:template match="/"><svrl:schematron-output>'
    '<xsl:apply-templates select="/" mode="M1"/><xsl:apply-templates select="/" mode="M2"/>'
    "</svrl:schematron-output></xsl:template>"
    + _rule("a:KeptID", "M1", 1003, "SPECIFIC")
    + _rule("//a:*[ends-with(name(), 'ID')]", "M1", 1002, "ID")
    + _rule("//*[ends-with(name(), 'Amount') and not (self::a:TaxAmount)]", "M1", 1001, "AMOUNT")
    + _rule("a:Total", "M1", 1000, "TOTAL")
    + _defaults("M1")
    + _rule(
        "//a:*[ends-with(local-name(), 'AmountID') or starts-with(local-name(), 'Amount')]", "M2", 1001, "M2"
    )
    + _rule("a:Total", "M2", 1000, "TOTAL2")
    + _defaults("M2")
    + "</xsl:stylesheet>"
)
# Names the stylesheet mentions (routed by name) and others (routed by the tests at run time),
# another prefix for the same namespace, another namespace, names passing two wildcard tests.
_WILDCARD_DOCUMENT = """<a:doc xmlns:a="urn:a" xmlns:b="urn:a" xmlns:o="urn:other">
  <a:KeptID/><a:LineID x="1"/><b:OtherID/><o:LineID/><a:Total/><a:TaxAmount/><a:LineAmount/>
  <o:LineAmount/><b:PaidAmount/><a:AmountID/><a:AmountTotalAmount/><a:Unknown><a:LineID/></a:Unknown>
  <b:AmountOtherID/><a:ID/><a:D/><a:BigAmount x="1"/><b:OtherAmount x="1"/><!-- a:LineID --></a:doc>"""


def test_wildcard_rules_are_routed_by_name_and_find_the_same(tmp_path: Path) -> None:
    xslt = tmp_path / "rules.xslt"
    xslt.write_text(_WILDCARD_RULES)
    rewritten = single_pass(xslt)
    assert rewritten is not None
    assert "facturier-single-pass-route" in rewritten.text
    assert "Q{urn:a}LineID" in rewritten.text  # mentioned in the stylesheet: routed by its name
    assert "Q{urn:a}OtherID" not in rewritten.text  # not mentioned: the tests decide at run time
    original, routed = _run_both(xslt, _WILDCARD_DOCUMENT)
    assert routed == original
    fired = {(f.rule_id, f.location.rsplit("/", 1)[-1]) for f in original}  # type: ignore[attr-defined]
    assert {
        ("SPECIFIC", "Q{urn:a}KeptID[1]"),  # a higher rule of the pattern shadows the wildcard
        ("ID", "Q{urn:a}OtherID[1]"),  # another prefix, a name the stylesheet does not mention
        ("AMOUNT", "Q{urn:other}LineAmount[1]"),  # any namespace
        ("ID", "Q{urn:a}AmountID[1]"),  # two wildcard tests hold
        ("M2", "Q{urn:a}AmountID[1]"),
        ("AMOUNT", "Q{urn:a}AmountTotalAmount[1]"),
        ("M2", "Q{urn:a}AmountTotalAmount[1]"),
        ("ID", "Q{urn:a}ID[1]"),
    } <= fired
    assert (
        not {
            ("ID", "Q{urn:a}KeptID[1]"),
            ("ID", "Q{urn:other}LineID[1]"),
            ("AMOUNT", "Q{urn:a}TaxAmount[1]"),
            ("ID", "Q{urn:a}D[1]"),
        }
        & fired
    )


def test_wildcard_rules_partly_about_the_name_are_routed_and_keep_their_whole_test(tmp_path: Path) -> None:
    xslt = tmp_path / "rules.xslt"
    xslt.write_text(
        _WILDCARD_RULES.replace("and not (self::a:TaxAmount)", "and not(@x or self::a:TaxAmount)")
    )
    rewritten = single_pass(xslt)
    assert rewritten is not None
    assert "facturier-single-pass-route" in rewritten.text
    assert rewritten.text.count("not(@x or self::a:TaxAmount)") == 3  # as published, routed, run-time test
    original, routed = _run_both(xslt, _WILDCARD_DOCUMENT)
    assert routed == original
    fired = {(f.rule_id, f.location.rsplit("/", 1)[-1]) for f in original}  # type: ignore[attr-defined]
    assert ("AMOUNT", "Q{urn:a}LineAmount[1]") in fired
    assert not {("AMOUNT", "Q{urn:a}BigAmount[1]"), ("AMOUNT", "Q{urn:a}OtherAmount[1]")} & fired


def test_wildcard_rules_stay_in_one_mode_when_routing_could_change_what_they_see(tmp_path: Path) -> None:
    for label, rules in {
        # position() in a rule would read 1 once the node is applied alone in its mode
        "position": _WILDCARD_RULES.replace('select="path()"', 'select="concat(path(), position())"', 1),
        # a rule or named template reading its position: that changes when routed
        "named-position": _WILDCARD_RULES.replace(
            "</xsl:stylesheet>",
            '<xsl:template name="where"><xsl:value-of select="last()"/></xsl:template></xsl:stylesheet>',
        ),
    }.items():
        xslt = tmp_path / f"{label}.xslt"
        xslt.write_text(rules)
        rewritten = single_pass(xslt)
        assert rewritten is not None, label
        assert "facturier-single-pass-route" not in rewritten.text, label
        original, one_pass = _run_both(xslt, _WILDCARD_DOCUMENT)
        assert one_pass == original, label


@pytest.mark.parametrize(
    ("predicate", "name", "expected"),
    [
        ("ends-with(name(), 'ID')", ("urn:a", "LineID"), True),
        ("ends-with(name(), 'ID')", ("urn:a", "Lid"), False),
        ("ends-with(local-name(),'ID') and not (self::a:TaxID)", ("urn:a", "TaxID"), False),
        ("ends-with(local-name(),'ID') and not (self::a:TaxID)", ("urn:b", "TaxID"), True),
        ("(starts-with(local-name(), 'X') or ends-with(name(), 'Y')) and not(self::a:XY)", ("u", "XZ"), True),
        ("not(ends-with(name(), 'Y') or self::a:Q)", ("urn:a", "Q"), False),
    ],
)
def test_name_tests_are_worked_out_from_the_name(
    predicate: str, name: tuple[str, str], expected: bool
) -> None:
    test = _name_test(predicate, {"a": "urn:a"})
    assert test is not None
    assert test(name) is expected


@pytest.mark.parametrize(
    "predicate",
    [
        "not(*)",  # content
        "ends-with(name(), 'a:ID')",  # a colon: would reach into the prefix
        "starts-with(name(), 'ram')",  # the prefix
        "ends-with(name(), 'ID') and",
        "ends-with(name(), 'ID') and not(self::z:ID)",  # unknown prefix
        "ends-with(name(), 'ID') = 1",
        "ends-with(., 'ID')",
    ],
)
def test_other_predicates_are_not_name_tests(predicate: str) -> None:
    assert _name_test(predicate, {"a": "urn:a"}) is None


@pytest.mark.parametrize(
    ("predicate", "parts"),
    [
        ("a and (b or c) and f('x and y')", ["a ", " (b or c) ", " f('x and y')"]),
        ("x[a and b] and c", ["x[a and b] ", " c"]),
        ("a or b and c", ["a or b and c"]),  # an or at the top: not a conjunction
        ("band and my-and", ["band ", " my-and"]),
    ],
)
def test_conjuncts_split_on_top_level_and_only(predicate: str, parts: list[str]) -> None:
    assert _conjuncts(predicate) == parts


def test_a_wildcard_rule_on_content_stays_unrouted_beside_routed_ones(tmp_path: Path) -> None:
    """``//*[not(*)]`` (like Factur-X's empty-element rule) says nothing of the name: it stays in
    every mode with its test, while the name rules are routed; findings unchanged."""
    xslt = tmp_path / "content.xslt"
    xslt.write_text(
        _WILDCARD_RULES.replace("ends-with(name(), 'Amount') and not (self::a:TaxAmount)", "not(*)")
    )
    rewritten = single_pass(xslt)
    assert rewritten is not None
    assert "facturier-single-pass-route" in rewritten.text
    original, routed = _run_both(xslt, _WILDCARD_DOCUMENT)
    assert routed == original
    fired = {(f.rule_id, f.location.rsplit("/", 1)[-1]) for f in original}  # type: ignore[attr-defined]
    assert {("AMOUNT", "Q{urn:a}Total[1]"), ("ID", "Q{urn:a}LineID[1]")} <= fired


# Schematrons the pipeline runs one after another (validate_xml's rule sets), merged into one run.
MERGED = {
    **{
        f"cii-{profile}": (
            f"facturx/{profile}/2xslt/{name}",
            "en16931/cii/xslt/EN16931-CII-validation.xslt",
            "fr-ctc/CII/BR-FR/2xslt/BR-FR-Flux2-Schematron-CII.xslt",
        )
        for profile, name in (
            ("MINIMUM", "Factur-X_1.09_MINIMUM.xsl"),
            ("BASICWL", "FACTUR-X_BASIC-WL.xslt"),
            ("BASIC", "Factur-X_1.09_BASIC.xsl"),
            ("EN16931", "FACTUR-X_EN16931.xslt"),
        )
    },
    "cii": (
        "en16931/cii/xslt/EN16931-CII-validation.xslt",
        "fr-ctc/CII/BR-FR/2xslt/BR-FR-Flux2-Schematron-CII.xslt",
    ),
    "cii-extended-ctc-fr": (
        "en16931/cii/xslt/EN16931-CII-validation.xslt",
        "fr-ctc/CII/EXTENDED-CTC-FR/2xslt/EXTENDED-CTC-FR-CII.xslt",
        "fr-ctc/CII/BR-FR/2xslt/BR-FR-Flux2-Schematron-CII_WARNING.xslt",
    ),
    "ubl": (
        "en16931/ubl/xslt/EN16931-UBL-validation.xslt",
        "fr-ctc/UBL/BR-FR/2xslt/BR-FR-Flux2-Schematron-UBL.xslt",
    ),
    "ubl-peppol": (
        "en16931/ubl/xslt/EN16931-UBL-validation.xslt",
        "fr-ctc/UBL/EXTENDED-CTC-FR/2xslt/EXTENDED-CTC-FR-UBL.xslt",
        "fr-ctc/UBL/BR-FR/2xslt/BR-FR-Flux2-Schematron-UBL_WARNING.xslt",
        "peppol/bis-billing-3.0.21/xslt/CEN-EN16931-UBL.xslt",
        "peppol/bis-billing-3.0.21/xslt/PEPPOL-EN16931-UBL.xslt",
    ),
}


def _merged_params() -> list[object]:
    if not CONFORMANCE.is_dir():
        reason = "../shared not present: conformance data is only in the team workspace"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason))]
    return list(MERGED)


@pytest.mark.slow
@pytest.mark.parametrize("label", _merged_params())
def test_merged_schematrons_find_what_the_published_ones_find_in_turn(label: str) -> None:
    """One transformation for the schematrons of a validation: same findings, same order, same
    source per finding as the published files run one after another."""
    paths = tuple(CONFORMANCE / relative for relative in MERGED[label])
    assert merged_single_pass(paths) is not None, "these official stylesheets should merge"
    steps = [(path, f"s{number}") for number, path in enumerate(paths)]
    roots = STYLESHEETS[MERGED[label][-1]]
    checked, sources = 0, set()
    for name, root in _documents():
        if root.tag not in roots:
            continue
        document = schematron.XsltInput(etree.tostring(root, encoding="unicode"))
        schematron.SINGLE_PASS = False
        try:
            published = schematron.run_schematrons(document, steps)
        finally:
            schematron.SINGLE_PASS = True
        schematron.MERGE = True
        try:
            merged = schematron.run_schematrons(document, steps)
        finally:
            schematron.MERGE = False
        assert merged == published, name
        checked += 1
        sources |= {finding.source for finding in published}
    assert checked > 0
    assert len(sources) > 1


_MERGE_A = """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:a="urn:a" version="2.0">
  <xsl:param name="shared"/>
  <xsl:template match="/"><svrl:schematron-output>
    <xsl:apply-templates select="/" mode="M1"/><xsl:apply-templates select="/" mode="M2"/>
  </svrl:schematron-output></xsl:template>
  RULES
  <xsl:template match="*" mode="path"><xsl:value-of select="name()"/></xsl:template>
</xsl:stylesheet>"""


def _merge_rule(match: str, mode: str, rule_id: str, walk: str = "@*|*") -> str:
    return (
        f'<xsl:template match="{match}" mode="{mode}" priority="1000">'
        f'<svrl:failed-assert test="x" id="{rule_id}"><xsl:attribute name="location">'
        f'<xsl:value-of select="path()"/></xsl:attribute><svrl:text>[{rule_id}]-fired</svrl:text>'
        f'</svrl:failed-assert><xsl:apply-templates select="{walk}" mode="{mode}"/></xsl:template>'
        f'<xsl:template match="text()" mode="{mode}" priority="-1"/>'
        f'<xsl:template match="@*|node()" mode="{mode}" priority="-2">'
        f'<xsl:apply-templates select="{walk}" mode="{mode}"/></xsl:template>'
    )


def _merge_stylesheets(tmp_path: Path, second_rules: str, second_extra: str = "") -> tuple[Path, Path]:
    first = tmp_path / "first.xslt"
    first.write_text(
        _MERGE_A.replace("RULES", _merge_rule("a:x", "M1", "A1") + _merge_rule("@code", "M2", "A2"))
    )
    second = tmp_path / "second.xslt"
    second.write_text(_MERGE_A.replace("RULES", second_rules + second_extra))
    return first, second


_MERGE_DOCUMENT = '<a:doc xmlns:a="urn:a"><a:x code="1"/><a:y code="2"><a:x/></a:y></a:doc>'


def test_merged_stylesheets_keep_each_stylesheets_findings_order_and_source(tmp_path: Path) -> None:
    # Same pattern modes (M1, M2) in both; the second walks elements only, as BR-FR does.
    first, second = _merge_stylesheets(
        tmp_path, _merge_rule("a:y", "M1", "B1", walk="*") + _merge_rule("a:x", "M2", "B2", walk="*")
    )
    merged = merged_single_pass((first, second))
    assert merged is not None
    assert merged.patterns == (2, 2)
    assert merged.text.count('name="shared"') == 1  # identical declarations: one copy
    steps = [(first, "first"), (second, "second")]
    document = schematron.XsltInput(_MERGE_DOCUMENT)
    schematron.SINGLE_PASS = False
    try:
        published = schematron.run_schematrons(document, steps)
    finally:
        schematron.SINGLE_PASS = True
    assert [(f.rule_id, f.source) for f in published] == [
        ("A1", "first"),
        ("A1", "first"),
        ("A2", "first"),
        ("A2", "first"),
        ("B1", "second"),
        ("B2", "second"),
        ("B2", "second"),
    ]
    schematron.MERGE = True
    try:
        assert schematron.run_schematrons(document, steps) == published
    finally:
        schematron.MERGE = False
    assert "+" in " ".join(schematron.compile_timings())  # it did run merged


def test_merge_declines_what_it_cannot_keep_apart(tmp_path: Path) -> None:
    # A declaration of the same name that differs: nothing is renamed inside XPaths, so no merge.
    first, second = _merge_stylesheets(
        tmp_path,
        _merge_rule("a:y", "M1", "B1"),
        '<xsl:template match="@*" mode="path"><xsl:value-of select="1"/></xsl:template>',
    )
    assert merged_single_pass((first, second)) is None
    # A stylesheet walking elements only, with a rule on attributes (never met in its own walk).
    first, second = _merge_stylesheets(tmp_path, _merge_rule("a:x/@code", "M1", "B1", walk="*"))
    assert merged_single_pass((first, second)) is None
    # A prefix bound to another namespace.
    second.write_text(_MERGE_A.replace('xmlns:a="urn:a"', 'xmlns:a="urn:b"').replace("RULES", ""))
    assert merged_single_pass((first, second)) is None
    # Still the findings of the separate runs.
    document = schematron.XsltInput(_MERGE_DOCUMENT)
    steps = [(first, "first"), (second, "second")]
    assert schematron.run_schematrons(document, steps) == schematron.run_schematron(
        document, first, source="first"
    ) + schematron.run_schematron(document, second, source="second")


def test_merge_leaves_factur_x_extended_to_run_as_published() -> None:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    paths = (
        CONFORMANCE / "facturx/EXTENDED/2xslt/Factur-X_EXTENDED.xslt",
        CONFORMANCE / "en16931/cii/xslt/EN16931-CII-validation.xslt",
    )
    assert merged_single_pass(paths) is None


def _choose(test: str, rule_id: str) -> str:
    return (
        f'<xsl:choose><xsl:when test="{test}"/><xsl:otherwise><svrl:failed-assert test="t" id="{rule_id}">'
        '<xsl:attribute name="location"><xsl:value-of select="path()"/></xsl:attribute>'
        f"<svrl:text>[{rule_id}]-fired</svrl:text></svrl:failed-assert></xsl:otherwise></xsl:choose>"
    )


_ABSENT_RULES = (
    '<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
    'xmlns:svrl="http://purl.oclc.org/dsdl/svrl" xmlns:a="urn:a" version="2.0">'
    '<xsl:template match="/"><svrl:schematron-output>'
    '<xsl:apply-templates select="/" mode="M1"/></svrl:schematron-output></xsl:template>'
    '<xsl:template match="a:t" mode="M1" priority="1000">'
    + _choose("not(a:p)", "P")
    + "<!--ASSERT -->"
    + _choose("not(a:q)", "Q")
    + _choose("not(a:p)", "P2")
    + _choose("not (a:r)", "R")
    + _choose("not(a:q) or (a:q = 'ok')", "QOK")
    + _choose("not(a:s)", "S")
    + _choose("not(a:u)", "U")
    + '<xsl:apply-templates select="@*|*" mode="M1"/></xsl:template>'
    + _defaults("M1")
    + "</xsl:stylesheet>"
)
_ABSENT_DOCUMENT = """<a:doc xmlns:a="urn:a" xmlns:b="urn:b">
  <a:t/><a:t><a:q>ok</a:q></a:t><a:t><a:q>no</a:q><a:r/></a:t><a:t><a:p/><a:s/></a:t>
  <a:t><b:p/><b:r/>text</a:t><a:t><a:x><a:p/></a:x><a:u/></a:t></a:doc>"""


def test_runs_of_absent_child_assertions_are_guarded_and_find_the_same(tmp_path: Path) -> None:
    xslt = tmp_path / "rules.xslt"
    xslt.write_text(_ABSENT_RULES)
    rewritten = single_pass(xslt)
    assert rewritten is not None
    assert '<xsl:if test="a:p | a:q | a:r">' in rewritten.text  # the run of four, names once
    assert "a:s | a:u" not in rewritten.text  # after "not(a:q) or ...", a run of two: as published
    original, guarded = _run_both(xslt, _ABSENT_DOCUMENT)
    assert guarded == original
    expected = ["Q", "Q", "R", "QOK", "P", "P2", "S", "U"]
    assert [f.rule_id for f in original] == expected  # type: ignore[attr-defined]
