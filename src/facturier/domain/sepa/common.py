"""What pain.001 and pain.008 share: parties, amounts, the XML writer and its checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from facturier.domain.sepa.charset import sepa_identifier, sepa_text

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")


class SepaError(ValueError):
    """Input a SEPA file cannot carry: names the field (`field`) and says why."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Party:
    """An account holder: name, IBAN and (optional since 2016 in SEPA) BIC; country for the address."""

    name: str
    iban: str
    bic: str = ""
    country: str = ""


def checked_iban(value: str, *, field: str) -> str:
    try:
        return str(IBAN(value).compact)
    except (SchwiftyException, ValueError) as error:
        raise SepaError(f"{field}: invalid IBAN {value!r} ({error})", field=field) from error


def checked_bic(value: str, *, field: str) -> str:
    if not value:
        return ""
    try:
        return str(BIC(value).compact)
    except (SchwiftyException, ValueError) as error:
        raise SepaError(f"{field}: invalid BIC {value!r} ({error})", field=field) from error


def checked_amount(value: Decimal, *, field: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise SepaError(f"{field}: the amount must be a Decimal", field=field)
    if value <= 0 or value > MAX_AMOUNT or value != value.quantize(CENT):
        raise SepaError(f"{field}: {value} is not a positive amount with at most 2 decimals", field=field)
    return value.quantize(CENT)


def checked_name(value: str, *, field: str, max_length: int = 70) -> str:
    text = sepa_text(value, max_length)
    if not text:
        raise SepaError(f"{field}: a name is required", field=field)
    return text


def checked_id(value: str, *, field: str, max_length: int = 35) -> str:
    text = sepa_identifier(value, max_length)
    if not text:
        raise SepaError(f"{field}: an identifier is required", field=field)
    return text


class Writer:
    """Builds one pain document in its namespace, elements in schema order."""

    def __init__(self, message: str, root: str) -> None:
        self.ns = f"urn:iso:std:iso:20022:tech:xsd:{message}"
        self.document = etree.Element(f"{{{self.ns}}}Document", nsmap={None: self.ns})
        self.root = self.sub(self.document, root)

    def sub(self, parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
        element = etree.SubElement(parent, f"{{{self.ns}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    def path(self, parent: Any, tags: str, text: str | None = None) -> Any:
        """`path(p, "Id/IBAN", x)` -> <Id><IBAN>x</IBAN></Id> under p."""
        *heads, last = tags.split("/")
        for tag in heads:
            parent = self.sub(parent, tag)
        return self.sub(parent, last, text)

    def agent(self, parent: Any, tag: str, bic: str, *, bic_tag: str) -> None:
        institution = self.path(parent, f"{tag}/FinInstnId")
        if bic:
            self.sub(institution, bic_tag, bic)
        else:
            self.path(institution, "Othr/Id", "NOTPROVIDED")

    def tostring(self) -> bytes:
        return bytes(etree.tostring(self.document, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def amount_text(value: Decimal) -> str:
    return f"{value.quantize(CENT):f}"


def remittance(writer: Writer, parent: Any, *, text: str, creditor_reference: str) -> None:
    """Structured creditor reference (RF, ISO 11649) when there is one, else up to 140 free characters."""
    if creditor_reference:
        info = writer.path(parent, "RmtInf/Strd/CdtrRefInf")
        kind = writer.sub(info, "Tp")
        writer.path(kind, "CdOrPrtry/Cd", "SCOR")
        if creditor_reference.upper().startswith("RF"):
            writer.sub(kind, "Issr", "ISO")
        writer.sub(info, "Ref", sepa_identifier(creditor_reference, 35))
    elif sepa_text(text, 140):
        writer.path(parent, "RmtInf/Ustrd", sepa_text(text, 140))
