"""One Typst compiler per process, reused for every document.

Creating a compiler loads and indexes fonts (tens of milliseconds); reusing it lets Typst
keep its parsed templates, fonts and layout caches between documents, which is what keeps a
one-page invoice in the low milliseconds. Typst must not be used before a `fork()` (the child
hangs), so a compiler is tied to the process id that created it, and worker pools should use
the "spawn" start method. Threads share the compiler under a lock: a threaded server may start a
thread per request, and a compiler per thread would reload the fonts every time.

User data never becomes Typst source: the template reads one JSON file, so markup characters in a
description (`#`, `]`, `\\`, `$`...) print as themselves. The files of one rendering (the JSON, the
attachments, the QR code) are written under `_render/` in the compiler's root while the lock is held,
and the template is compiled from its file: passing them as `sys.inputs` instead rebuilt and rehashed
Typst's whole standard library on every document, which made every memoized result of the previous
documents useless, and passing the template's source re-parsed it every time. With the inputs
unchanged and the template read from an unchanged file, Typst reuses its parsed template, loaded fonts
and layout caches from one document to the next; the PDF is byte for byte the same.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typst

TEMPLATES = Path(__file__).resolve().parent / "templates"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
"""DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew, Arabic and many symbols; Typst's own
fonts (Libertinus, New Computer Modern) are the fallback when it is not installed."""

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
_UNDISPLAYABLE = re.compile(r"the text `\"(.+?)\"` could not be displayed", re.DOTALL)
_MAX_RETRIES = 8
RENDER_DIR = "_render"
"""Folder (under the compiler's root) of the files of the document being rendered."""
_PAGE_COUNT = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")
PDF_TAGS = False
"""Tagged PDF (structure tree for screen readers) doubles the compile time (measured: 12 ms vs
6 ms for a one-page invoice); PDF/A-3B does not require it and the XML carries the data."""


@dataclass(frozen=True)
class Attachment:
    """A file Typst embeds as a PDF/A-3 associated file (passed as text: our XML is UTF-8)."""

    name: str
    content: str
    mime_type: str = "text/xml"
    relationship: str = "data"
    description: str = "Factur-X invoice"


class _Workspace:
    """A private folder that is the compiler's root: the templates and cached logos live there."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="facturier-typst-"))
        for template in TEMPLATES.glob("*.typ"):
            shutil.copy(template, self.root / template.name)
        atexit.register(shutil.rmtree, self.root, True)
        fonts = [str(path) for path in FONT_DIRS if path.is_dir()]
        (self.root / RENDER_DIR).mkdir()
        self.compiler = typst.Compiler(root=str(self.root), font_paths=fonts, ignore_system_fonts=True)
        self.sources = {path.name: path.read_bytes() for path in self.root.glob("*.typ")}
        self._on_disk = dict(self.sources)
        self.pid = os.getpid()

    def template(self, name: str) -> Path:
        """The template's file, rewritten first if its source in `sources` changed (call under the lock)."""
        source = self.sources[name]
        path = self.root / name
        if self._on_disk.get(name) is not source:
            path.write_bytes(source)
            self._on_disk[name] = source
        return path

    def write(self, name: str, content: str | bytes) -> None:
        """A file of the document being rendered, read by the template as `/_render/<name>`."""
        path = self.root / RENDER_DIR / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)

    def image(self, data: bytes, extension: str) -> str:
        """Write an image once under a name derived from its content; return the name for Typst."""
        name = f"img-{hashlib.sha256(data).hexdigest()[:24]}.{extension}"
        path = self.root / name
        if not path.exists():
            path.write_bytes(data)
        return name


_lock = threading.RLock()
_current: _Workspace | None = None


def workspace() -> _Workspace:
    """This process's workspace and compiler, created on first use (and again after a fork)."""
    global _current
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = _Workspace()
        return _current


_RUST_ESCAPE = re.compile(r"\\u\{([0-9a-fA-F]{1,6})\}|\\(.)", re.DOTALL)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0"}


def _unescape(text: str) -> str:
    """Undo Rust's `{:?}` escaping of the offending text in Typst's message."""

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return chr(int(match.group(1), 16))
        return _SIMPLE_ESCAPES.get(match.group(2), match.group(2))

    return _RUST_ESCAPE.sub(replace, text)


def _scrub(value: Any, bad: str) -> Any:
    if not bad:
        return value
    if isinstance(value, str):
        replacement = "?" if REPLACEMENT in bad else REPLACEMENT
        return "".join(replacement if char in bad else char for char in value)
    if isinstance(value, dict):
        return {key: _scrub(item, bad) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, bad) for item in value]
    return value


def compile_pdf(
    template: str,
    data: dict[str, Any],
    *,
    attachments: tuple[Attachment, ...] = (),
    extra_files: dict[str, str | bytes] | None = None,
    timestamp: dt.datetime | None = None,
    one_page: bool = False,
) -> bytes:
    """Compile `template` with `data` (JSON) into a PDF/A-3B with the given attachments.

    The template reads `/_render/data.json`, `/_render/attachments.json` (name, MIME type,
    relationship and description of each attachment), `/_render/attachment-<index>` (its content)
    and each of `extra_files` as `/_render/<name>` (e.g. the QR code's SVG).

    PDF/A forbids drawing a glyph that no font has; characters no installed font covers (some
    emoji, rare scripts) are replaced by U+FFFD in the data and the document is compiled again,
    so a hostile description can never stop an invoice from rendering.

    ``one_page``: the document most likely fits on one page. It is compiled first with ``"pages": 1``
    in its data, which lets the template print "1 / 1" without asking Typst for the final page count
    (that question costs a second layout pass); if the PDF has another number of pages, it is compiled
    again without the hint, so the count printed is always the real one.
    """
    moment = (timestamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    options = {"pdf_standards": "a-3b", "timestamp": moment, "format": "pdf", "pdf_tags": PDF_TAGS}
    if one_page:
        pdf = _run(template, {**data, "pages": 1}, attachments, extra_files, **options)
        assert isinstance(pdf, bytes)
        if page_count(pdf) == 1:
            return pdf
    pdf = _run(template, data, attachments, extra_files, **options)
    assert isinstance(pdf, bytes)
    return pdf


def page_count(pdf: bytes) -> int | None:
    """The number of pages of a PDF Typst wrote (the /Count of its page tree's root, the largest of its
    page tree nodes), or None if not found."""
    counts = [int(count) for count in _PAGE_COUNT.findall(pdf)]
    return max(counts) if counts else None


def compile_png(
    template: str,
    data: dict[str, Any],
    *,
    extra_files: dict[str, str | bytes] | None = None,
    ppi: float = 144,
) -> list[bytes]:
    """The pages of `template` with `data` as PNG images (for tests that look at the printed page)."""
    pages = _run(template, data, (), extra_files, format="png", ppi=ppi)
    return [pages] if isinstance(pages, bytes) else list(pages)


def _run(
    template: str,
    data: dict[str, Any],
    attachments: tuple[Attachment, ...],
    extra_files: dict[str, str | bytes] | None,
    **options: Any,
) -> Any:
    files = json.dumps(
        [
            {
                "name": a.name,
                "mime": a.mime_type,
                "relationship": a.relationship,
                "description": a.description,
            }
            for a in attachments
        ]
    )
    bad = ""
    for _attempt in range(_MAX_RETRIES):
        text = json.dumps(_scrub(data, bad), ensure_ascii=False)
        try:
            with _lock:
                space = workspace()
                path = space.template(template)
                space.write("data.json", text)
                space.write("attachments.json", files)
                for index, attachment in enumerate(attachments):
                    space.write(f"attachment-{index}", attachment.content)
                for name, content in (extra_files or {}).items():
                    space.write(name, content)
                return space.compiler.compile(input=path, **options)
        except typst.TypstError as error:
            missing = _UNDISPLAYABLE.search(str(error.message))
            if missing is None:
                raise
            shown = _unescape(missing.group(1))
            bad += "".join(char for char in shown if not char.isascii()) or shown
    raise RuntimeError("the document still has characters no font can display after several attempts")
