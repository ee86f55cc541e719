"""The one error every parser raises for input it cannot turn into an invoice."""

from __future__ import annotations


class InvoiceParseError(ValueError):
    """The bytes are not a safe, well-formed, supported invoice (message says why).

    Raised for oversize input, DOCTYPE/entity declarations, malformed or truncated XML,
    an unknown root element, and missing or malformed mandatory business terms.
    """
