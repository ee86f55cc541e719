"""Opening what arrives: a bare XML, a Factur-X/ZUGFeRD PDF (one embedded XML), or a zip of those.

Everything here treats the bytes as hostile. Sizes are checked before anything is decompressed,
decompression is capped (a lying header cannot make us inflate more than the limit), zip member
names are never used as paths, and nested archives are refused.
"""

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Literal, cast

import pikepdf
from django.utils.translation import gettext as _

from facturier.inbox import errors
from facturier.inbox.errors import InboxFileTooLarge, InboxImportError
from facturier.inbox.limits import InboxLimits

Kind = Literal["pdf", "zip", "xml"]

# Names the Factur-X 1.0 / ZUGFeRD 1-2 / XRechnung specifications give the embedded invoice.
INVOICE_ATTACHMENT_NAMES = frozenset(
    {"factur-x.xml", "zugferd-invoice.xml", "zugferd_invoice.xml", "xrechnung.xml", "order-x.xml"}
)
_XML_MIME = frozenset({"/text/xml", "/application/xml", "/text#2Fxml", "/application#2Fxml"})


def sniff(content: bytes) -> Kind:
    """The container kind from magic bytes (PDF headers may follow up to 1 KiB of junk)."""
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if b"%PDF-" in content[:1024]:
        return "pdf"
    return "xml"


def check_size(content: bytes, limits: InboxLimits) -> None:
    if len(content) > limits.max_file_bytes:
        raise InboxFileTooLarge(
            _("The file is %(size)s bytes, over the %(limit)s bytes limit.")
            % {"size": len(content), "limit": limits.max_file_bytes},
            field="file",
        )
    if not content or content.isspace():
        raise InboxImportError(_("The file is empty."), code=errors.EMPTY_FILE, field="file")


# --- PDF -----------------------------------------------------------------------------------------


def _bounded_stream_bytes(stream: pikepdf.Stream, limit: int) -> bytes:
    """Decode an embedded file stream without inflating more than ``limit`` bytes."""
    filters = stream.get("/Filter")
    if filters is None:
        data = stream.read_raw_bytes()
    elif filters == pikepdf.Name.FlateDecode and stream.get("/DecodeParms") is None:
        inflater = zlib.decompressobj()
        data = inflater.decompress(stream.read_raw_bytes(), limit + 1)
    else:  # other filter chains: let qpdf decode, then check the size
        data = stream.read_bytes()
    if len(data) > limit:
        raise InboxImportError(
            _("The XML embedded in the PDF is over the %(limit)s bytes limit.") % {"limit": limit},
            code=errors.FILE_TOO_LARGE,
        )
    return data


def _is_xml_attachment(name: str, file_spec: pikepdf.AttachedFileSpec) -> bool:
    if name.lower().endswith(".xml"):
        return True
    try:
        subtype = file_spec.get_file().obj.get("/Subtype")
    except Exception:  # noqa: BLE001 - a malformed file spec is simply not an XML attachment
        return False
    return subtype is not None and str(subtype) in _XML_MIME


@dataclass(frozen=True)
class PdfInvoice:
    attachment: str
    xml: bytes
    conformance_level: str | None
    """``fx:ConformanceLevel`` of the PDF's XMP (``EN 16931``, ``BASIC WL``...), None when absent."""


_XMP_MAX_BYTES = 1024 * 1024
_LEVEL_KEY = b":ConformanceLevel"
_LEVEL_VALUE = re.compile(rb"\s*(?:>\s*([^<]{1,40}?)\s*<|=\s*[\"']([^\"']{1,40})[\"'])")


def _conformance_level(pdf: pikepdf.Pdf) -> str | None:
    """The Factur-X/ZUGFeRD conformance level declared in the XMP (read bounded, never parsed as XML)."""
    try:
        metadata = pdf.Root.get("/Metadata")
        if not isinstance(metadata, pikepdf.Stream):
            return None
        xmp = _bounded_stream_bytes(metadata, _XMP_MAX_BYTES)
    except Exception:  # noqa: BLE001 - unreadable or oversize XMP: the level is simply unknown
        return None
    # Plain find + an anchored match: linear in the XMP size whatever its content.
    position = xmp.find(_LEVEL_KEY)
    while position >= 0:
        match = _LEVEL_VALUE.match(xmp, position + len(_LEVEL_KEY))
        if match is not None:
            return (match.group(1) or match.group(2)).decode("utf-8", "replace").strip()
        position = xmp.find(_LEVEL_KEY, position + 1)
    return None


def extract_pdf_xml(content: bytes, limits: InboxLimits) -> PdfInvoice:
    """The one invoice XML embedded in a Factur-X/ZUGFeRD PDF, with the XMP conformance level.

    The invoice is the attachment with a standard name (``factur-x.xml``...); without one, the
    single XML attachment. No XML, or several candidates, is refused: guessing would risk booking
    the wrong document.
    """
    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            xml_attachments = {
                name: spec for name, spec in pdf.attachments.items() if _is_xml_attachment(name, spec)
            }
            standard = {n: s for n, s in xml_attachments.items() if n.lower() in INVOICE_ATTACHMENT_NAMES}
            candidates = standard or xml_attachments
            if not candidates:
                raise InboxImportError(
                    _("This PDF carries no embedded invoice XML: it is not a Factur-X or ZUGFeRD invoice."),
                    code=errors.PDF_NO_XML,
                )
            if len(candidates) > 1:
                names = ", ".join(sorted(candidates))
                raise InboxImportError(
                    _(
                        "This PDF carries several embedded XML files (%(names)s): which one is the invoice "
                        "is ambiguous, so it is refused."
                    )
                    % {"names": names},
                    code=errors.PDF_SEVERAL_XML,
                )
            ((name, spec),) = candidates.items()
            stream = cast(pikepdf.Stream, spec.get_file().obj)
            xml = _bounded_stream_bytes(stream, limits.max_file_bytes)
            return PdfInvoice(attachment=name, xml=xml, conformance_level=_conformance_level(pdf))
    except InboxImportError:
        raise
    except Exception as exc:  # noqa: BLE001 - qpdf raises many kinds for broken files
        raise InboxImportError(
            _("This PDF cannot be read (%(error)s).") % {"error": type(exc).__name__},
            code=errors.PDF_UNREADABLE,
        ) from exc


# --- zip -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipMember:
    """One archive member: its content, or why it was refused (then ``content`` is None)."""

    name: str
    content: bytes | None = None
    error: InboxImportError | None = None


def _unsafe_name(name: str) -> bool:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return True
    return ".." in posixpath.normpath(normalised).split("/") or "\x00" in name


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InboxImportError(
            _("%(name)s unzips to more than %(limit)s bytes.") % {"name": info.filename, "limit": limit},
            code=errors.ZIP_TOO_LARGE,
        )
    return data


def _check_archive(infos: list[zipfile.ZipInfo], limits: InboxLimits) -> None:
    """Archive-wide bounds, from the central directory, before inflating anything."""
    if not infos:
        raise InboxImportError(_("The zip archive holds no file."), code=errors.ZIP_EMPTY)
    if len(infos) > limits.max_zip_members:
        raise InboxImportError(
            _("The zip archive holds %(count)s files, over the limit of %(limit)s.")
            % {"count": len(infos), "limit": limits.max_zip_members},
            code=errors.ZIP_TOO_MANY_MEMBERS,
        )
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_zip_total_bytes:
        raise InboxImportError(
            _("The zip archive unzips to %(size)s bytes, over the %(limit)s bytes limit.")
            % {"size": declared, "limit": limits.max_zip_total_bytes},
            code=errors.ZIP_TOO_LARGE,
        )
    for info in infos:
        if info.file_size > limits.max_zip_ratio * max(info.compress_size, 1) and info.file_size > 1024:
            raise InboxImportError(
                _("%(name)s expands %(ratio)s times: the archive looks like a zip bomb and is refused.")
                % {"name": info.filename, "ratio": info.file_size // max(info.compress_size, 1)},
                code=errors.ZIP_BOMB,
            )


def _declared_entry_count(content: bytes) -> int | None:
    """Entry count of the end-of-central-directory record, read before ``zipfile`` builds one
    object per entry (a 20 MB central directory could otherwise describe ~400,000 entries)."""
    end = content.rfind(b"PK\x05\x06", max(0, len(content) - 65_557))
    if end < 0 or end + 12 > len(content):
        return None
    return int.from_bytes(content[end + 10 : end + 12], "little")  # 0xFFFF: ZIP64, i.e. very many


def zip_members(content: bytes, limits: InboxLimits) -> list[ZipMember]:
    """Every file of the archive, each either with its bytes or with the reason it is refused.

    Raises for the archive as a whole (unreadable, too many members, too large, bomb): then
    nothing is imported. Per-member problems (unsafe name, nested archive, oversize) only
    refuse that member.
    """
    declared = _declared_entry_count(content)
    if declared is not None and declared > limits.max_zip_members:
        raise InboxImportError(
            _("The zip archive declares %(count)s entries, over the limit of %(limit)s.")
            % {"count": declared, "limit": limits.max_zip_members},
            code=errors.ZIP_TOO_MANY_MEMBERS,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError) as exc:
        raise InboxImportError(
            _("The zip archive cannot be read: %(error)s") % {"error": exc}, code=errors.ZIP_UNREADABLE
        ) from exc
    _check_archive(infos, limits)
    members: list[ZipMember] = []
    inflated = 0
    with archive:
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                error = InboxImportError(
                    _("Unsafe file name in the archive: %(name)s.") % {"name": repr(name)},
                    code=errors.ZIP_UNSAFE_NAME,
                )
                members.append(ZipMember(name=name, error=error))
                continue
            try:
                data = _read_member(
                    archive, info, min(limits.max_file_bytes, limits.max_zip_total_bytes - inflated)
                )
            except InboxImportError as exc:
                members.append(ZipMember(name=name, error=exc))
                continue
            except (
                zipfile.BadZipFile,
                ValueError,
                EOFError,
                NotImplementedError,
                RuntimeError,
                zlib.error,
            ) as exc:
                error = InboxImportError(
                    _("%(name)s cannot be unzipped: %(error)s") % {"name": name, "error": exc},
                    code=errors.ZIP_UNREADABLE,
                )
                members.append(ZipMember(name=name, error=error))
                continue
            inflated += len(data)
            if sniff(data) == "zip" or name.lower().endswith(".zip"):
                error = InboxImportError(
                    _("%(name)s is an archive inside the archive: refused.") % {"name": name},
                    code=errors.ZIP_NESTED,
                )
                members.append(ZipMember(name=name, error=error))
                continue
            members.append(ZipMember(name=name, content=data))
    return members
