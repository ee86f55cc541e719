"""The Factur-X part of a PDF's XMP metadata: the `fx:` properties and their PDF/A extension schema.

PDF/A only allows XMP properties that are either predefined or declared in a
`pdfaExtension:schemas` list. Typst writes its own list (for xmpMM and pdf); we add the
Factur-X schema to that same list and the four `fx:` values to the same `rdf:RDF`, so the
packet keeps one extension-schema list, as validators expect.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from lxml import etree

from facturier.domain.facturx.errors import FacturXError
from facturier.domain.facturx.incremental import append_stream, find_metadata, replace_stream

FX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
X_NS = "adobe:ns:meta/"
PDFA_EXTENSION_NS = "http://www.aiim.org/pdfa/ns/extension/"
PDFA_SCHEMA_NS = "http://www.aiim.org/pdfa/ns/schema#"
PDFA_PROPERTY_NS = "http://www.aiim.org/pdfa/ns/property#"
PDFAID_NS = "http://www.aiim.org/pdfa/ns/id/"

XML_FILENAME = "factur-x.xml"
_METADATA_KEYS = b"/Type /Metadata /Subtype /XML"

CONFORMANCE_LEVELS: dict[str, str] = {
    "MINIMUM": "MINIMUM",
    "BASICWL": "BASIC WL",
    "BASIC": "BASIC",
    "EN16931": "EN 16931",
    "EXTENDED": "EXTENDED",
}
"""Profile short name (as in `domain.en16931.codes.Profile`) -> XMP `fx:ConformanceLevel` value."""

_PROPERTIES = (
    ("DocumentFileName", "The name of the embedded XML document"),
    ("DocumentType", "The type of the hybrid document in capital letters, e.g. INVOICE or ORDER"),
    ("Version", "The actual version of the standard applying to the embedded XML document"),
    ("ConformanceLevel", "The conformance level of the embedded XML document"),
)


@dataclass(frozen=True)
class FacturXMetadata:
    """The four `fx:` values a Factur-X reader looks for."""

    conformance_level: str
    document_type: str = "INVOICE"
    document_file_name: str = XML_FILENAME
    version: str = "1.0"

    @classmethod
    def for_profile(cls, profile: str) -> FacturXMetadata:
        try:
            return cls(conformance_level=CONFORMANCE_LEVELS[profile])
        except KeyError:
            known = ", ".join(CONFORMANCE_LEVELS)
            raise FacturXError(
                f"no Factur-X conformance level for profile {profile!r} (use {known})"
            ) from None

    def values(self) -> dict[str, str]:
        return {
            "DocumentFileName": self.document_file_name,
            "DocumentType": self.document_type,
            "Version": self.version,
            "ConformanceLevel": self.conformance_level,
        }


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def _fx_schema_item() -> etree._Element:
    item = etree.Element(_q(RDF_NS, "li"), {_q(RDF_NS, "parseType"): "Resource"})
    for name, text in (
        ("schema", "Factur-X PDFA Extension Schema"),
        ("namespaceURI", FX_NS),
        ("prefix", "fx"),
    ):
        etree.SubElement(item, _q(PDFA_SCHEMA_NS, name)).text = text
    properties = etree.SubElement(etree.SubElement(item, _q(PDFA_SCHEMA_NS, "property")), _q(RDF_NS, "Seq"))
    for name, description in _PROPERTIES:
        prop = etree.SubElement(properties, _q(RDF_NS, "li"), {_q(RDF_NS, "parseType"): "Resource"})
        etree.SubElement(prop, _q(PDFA_PROPERTY_NS, "name")).text = name
        etree.SubElement(prop, _q(PDFA_PROPERTY_NS, "valueType")).text = "Text"
        etree.SubElement(prop, _q(PDFA_PROPERTY_NS, "category")).text = "external"
        etree.SubElement(prop, _q(PDFA_PROPERTY_NS, "description")).text = description
    return item


def _remove_existing_fx(rdf: etree._Element) -> None:
    for element in rdf.iter(_q(FX_NS, "*")):
        element.getparent().remove(element)
    for schema_item in rdf.iter(_q(RDF_NS, "li")):
        uri = schema_item.find(_q(PDFA_SCHEMA_NS, "namespaceURI"))
        if uri is not None and uri.text == FX_NS:
            schema_item.getparent().remove(schema_item)


def _schemas_bag(description: etree._Element) -> etree._Element:
    schemas = description.find(_q(PDFA_EXTENSION_NS, "schemas"))
    if schemas is None:
        schemas = etree.SubElement(description, _q(PDFA_EXTENSION_NS, "schemas"))
    bag = schemas.find(_q(RDF_NS, "Bag"))
    if bag is None:
        bag = etree.SubElement(schemas, _q(RDF_NS, "Bag"))
    return bag


def merge_facturx_xmp(xmp: bytes, metadata: FacturXMetadata) -> bytes:
    """Return the XMP packet with the `fx:` values and the Factur-X extension schema added.

    Any earlier `fx:` values or schema are replaced, so the function can run twice.
    """
    try:
        root = etree.fromstring(xmp, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise FacturXError(f"the PDF's XMP metadata is not well-formed: {error}") from error
    rdf = root if root.tag == _q(RDF_NS, "RDF") else root.find(_q(RDF_NS, "RDF"))
    if rdf is None:
        raise FacturXError("the PDF's XMP metadata has no rdf:RDF element")
    _remove_existing_fx(rdf)
    descriptions = rdf.findall(_q(RDF_NS, "Description"))
    holder = next(
        (d for d in descriptions if d.find(_q(PDFA_EXTENSION_NS, "schemas")) is not None),
        descriptions[0] if descriptions else None,
    )
    if holder is None:
        holder = etree.SubElement(rdf, _q(RDF_NS, "Description"), {_q(RDF_NS, "about"): ""})
    _schemas_bag(holder).append(_fx_schema_item())
    for name, value in metadata.values().items():
        etree.SubElement(holder, _q(FX_NS, name)).text = value
    etree.cleanup_namespaces(
        root,
        top_nsmap={
            "fx": FX_NS, "pdfaExtension": PDFA_EXTENSION_NS, "pdfaSchema": PDFA_SCHEMA_NS,
            "pdfaProperty": PDFA_PROPERTY_NS,
        },
    )  # fmt: skip
    body: bytes = etree.tostring(root, encoding="utf-8")
    return b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>' + body + b'<?xpacket end="r"?>'


def add_facturx_metadata(pdf: bytes, metadata: FacturXMetadata) -> bytes:
    """Write the merged XMP packet back into the PDF (uncompressed, as PDF/A requires).

    The new packet is appended as an incremental update when the file allows it; otherwise the
    PDF is saved by qpdf without re-running any PDF/A "fix-up" (which would drop the `fx:`
    values), keeping object streams and compressed content as Typst wrote them. A PDF as Typst writes
    it is not opened at all: its XMP packet is found through its cross-reference table
    (``incremental.find_metadata``), which appends the same bytes as the pikepdf way without qpdf
    parsing the whole file.
    """
    found = find_metadata(pdf)
    if found is not None:
        merged = merge_facturx_xmp(found.data, metadata)
        return append_stream(
            pdf, found.trailer, found.number, found.generation, data=merged, keys=_METADATA_KEYS
        )
    return add_facturx_metadata_with_pikepdf(pdf, metadata)


def add_facturx_metadata_with_pikepdf(pdf: bytes, metadata: FacturXMetadata) -> bytes:
    """``add_facturx_metadata`` for any PDF: opened with pikepdf, updated incrementally or rewritten."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        current = document.Root.get("/Metadata")
        if current is None:
            raise FacturXError("the PDF has no XMP metadata: render it as PDF/A first")
        merged = merge_facturx_xmp(current.read_bytes(), metadata)
        updated = replace_stream(pdf, document, current, data=merged, keys=_METADATA_KEYS)
        if updated is not None:
            return updated
        stream = pikepdf.Stream(document, merged)
        stream.Type = pikepdf.Name.Metadata
        stream.Subtype = pikepdf.Name.XML
        document.Root.Metadata = document.make_indirect(stream)
        out = io.BytesIO()
        document.save(
            out,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            fix_metadata_version=False,
        )
    result: bytes = out.getvalue()
    return result
