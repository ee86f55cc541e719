"""Replace one stream object of a PDF by an incremental update (appended, nothing rewritten).

Rewriting the whole file with qpdf to change the XMP packet costs about 2 ms, a tenth of the
time budget of a Factur-X rendering; appending the new object, a one-entry cross-reference
section and a trailer pointing back to the previous one costs microseconds. PDF/A-2 and -3
allow incremental updates; readers (qpdf, pypdf, the factur-x package) resolve the newest
version of the object. Only classic cross-reference tables (what Typst writes) are handled;
for anything else the caller falls back to a full rewrite.
"""

from __future__ import annotations

import re

import pikepdf

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


def _ref(obj: pikepdf.Object) -> bytes:
    number, generation = obj.objgen
    return b"%d %d R" % (number, generation)


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
    number, generation = target.objgen
    body = pdf if pdf.endswith(b"\n") else pdf + b"\n"
    offset = len(body)
    obj = (
        b"%d %d obj\n<< %s /Length %d >>\nstream\n" % (number, generation, keys, len(data))
        + data
        + b"\nendstream\nendobj\n"
    )
    xref_at = offset + len(obj)
    first, second = (bytes(identifier).hex().encode() for identifier in identifiers)
    xref = b"xref\n%d 1\n%010d %05d n\r\n" % (number, offset, generation)
    info_entry = b" /Info " + _ref(info) if info is not None else b""
    tail = b"trailer\n<< /Size %d /Root %s%s /ID [<%s> <%s>] /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        int(trailer.Size),
        _ref(root),
        info_entry,
        first,
        second,
        previous,
        xref_at,
    )
    return body + obj + xref + tail
