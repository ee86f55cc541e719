"""Reading a rendered PDF back in tests: its text per page and its images."""

import io

from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    """All the text as one line: wrapping and French thin spaces become plain single spaces."""
    return " ".join(" ".join(pages_text(pdf)).replace("\u202f", " ").replace("\xa0", " ").split())


def image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages)
