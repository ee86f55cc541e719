"""Read a bank statement file in any supported format: the one entry point `banking` calls.

The format is recognised from the content (never trusted from the file name alone).
"""

from __future__ import annotations

from collections.abc import Callable

from facturier.domain.banking._text import check_size
from facturier.domain.banking.camt import is_camt, parse_camt
from facturier.domain.banking.cfonb import is_cfonb120, parse_cfonb120
from facturier.domain.banking.mt940 import is_mt940, parse_mt940
from facturier.domain.banking.ofx import is_ofx, parse_ofx
from facturier.domain.banking.statement import ParsedStatement, StatementError

_HEAD_BYTES = 4096


def detect_format(data: bytes) -> str:
    """ "camt", "ofx", "mt940" or "cfonb120" from the first bytes of `data`, or "" when none fits."""
    head = bytes(data[:_HEAD_BYTES])
    stripped = head.lstrip(b"\xef\xbb\xbf\xff\xfe\r\n\t \x00")
    if is_ofx(head):
        return "ofx"
    if stripped.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "camt" if is_camt(head) else ""
    if is_mt940(head):
        return "mt940"
    if is_cfonb120(stripped):
        return "cfonb120"
    return ""


_PARSERS: dict[str, Callable[[bytes], list[ParsedStatement]]] = {
    "camt": parse_camt,
    "ofx": parse_ofx,
    "mt940": parse_mt940,
    "cfonb120": parse_cfonb120,
}


def parse_statement(data: bytes, *, filename: str = "") -> list[ParsedStatement]:
    """Every statement in `data` (camt.053/054, MT940, OFX 1/2, CFONB 120), or StatementError."""
    check_size(data)
    fmt = detect_format(data)
    if not fmt:
        raise StatementError(
            f"{filename or 'This file'} is not a bank statement format Facturier reads "
            "(camt.053/054, MT940, OFX, CFONB 120).",
            code="unknown_format",
        )
    try:
        return _PARSERS[fmt](bytes(data))
    except StatementError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, ArithmeticError, RecursionError) as exc:
        # A parser bug must not turn a bad file into a crash: report the file as unreadable.
        raise StatementError(
            f"{filename or 'This file'} could not be read as {fmt}: {exc}", code="malformed"
        ) from exc
