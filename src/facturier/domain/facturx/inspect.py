"""Structural checks of a Factur-X PDF: the parts a PDF/A-3 validator and a Factur-X reader need.

This is no substitute for a full PDF/A validator (veraPDF); it checks what our own pipeline
can get wrong: the PDF/A claim in XMP, the sRGB OutputIntent, the embedded XML referenced
from the catalog /AF with an AFRelationship, the `fx:` XMP values, and that every font is
embedded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pikepdf
from lxml import etree

from facturier.domain.facturx.errors import FacturXError
from facturier.domain.facturx.extract import open_pdf
from facturier.domain.facturx.xmp import FX_NS, PDFA_SCHEMA_NS, PDFAID_NS, RDF_NS, XML_FILENAME

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_RELATIONSHIPS = frozenset({"/Data", "/Source", "/Alternative", "/Supplement", "/Unspecified"})


@dataclass(frozen=True)
class PdfStructure:
    """What a Factur-X PDF declares about itself."""

    pdfa_part: str | None
    pdfa_conformance: str | None
    output_intents: tuple[str, ...]
    associated_files: dict[str, str]
    embedded_mime_types: dict[str, str]
    fx: dict[str, str]
    fx_schema_declared: bool
    fonts: dict[str, bool] = field(default_factory=dict)
    has_file_id: bool = True
    encrypted: bool = False

    @property
    def unembedded_fonts(self) -> list[str]:
        return sorted(name for name, embedded in self.fonts.items() if not embedded)

    def problems(self, *, conformance_level: str | None = None) -> list[str]:
        """Plain-language problems; empty when the PDF is structurally a Factur-X PDF/A-3B."""
        found: list[str] = []
        if not self.has_file_id:
            found.append("the trailer has no /ID (PDF/A requires one)")
        if self.encrypted:
            found.append("the PDF is encrypted (PDF/A forbids it)")
        if (self.pdfa_part, (self.pdfa_conformance or "").upper()) != ("3", "B"):
            found.append(
                f"XMP claims PDF/A part {self.pdfa_part} conformance {self.pdfa_conformance}, not 3B"
            )
        if "/GTS_PDFA1" not in self.output_intents:
            found.append("no PDF/A OutputIntent (GTS_PDFA1)")
        relationship = self.associated_files.get(XML_FILENAME)
        if relationship is None:
            found.append(f"{XML_FILENAME} is not referenced from the catalog /AF")
        elif relationship not in _RELATIONSHIPS:
            found.append(f"{XML_FILENAME} has AFRelationship {relationship}, not a PDF/A-3 value")
        if self.embedded_mime_types.get(XML_FILENAME) not in {"/text/xml", "/application/xml"}:
            found.append(f"{XML_FILENAME} is not embedded with MIME type text/xml")
        for name in ("DocumentType", "DocumentFileName", "Version", "ConformanceLevel"):
            if not self.fx.get(name):
                found.append(f"XMP has no fx:{name}")
        if self.fx.get("DocumentFileName", XML_FILENAME) != XML_FILENAME:
            found.append(f"fx:DocumentFileName is {self.fx['DocumentFileName']}, not {XML_FILENAME}")
        if conformance_level is not None and self.fx.get("ConformanceLevel") != conformance_level:
            found.append(f"fx:ConformanceLevel is {self.fx.get('ConformanceLevel')}, not {conformance_level}")
        if not self.fx_schema_declared:
            found.append("the fx: namespace is not declared in the XMP PDF/A extension schemas")
        found.extend(f"font {name} is not embedded" for name in self.unembedded_fonts)
        return found


def _xmp_values(xmp: bytes) -> tuple[dict[str, str], dict[str, str], bool]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(xmp, parser=parser)
    except etree.XMLSyntaxError as error:
        raise FacturXError(f"XMP metadata is not well-formed: {error}") from error
    pdfaid: dict[str, str] = {}
    fx: dict[str, str] = {}
    for description in root.iter(f"{{{RDF_NS}}}Description"):
        for attribute, value in description.attrib.items():  # the short form pdfaid:part="3"
            namespace, _, local = str(attribute)[1:].partition("}")
            target = pdfaid if namespace == PDFAID_NS else fx if namespace == FX_NS else None
            if target is not None:
                target[local] = str(value)
        for child in description:
            if not isinstance(child.tag, str):
                continue
            namespace, _, local = child.tag[1:].partition("}")
            target = pdfaid if namespace == PDFAID_NS else fx if namespace == FX_NS else None
            if target is not None:
                target[local] = (child.text or "").strip()
    declared = any(uri.text == FX_NS for uri in root.iter(f"{{{PDFA_SCHEMA_NS}}}namespaceURI"))
    return pdfaid, fx, declared


def _font_embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # glyphs are drawn by content streams inside the font
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts")
        return isinstance(descendants, pikepdf.Array) and all(_font_embedded(d) for d in descendants)
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(key in descriptor for key in _FONT_FILES)


def _collect_fonts(resources: object, fonts: dict[str, bool], seen: set[tuple[int, int]]) -> None:
    if not isinstance(resources, pikepdf.Dictionary):
        return
    for font in (resources.get("/Font") or pikepdf.Dictionary()).values():
        if isinstance(font, pikepdf.Dictionary):
            fonts[str(font.get("/BaseFont", "(unnamed Type3)"))] = _font_embedded(font)
    for kind in ("/XObject", "/Pattern"):
        for child in (resources.get(kind) or pikepdf.Dictionary()).values():
            if child.is_indirect:
                if child.objgen in seen:
                    continue
                seen.add(child.objgen)
            _collect_fonts(child.get("/Resources"), fonts, seen)
            font_resources = child.get("/Resources") if child.get("/Subtype") == "/Type3" else None
            _collect_fonts(font_resources, fonts, seen)


def inspect_pdf(data: bytes) -> PdfStructure:
    """Read the Factur-X relevant structure of a PDF (raises FacturXError if it is not readable)."""
    with open_pdf(data) as document:
        return _inspect(document)


def _inspect(document: pikepdf.Pdf) -> PdfStructure:
    root = document.Root
    metadata = root.get("/Metadata")
    pdfaid, fx, declared = _xmp_values(metadata.read_bytes()) if metadata is not None else ({}, {}, False)
    intents = tuple(str(intent.get("/S")) for intent in root.get("/OutputIntents") or [])
    associated: dict[str, str] = {}
    for spec in root.get("/AF") or []:
        name = str(spec.get("/UF") or spec.get("/F") or "")
        associated[name] = str(spec.get("/AFRelationship", "(none)"))
    mime_types: dict[str, str] = {}
    for name, attached in document.attachments.items():
        stream = attached.obj.get("/EF", pikepdf.Dictionary()).get("/F")
        mime_types[str(name)] = str(stream.get("/Subtype", "")) if stream is not None else ""
    fonts: dict[str, bool] = {}
    seen: set[tuple[int, int]] = set()
    for page in document.pages:
        _collect_fonts(page.obj.get("/Resources"), fonts, seen)
        for annotation in page.obj.get("/Annots") or []:
            appearance = (annotation.get("/AP") or pikepdf.Dictionary()).get("/N")
            if isinstance(appearance, pikepdf.Stream):
                _collect_fonts(appearance.get("/Resources"), fonts, seen)
    return PdfStructure(
        pdfa_part=pdfaid.get("part"),
        pdfa_conformance=pdfaid.get("conformance"),
        output_intents=intents,
        associated_files=associated,
        embedded_mime_types=mime_types,
        fx=fx,
        fx_schema_declared=declared,
        fonts=fonts,
        has_file_id=isinstance(document.trailer.get("/ID"), pikepdf.Array),
        encrypted=document.is_encrypted,
    )
