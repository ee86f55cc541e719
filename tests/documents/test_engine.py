"""The Typst engine: one compiler per process, user data as JSON, glyphs no font has replaced."""

import os

import pikepdf
import pytest
import typst

from facturier.documents import engine
from facturier.documents.mentions import exemption_mention


def test_typst_s_escaped_text_in_error_messages_is_read_back_to_the_characters():
    assert engine._unescape(r"\u{200f}x\"y\\") == '\u200fx"y\\'
    assert engine._unescape("🧾") == "🧾"


def test_undisplayable_characters_are_replaced_everywhere_in_the_data():
    data = {"a": ["ok 🧾", {"b": "🧾🧾"}], "n": 3}
    assert engine._scrub(data, "🧾") == {"a": ["ok \ufffd", {"b": "\ufffd\ufffd"}], "n": 3}
    # if the replacement character itself cannot be drawn, a question mark is used
    assert engine._scrub("x🧾", "🧾\ufffd") == "x?"


def test_the_compiler_is_created_once_per_process_and_thread_and_renewed_after_a_fork(monkeypatch):
    first = engine.workspace()
    assert engine.workspace() is first
    assert (first.root / "document.typ").is_file()
    # a forked child (another pid) must not reuse the parent's Typst state
    monkeypatch.setattr(os, "getpid", lambda: first.pid + 1)
    assert engine.workspace() is not first


def test_images_are_written_once_under_a_content_derived_name():
    space = engine.workspace()
    name = space.image(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg")
    assert name == space.image(b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg")
    assert (space.root / name).read_bytes().startswith(b"<svg")


def test_a_template_error_is_raised_not_hidden():
    space = engine.workspace()
    space.sources["broken.typ"] = b'#let x = json("/_render/data.json").missing'
    try:
        with pytest.raises(typst.TypstError):
            engine.compile_pdf("broken.typ", {"present": 1})
    finally:
        del space.sources["broken.typ"]


def test_attachments_are_embedded_with_their_relationship_and_mime_type(tmp_path):
    space = engine.workspace()
    space.sources["attach.typ"] = (
        b'#let files = json("/_render/attachments.json")\n'
        b'#for (i, f) in files.enumerate() { pdf.attach(f.name, read("/_render/attachment-" + str(i), encoding: none),'
        b" relationship: f.relationship, mime-type: f.mime, description: f.description) }\n"
        b'#set text(font: "DejaVu Sans")\nHello'
    )
    try:
        pdf = engine.compile_pdf(
            "attach.typ", {}, attachments=(engine.Attachment("factur-x.xml", "<a>é</a>"),)
        )
    finally:
        del space.sources["attach.typ"]
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf)
    with pikepdf.open(path) as document:
        spec = document.attachments["factur-x.xml"]
        assert spec.get_file().read_bytes() == "<a>é</a>".encode()
        assert spec.obj.AFRelationship == "/Data"


@pytest.mark.parametrize(
    ("category", "regime", "language", "expected"),
    [
        ("AE", "intra_eu_reverse_charge", "fr", "Autoliquidation"),
        ("AE", "intra_eu_reverse_charge", "en", "(Autoliquidation)"),
        ("K", "intra_eu_reverse_charge", "fr", "article 262 ter I"),
        ("G", "export", "fr", "article 262 I"),
        ("O", "export", "en", "article 259-1"),
        ("E", "exempt", "fr", "293 B"),
        ("S", "domestic", "fr", ""),
    ],
)
def test_each_vat_category_without_french_vat_prints_its_legal_reason(category, regime, language, expected):
    mention = exemption_mention(category, regime, "", language)
    assert expected in mention
    assert bool(mention) == bool(expected)


def test_an_exempt_customer_s_own_reason_is_printed():
    assert exemption_mention("E", "exempt", "Exonération, article 261-4-1° du CGI", "fr") == (
        "Exonération, article 261-4-1° du CGI"
    )


def test_threads_share_one_compiler_and_render_concurrently():
    from concurrent.futures import ThreadPoolExecutor

    space = engine.workspace()
    space.sources["hello.typ"] = (
        b'#set text(font: "DejaVu Sans")\n#let data = json("/_render/data.json")\n#data.text'
    )
    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(
                pool.map(
                    lambda n: (engine.workspace(), engine.compile_pdf("hello.typ", {"text": f"n{n}"})),
                    range(8),
                )
            )
    finally:
        del space.sources["hello.typ"]
    assert {id(ws) for ws, _pdf in results} == {id(space)}
    assert all(pdf.startswith(b"%PDF-") for _ws, pdf in results)
