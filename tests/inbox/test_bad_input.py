"""Hostile or broken files are refused with a clear error, and leave nothing behind."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.utils import translation

from facturier.inbox import errors
from facturier.inbox.errors import InboxImportError
from facturier.inbox.models import ReceivedInvoice
from facturier.inbox.services import einvoice_import
from facturier.parties.models import Supplier
from tests.inbox.builders import cii_bytes, pdf_with_attachments, ubl_bytes, zip_bytes

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol3;</rsm:CrossIndustryInvoice>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>&xxe;</ID></Invoice>"""


def _refused(entity, owner, content: bytes, filename: str = "in.xml") -> InboxImportError:
    """The refusal, in English (the French messages are checked in test_translations.py)."""
    with translation.override("en"), pytest.raises(InboxImportError) as caught:
        einvoice_import(entity=entity, by=owner, filename=filename, content=content)
    return caught.value


def _nothing_written(inbox_dirs) -> bool:
    stored = [p for p in inbox_dirs.rglob("*") if p.is_file()] if inbox_dirs.exists() else []
    return not ReceivedInvoice.objects.exists() and not Supplier.objects.exists() and not stored


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (BILLION_LAUGHS, "DOCTYPE"),
        (XXE, "DOCTYPE"),
        (cii_bytes()[:-200], "not well-formed"),
        (cii_bytes().replace(b"Fournitures", "Fournitures é".encode("latin-1")), "not well-formed"),
        (b"%PDF-1.7\n garbage", "PDF"),
        (b"\x00\x01\x02 binary junk", "readable"),
        (b"<html><body>not an invoice</body></html>", "neither CII nor UBL"),
    ],
    ids=["billion-laughs", "xxe", "truncated", "not-utf8", "broken-pdf", "binary", "html"],
)
def test_hostile_or_broken_files_are_refused_cleanly(entity, owner, inbox_dirs, content, fragment):
    # when the file is imported, then it is refused with a message saying why
    error = _refused(entity, owner, content)
    assert fragment in error.message
    # and nothing was stored
    assert _nothing_written(inbox_dirs)


def test_a_file_over_the_size_limit_is_refused_before_reading(entity, owner, settings, inbox_dirs):
    # given a 1 KB limit
    settings.FACTURIER_INBOX_MAX_FILE_BYTES = 1024
    # when a larger invoice arrives, then it is refused as too large
    error = _refused(entity, owner, cii_bytes())
    assert error.code == errors.FILE_TOO_LARGE
    assert "1024" in error.message
    assert _nothing_written(inbox_dirs)


def test_an_empty_file_is_refused(entity, owner):
    assert _refused(entity, owner, b"  \n").code == errors.EMPTY_FILE


def test_a_pdf_without_xml_is_refused(entity, owner, inbox_dirs):
    # given a PDF carrying only a picture
    pdf = pdf_with_attachments({"photo.png": b"\x89PNG"})
    # then it is not a Factur-X invoice
    error = _refused(entity, owner, pdf, "scan.pdf")
    assert error.code == errors.PDF_NO_XML
    assert _nothing_written(inbox_dirs)


@pytest.mark.parametrize(
    "names", [("factur-x.xml", "zugferd-invoice.xml"), ("a.xml", "b.xml")], ids=["two-standard", "two-other"]
)
def test_a_pdf_with_two_xml_attachments_is_refused_as_ambiguous(entity, owner, inbox_dirs, names):
    # given a PDF embedding two XML files
    pdf = pdf_with_attachments({names[0]: cii_bytes(), names[1]: ubl_bytes()})
    # then which one is the invoice is ambiguous: refused, naming both
    error = _refused(entity, owner, pdf, "two.pdf")
    assert error.code == errors.PDF_SEVERAL_XML
    assert names[0] in error.message
    assert names[1] in error.message
    assert _nothing_written(inbox_dirs)


def test_a_pdf_whose_xml_is_not_an_invoice_is_refused(entity, owner):
    pdf = pdf_with_attachments({"factur-x.xml": b"<order/>"})
    assert _refused(entity, owner, pdf, "x.pdf").code == errors.UNREADABLE_INVOICE


def test_a_pdf_embedding_a_compressed_bomb_is_refused_without_inflating_it(entity, owner, settings):
    # given a 64 KB limit and a PDF whose embedded XML inflates to 50 MB
    import pikepdf

    settings.FACTURIER_INBOX_MAX_FILE_BYTES = 64 * 1024
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments["factur-x.xml"] = pikepdf.AttachedFileSpec(pdf, b"<" + b" " * 50_000_000 + b"/>")
    out = io.BytesIO()
    pdf.save(out, compress_streams=True)
    assert len(out.getvalue()) < 64 * 1024
    # then it is refused as too large
    assert _refused(entity, owner, out.getvalue(), "bomb.pdf").code == errors.FILE_TOO_LARGE


def test_a_zip_imports_each_member_independently_and_lists_what_failed(entity, owner):
    # given a zip with a CII, a UBL, a broken file, a nested zip and a traversal name
    archive = zip_bytes(
        {
            "a.xml": cii_bytes(number="Z-1"),
            "b/ubl.xml": ubl_bytes(number="Z-2"),
            "broken.xml": b"<nope",
            "inner.zip": zip_bytes({"c.xml": cii_bytes(number="Z-3")}),
            "../../etc/evil.xml": cii_bytes(number="Z-4"),
        }
    )
    # when it is imported
    result = einvoice_import(entity=entity, by=owner, filename="batch.zip", content=archive)
    # then the two good members are in, each naming its archive, and each failure says why
    assert result.is_archive
    assert sorted(r.number for r in result.created) == ["Z-1", "Z-2"]
    assert {r.archive_filename for r in result.created} == {"batch.zip"}
    failures = {item.filename: item.error.code for item in result.failed if item.error}
    assert failures == {
        "broken.xml": errors.UNREADABLE_INVOICE,
        "inner.zip": errors.ZIP_NESTED,
        "../../etc/evil.xml": errors.ZIP_UNSAFE_NAME,
    }
    assert ReceivedInvoice.objects.count() == 2


def test_reimporting_a_zip_creates_nothing(entity, owner):
    # given an imported zip
    archive = zip_bytes({"a.xml": cii_bytes(number="Z-1"), "b.xml": ubl_bytes(number="Z-2")})
    einvoice_import(entity=entity, by=owner, filename="batch.zip", content=archive)
    # when it is imported again
    again = einvoice_import(entity=entity, by=owner, filename="batch.zip", content=archive)
    # then both members come back as already received
    assert [item.duplicate_file for item in again.items] == [True, True]
    assert ReceivedInvoice.objects.count() == 2


def test_a_zip_bomb_is_refused_as_a_whole(entity, owner, inbox_dirs):
    # given a zip whose one member inflates a thousand times (10 MB of zeros)
    bomb = zip_bytes({"a.xml": cii_bytes(), "zeros.xml": b"\x00" * 10_000_000})
    # then the whole archive is refused before anything is imported
    error = _refused(entity, owner, bomb, "bomb.zip")
    assert error.code == errors.ZIP_BOMB
    assert _nothing_written(inbox_dirs)


def test_a_zip_whose_headers_lie_about_sizes_cannot_inflate_past_the_limit(entity, owner, settings):
    # given a member declared tiny in the central directory but really 5 MB
    settings.FACTURIER_INBOX_MAX_FILE_BYTES = 100_000
    archive = bytearray(zip_bytes({"big.xml": b"<a>" + b"x" * 5_000_000 + b"</a>"}))
    buffer = io.BytesIO(bytes(archive))
    info = zipfile.ZipFile(buffer).infolist()[0]
    central = archive.rfind(b"PK\x01\x02")
    archive[central + 24 : central + 28] = (100).to_bytes(4, "little")  # uncompressed size
    # when it is imported, then the member is refused and nothing is imported
    result = einvoice_import(entity=entity, by=owner, filename="liar.zip", content=bytes(archive))
    assert info.file_size == 5_000_007
    assert not result.created
    assert result.failed


def test_too_many_or_too_large_zip_members_are_refused(entity, owner, settings):
    # given limits of 3 members and 50 KB unzipped
    settings.FACTURIER_INBOX_MAX_ZIP_MEMBERS = 3
    settings.FACTURIER_INBOX_MAX_ZIP_TOTAL_BYTES = 50_000
    many = zip_bytes({f"{i}.xml": cii_bytes(number=f"N-{i}") for i in range(4)})
    large = zip_bytes({f"{i}.xml": bytes(range(256)) * 80 for i in range(3)}, compression=zipfile.ZIP_STORED)
    # then each archive is refused with its own reason
    assert _refused(entity, owner, many, "many.zip").code == errors.ZIP_TOO_MANY_MEMBERS
    assert _refused(entity, owner, large, "large.zip").code == errors.ZIP_TOO_LARGE


def test_an_unreadable_or_empty_zip_is_refused(entity, owner):
    assert _refused(entity, owner, b"PK\x03\x04 truncated", "x.zip").code == errors.ZIP_UNREADABLE
    assert _refused(entity, owner, zip_bytes({}), "empty.zip").code == errors.ZIP_EMPTY


@pytest.mark.parametrize("kind", ["pdf", "zip"])
def test_truncated_pdfs_and_zips_are_refused_cleanly(entity, owner, inbox_dirs, kind):
    # given a valid Factur-X PDF or zip cut in the middle
    whole = (
        pdf_with_attachments({"factur-x.xml": cii_bytes()})
        if kind == "pdf"
        else zip_bytes({"a.xml": cii_bytes()})
    )
    cut = whole[: len(whole) // 2]
    # when it is imported, then it is refused (or, for a zip, its member is) and nothing is stored
    try:
        result = einvoice_import(entity=entity, by=owner, filename=f"cut.{kind}", content=cut)
    except InboxImportError as refused:
        assert refused.code.startswith("inbox_")  # noqa: PT017 - either answer is a clean refusal
    else:
        assert not result.created
        assert all(item.error is not None for item in result.items)
    assert _nothing_written(inbox_dirs)


def test_a_hostile_xmp_packet_is_read_in_linear_time(entity, owner):
    # given a Factur-X PDF whose XMP is 900 KB of one identifier-like run, then repeated keys
    import time

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.attachments["factur-x.xml"] = pikepdf.AttachedFileSpec(pdf, cii_bytes(), mime_type="text/xml")
    pdf.Root.Metadata = pdf.make_stream(b"a" * 900_000 + b"x:ConformanceLevel " * 5_000)
    out = io.BytesIO()
    pdf.save(out)
    # when it is imported, then it is read quickly and reported as declaring no level
    started = time.perf_counter()
    received = einvoice_import(entity=entity, by=owner, filename="x.pdf", content=out.getvalue()).records[0]
    assert time.perf_counter() - started < 5
    assert any(f["rule_id"] == "INBOX-PDF-XMP" for f in received.findings)


def test_a_zip_declaring_thousands_of_entries_is_refused_from_its_directory_record(entity, owner):
    # given an archive of 5,000 empty entries (the default limit is 200)
    archive = zip_bytes({f"{i}.xml": b"" for i in range(5_000)}, compression=zipfile.ZIP_STORED)
    # then it is refused from the entry count alone
    error = _refused(entity, owner, archive, "many.zip")
    assert error.code == errors.ZIP_TOO_MANY_MEMBERS
    assert "declares" in error.message
