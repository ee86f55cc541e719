"""Replace one stream object of a PDF by an incremental update (appended, nothing rewritten).

Rewriting the whole file with qpdf to change the XMP packet costs about 2 ms, a tenth of the
time budget of a Factur-X rendering; appending the new object, a one-entry cross-reference
section and a trailer pointing back to the previous one costs microseconds. PDF/A-2 and -3
allow incremental updates; readers (qpdf, pypdf, the factur-x package) resolve the newest
version of the object. Only classic cross-reference tables (what Typst writes) are handled;
for anything else the caller falls back to a full rewrite.

Opening the PDF with pikepdf only to find the metadata stream, the trailer's keys and the XMP bytes
costs about 1 ms (qpdf parses every object of the file). ``find_metadata`` reads them through the
cross-reference table instead: the trailer, then the catalog and the metadata object at the offsets
the table gives. It accepts only the plain layout Typst writes (one classic xref section, no
compression or filter on those objects, simple identifiers) and answers None for anything else, so the
caller goes the pikepdf way; both ways append the very same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pikepdf

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
_SUBSECTION = re.compile(rb"xref\r?\n(\d+) (\d+)\r?\n")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.DOTALL)
_SIZE = re.compile(rb"/Size\s+(\d+)")
_ROOT = re.compile(rb"/Root\s+(\d+)\s+(\d+)\s+R")
_INFO = re.compile(rb"/Info\s+(\d+)\s+(\d+)\s+R")
_IDS = re.compile(
    rb"/ID\s*\[\s*(?:\(([^()\\]*)\)|<([0-9A-Fa-f\s]*)>)\s*(?:\(([^()\\]*)\)|<([0-9A-Fa-f\s]*)>)\s*\]"
)
_METADATA_REF = re.compile(rb"/Metadata\s+(\d+)\s+(\d+)\s+R")
_OBJECT = re.compile(rb"(\d+) (\d+) obj\s*<<(.*?)>>\s*stream\r?\n", re.DOTALL)
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\d)(?!\s+\d+\s+R)")


@dataclass(frozen=True)
class Trailer:
    """What an appended update repeats of the last trailer, and where the previous xref starts."""

    previous: int
    size: int
    root: tuple[int, int]
    info: tuple[int, int] | None
    identifiers: tuple[bytes, bytes]


@dataclass(frozen=True)
class MetadataStream:
    """The catalog's XMP stream: its object number and generation, and its (unfiltered) bytes."""

    number: int
    generation: int
    data: bytes
    trailer: Trailer


def _identifier(literal: bytes | None, hexadecimal: bytes | None) -> bytes:
    if literal is not None:
        return literal
    return bytes.fromhex((hexadecimal or b"").decode("ascii"))


def _trailer(pdf: bytes) -> tuple[Trailer, int, int, int] | None:
    """The last trailer and the previous xref's one subsection (first number, count, entries offset)."""
    match = _STARTXREF.search(pdf[-1024:])
    if match is None:
        return None
    previous = int(match.group(1))
    section = _SUBSECTION.match(pdf, previous)
    trailer = _TRAILER.search(pdf, previous)
    if section is None or trailer is None:
        return None
    first, count, entries = int(section.group(1)), int(section.group(2)), section.end()
    if pdf[entries + 20 * count : entries + 20 * count + 7] != b"trailer":
        return None  # several subsections or a malformed table: leave it to qpdf
    body = trailer.group(1)
    if b"/Prev" in body or b"/Encrypt" in body or b"/XRefStm" in body:
        return None
    size, root, info, ids = _SIZE.search(body), _ROOT.search(body), _INFO.search(body), _IDS.search(body)
    if size is None or root is None or ids is None:
        return None
    return (
        Trailer(
            previous=previous,
            size=int(size.group(1)),
            root=(int(root.group(1)), int(root.group(2))),
            info=None if info is None else (int(info.group(1)), int(info.group(2))),
            identifiers=(_identifier(ids.group(1), ids.group(2)), _identifier(ids.group(3), ids.group(4))),
        ),
        first,
        count,
        entries,
    )


def find_metadata(pdf: bytes) -> MetadataStream | None:
    """The catalog's XMP stream read through the cross-reference table, or None when the file is not
    the plain classic-xref layout this reader trusts (the caller then opens it with pikepdf)."""
    found = _trailer(pdf)
    if found is None:
        return None
    trailer, first, count, entries = found

    def offset(number: int, generation: int) -> int | None:
        if not first <= number < first + count:
            return None
        entry = pdf[entries + 20 * (number - first) : entries + 20 * (number - first) + 20]
        if len(entry) != 20 or entry[17:18] != b"n" or int(entry[11:16]) != generation:
            return None
        return int(entry[:10])

    catalog_at = offset(*trailer.root)
    if catalog_at is None:
        return None
    header = b"%d %d obj" % trailer.root
    end = pdf.find(b"endobj", catalog_at)
    if not pdf.startswith(header, catalog_at) or end < 0:
        return None
    references = _METADATA_REF.findall(pdf, catalog_at, end)
    if len(references) != 1:
        return None
    number, generation = int(references[0][0]), int(references[0][1])
    stream_at = offset(number, generation)
    if stream_at is None:
        return None
    obj = _OBJECT.match(pdf, stream_at)
    if obj is None or (int(obj.group(1)), int(obj.group(2))) != (number, generation):
        return None
    keys = obj.group(3)
    length = _LENGTH.search(keys)
    if length is None or b"/Filter" in keys or b"/DecodeParms" in keys or b"<<" in keys:
        return None
    start = obj.end()
    stop = start + int(length.group(1))
    if not re.match(rb"\r?\n?endstream", pdf[stop : stop + 12]):
        return None
    return MetadataStream(number=number, generation=generation, data=pdf[start:stop], trailer=trailer)


def append_stream(pdf: bytes, trailer: Trailer, number: int, generation: int, *, data: bytes,
                  keys: bytes) -> bytes:  # fmt: skip
    """`pdf` with object `number` `generation` replaced by a stream of `data` (an appended update)."""
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    offset = len(body)
    obj = (
        b"%d %d obj\n<< %s /Length %d >>\nstream\n" % (number, generation, keys, len(data))
        + data
        + b"\nendstream\nendobj\n"
    )
    xref_at = offset + len(obj)
    first, second = (identifier.hex().encode() for identifier in trailer.identifiers)
    xref = b"xref\n%d 1\n%010d %05d n\r\n" % (number, offset, generation)
    info_entry = b" /Info %d %d R" % trailer.info if trailer.info is not None else b""
    tail = b"trailer\n<< /Size %d /Root %d %d R%s /ID [<%s> <%s>] /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        trailer.size,
        *trailer.root,
        info_entry,
        first,
        second,
        trailer.previous,
        xref_at,
    )
    return body + obj + xref + tail


def replace_stream(pdf: bytes, document: pikepdf.Pdf, target: pikepdf.Object, *, data: bytes,
                   keys: bytes) -> bytes | None:  # fmt: skip
    """`pdf` with `target` (an indirect stream of the opened `document`) replaced by `data`.

    `keys` is the raw dictionary content besides /Length (e.g. b"/Type /Metadata /Subtype /XML").
    Returns None when the file is not a simple classic-xref PDF we can update safely.
    """
    match = _STARTXREF.search(pdf[-1024:])
    if match is None or not target.is_indirect:
        return None
    previous = int(match.group(1))
    if pdf[previous : previous + 4] != b"xref":
        return None  # a cross-reference stream: leave it to qpdf
    trailer = document.trailer
    identifiers = trailer.get("/ID")
    root, info = trailer.get("/Root"), trailer.get("/Info")
    if not isinstance(identifiers, pikepdf.Array) or len(identifiers) != 2 or root is None:
        return None
    first, second = (bytes(identifier) for identifier in identifiers)
    found = Trailer(
        previous=previous,
        size=int(trailer.Size),
        root=root.objgen,
        info=info.objgen if info is not None else None,
        identifiers=(first, second),
    )
    number, generation = target.objgen
    return append_stream(pdf, found, number, generation, data=data, keys=keys)
