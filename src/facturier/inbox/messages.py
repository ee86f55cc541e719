"""The inbox's own findings, translated when they are shown rather than when they are stored.

A received invoice is read once, in whatever language the importer used (or none, from the command
line or a job), and then read by people in French and English. So each finding the inbox writes
keeps its English text (API, logs) plus the message id and parameters; :func:`finding_text` renders
it in the reader's language. Ids not listed here (the official rules' own messages) are shown as stored.
"""

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _noop

MINIMUM_NOT_INVOICE = _noop(
    "Factur-X MINIMUM is not an invoice: ask the supplier for an EN 16931 or EXTENDED invoice."
)
BASIC_WL_TOLERATED = _noop(
    "Factur-X BASIC WL carries no invoice lines; it is only tolerated during the first year."
)
UNKNOWN_SPECIFICATION = _noop("Unknown specification identifier (BT-24) %(value)s.")
PDF_NO_LEVEL = _noop(
    "The PDF does not declare its Factur-X conformance level (fx:ConformanceLevel) in its XMP."
)
PDF_WRONG_PROFILE = _noop("The PDF declares the profile %(declared)s but its XML follows %(profile)s.")
OTHER_BUYER = _noop("The buyer (%(name)s, %(ids)s) is not this company.")
VALIDATION_NOT_RUN = _noop("Validation could not run: %(reason)s")
RULES_NOT_INSTALLED = _noop(
    "Validation could not run: the official rules it needs are not installed. "
    "An administrator installs them with: %(command)s"
)

KNOWN = frozenset(
    {
        MINIMUM_NOT_INVOICE,
        BASIC_WL_TOLERATED,
        UNKNOWN_SPECIFICATION,
        PDF_NO_LEVEL,
        PDF_WRONG_PROFILE,
        OTHER_BUYER,
        VALIDATION_NOT_RUN,
        RULES_NOT_INSTALLED,
    }
)


def message_fields(message_id: str, **params: Any) -> dict[str, Any]:
    """``message`` (English, as stored and served by the API), ``message_id`` and ``params``."""
    values = {key: str(value) for key, value in params.items()}
    return {"message": message_id % values, "message_id": message_id, "params": values}


def finding_text(finding: dict[str, Any]) -> str:
    """The finding's message in the active language (as stored when it is not one of ours)."""
    message_id = finding.get("message_id")
    params = finding.get("params")
    if message_id in KNOWN and isinstance(params, dict):
        try:
            return gettext(message_id) % params
        except (KeyError, TypeError, ValueError):
            pass
    return str(finding.get("message", ""))
