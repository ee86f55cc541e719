"""Read and write CDAR lifecycle messages (UN/CEFACT Cross Domain Acknowledgement and Response D22B,
as profiled by XP Z12-012 "CDV").

A platform tells the seller what happened to an invoice (deposited, made available, approved,
refused...) with one CDAR message holding one or more ``AcknowledgementDocument``; each references
an invoice (number, issue date, seller) and carries a status code with optional reasons. The reader
accepts untrusted bytes (it goes through :mod:`facturier.domain.formats.safe_xml`) and turns every
problem into :class:`LifecycleMessageError`; the writer produces messages that pass the official
XSD and BR-FR-CDV schematron (checked in the tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from lxml import etree

from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.safe_xml import parse_xml
from facturier.domain.formats.xml_writer import ElementWriter, to_bytes

__all__ = [
    "CDAR_NS",
    "MAX_CDAR_BYTES",
    "CdarMessage",
    "CdarParty",
    "LifecycleMessageError",
    "StatusEvent",
    "build_cdar",
    "parse_cdar",
]

CDAR_NS = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
NAMESPACES = {
    "rsm": CDAR_NS,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
GUIDELINE = "urn.cpro.gouv.fr:1p0:CDV:invoice"
MAX_CDAR_BYTES = 2 * 1024 * 1024
"""A lifecycle message is a few kilobytes; anything larger is refused before parsing."""

TRANSMISSION_PHASE = frozenset({200, 201, 202, 203, 213})
"""Statuses a platform reports (message type 305, issuer role WK); the others come from a party (23)."""


class LifecycleMessageError(ValueError):
    """The bytes are not a safe, well-formed CDAR lifecycle message (the message says why)."""


@dataclass(frozen=True)
class CdarParty:
    """A party of the message: identifier (SIREN, scheme 0002, by default), role and e-address."""

    global_id: str = ""
    scheme: str = "0002"
    role: str = ""
    name: str = ""
    electronic_address: str = ""
    electronic_address_scheme: str = "0225"


@dataclass(frozen=True)
class StatusEvent:
    """One status of one invoice, as told by the message."""

    invoice_number: str
    code: int
    invoice_issue_date: dt.date | None = None
    invoice_type_code: str = "380"
    seller_id: str = ""
    reason_code: str = ""
    reason_text: str = ""
    occurred_at: dt.datetime | None = None
    collected: tuple[tuple[Decimal, Decimal], ...] = ()
    """For 212 Encaissée: (amount collected, VAT rate) pairs, one per rate (BR-FR-CDV-14)."""


@dataclass(frozen=True)
class CdarMessage:
    message_id: str
    issued_at: dt.datetime
    sender: CdarParty
    recipients: tuple[CdarParty, ...]
    events: tuple[StatusEvent, ...]
    issuer: CdarParty | None = None
    business_process: str = "REGULATED"
    extra: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- reading


def _text(element: etree._Element | None) -> str:
    if element is None or element.text is None:
        return ""
    text: str = element.text
    return text.strip()


def _find(parent: etree._Element, path: str) -> etree._Element | None:
    return parent.find(path, NAMESPACES)


def _datetime(parent: etree._Element, path: str) -> dt.datetime | None:
    """CDAR date-times are ``DateTimeString`` (format 204 = CCYYMMDDHHMMSS, 102 = CCYYMMDD) or xs:dateTime."""
    holder = _find(parent, path)
    if holder is None:
        return None
    string = holder.find("udt:DateTimeString", NAMESPACES)
    if string is None:
        string = holder.find("qdt:DateTimeString", NAMESPACES)
    try:
        if string is not None:
            value, fmt = _text(string), string.get("format", "204")
            if fmt == "102":
                return dt.datetime.strptime(value, "%Y%m%d").replace(tzinfo=dt.UTC)
            if fmt == "204":
                return dt.datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
            raise LifecycleMessageError(f"unsupported date-time format {fmt!r} in {path}")
        iso = _find(holder, "udt:DateTime")
        if iso is not None:
            parsed = dt.datetime.fromisoformat(_text(iso))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except ValueError as exc:
        if isinstance(exc, LifecycleMessageError):
            raise
        raise LifecycleMessageError(f"invalid date-time in {path}: {exc}") from exc
    raise LifecycleMessageError(f"empty date-time in {path}")


def _party(element: etree._Element | None) -> CdarParty:
    if element is None:
        return CdarParty()
    global_id = _find(element, "ram:GlobalID")
    uri = _find(element, "ram:URIUniversalCommunication/ram:URIID")
    return CdarParty(
        global_id=_text(global_id),
        scheme=global_id.get("schemeID", "") if global_id is not None else "",
        role=_text(_find(element, "ram:RoleCode")),
        name=_text(_find(element, "ram:Name")),
        electronic_address=_text(uri),
        electronic_address_scheme=uri.get("schemeID", "") if uri is not None else "",
    )


def _code(value: str, where: str) -> int:
    if not value.isdigit() or len(value) != 3:
        raise LifecycleMessageError(f"status code {value!r} in {where} is not a 3-digit code")
    return int(value)


_MEN = "ram:SpecifiedDocumentCharacteristic[ram:TypeCode='MEN']"


def _collected(characteristic: etree._Element) -> tuple[Decimal, Decimal]:
    try:
        amount = Decimal(_text(_find(characteristic, "ram:ValueAmount")))
        rate = Decimal(_text(_find(characteristic, "ram:ValuePercent")))
    except InvalidOperation as exc:
        raise LifecycleMessageError("a collected amount (MEN) has no valid amount and VAT rate") from exc
    if not (amount.is_finite() and rate.is_finite()):
        raise LifecycleMessageError("a collected amount (MEN) is not a finite number")
    return amount, rate


def _events(ack: etree._Element, fallback_time: dt.datetime) -> list[StatusEvent]:
    occurred = _datetime(ack, "ram:IssueDateTime") or fallback_time
    events = []
    for ref in ack.findall("ram:ReferenceReferencedDocument", NAMESPACES):
        number = _text(_find(ref, "ram:IssuerAssignedID"))
        if not number:
            raise LifecycleMessageError("a referenced invoice has no number (MDT-87)")
        statuses = ref.findall("ram:SpecifiedDocumentStatus", NAMESPACES)
        code_text = _text(_find(ref, "ram:ProcessConditionCode"))
        if not code_text:
            raise LifecycleMessageError(f"invoice {number}: no status code (MDT-105)")
        reasons = [(_text(_find(s, "ram:ReasonCode")), _text(_find(s, "ram:Reason"))) for s in statuses]
        reason_code, reason_text = next(((c, t) for c, t in reasons if c or t), ("", ""))
        issue = _datetime(ref, "ram:FormattedIssueDateTime")
        collected = tuple(_collected(c) for s in statuses for c in s.findall(_MEN, NAMESPACES))
        events.append(
            StatusEvent(
                invoice_number=number,
                code=_code(code_text, f"invoice {number}"),
                invoice_issue_date=issue.date() if issue else None,
                invoice_type_code=_text(_find(ref, "ram:TypeCode")) or "380",
                seller_id=_text(_find(ref, "ram:IssuerTradeParty/ram:GlobalID")),
                reason_code=reason_code,
                reason_text=reason_text,
                occurred_at=occurred,
                collected=collected,
            )
        )
    return events


def parse_cdar(data: bytes, *, max_bytes: int = MAX_CDAR_BYTES) -> CdarMessage:
    """Read a CDAR lifecycle message from untrusted bytes."""
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except InvoiceParseError as exc:
        raise LifecycleMessageError(str(exc).replace("an invoice", "a lifecycle message")) from exc
    if root.tag != f"{{{CDAR_NS}}}CrossDomainAcknowledgementAndResponse":
        raise LifecycleMessageError(f"not a CDAR lifecycle message (root element {root.tag})")
    exchanged = _find(root, "rsm:ExchangedDocument")
    if exchanged is None:
        raise LifecycleMessageError("no ExchangedDocument: not a complete lifecycle message")
    issued_at = _datetime(exchanged, "ram:IssueDateTime")
    if issued_at is None:
        raise LifecycleMessageError("the message has no issue date-time (MDG-4)")
    events: list[StatusEvent] = []
    for ack in root.findall("rsm:AcknowledgementDocument", NAMESPACES):
        events.extend(_events(ack, issued_at))
    if not events:
        raise LifecycleMessageError("the message reports no invoice status")
    return CdarMessage(
        message_id=_text(_find(exchanged, "ram:ID")),
        issued_at=issued_at,
        sender=_party(_find(exchanged, "ram:SenderTradeParty")),
        issuer=_party(_find(exchanged, "ram:IssuerTradeParty")),
        recipients=tuple(_party(r) for r in exchanged.findall("ram:RecipientTradeParty", NAMESPACES)),
        events=tuple(events),
        business_process=_text(
            _find(
                root,
                "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
            )
        ),
    )


# ---------------------------------------------------------------- writing


def _write_party(w: ElementWriter, parent: etree._Element, tag: str, party: CdarParty) -> None:
    element = w.child(parent, tag)
    if party.global_id:
        w.child(element, "ram:GlobalID", party.global_id, {"schemeID": party.scheme})
    w.optional(element, "ram:Name", party.name or None)
    w.optional(element, "ram:RoleCode", party.role or None)
    if party.electronic_address:
        uri = w.child(element, "ram:URIUniversalCommunication")
        w.child(uri, "ram:URIID", party.electronic_address, {"schemeID": party.electronic_address_scheme})


def _write_datetime(w: ElementWriter, parent: etree._Element, tag: str, value: dt.datetime) -> None:
    holder = w.child(parent, tag)
    w.child(
        holder, "udt:DateTimeString", value.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S"), {"format": "204"}
    )


def build_cdar(message: CdarMessage) -> bytes:
    """Serialize ``message``: one AcknowledgementDocument per status event.

    Statuses of the transmission phase (200-203) are typed 305 and must come from a platform
    (sender role ``WK``); the others are typed 23 (processing phase, e.g. the buyer ``BY``).
    """
    if not message.events:
        raise ValueError("a lifecycle message reports at least one status")
    w = ElementWriter(NAMESPACES)
    root = w.root("rsm:CrossDomainAcknowledgementAndResponse")
    context = w.child(root, "rsm:ExchangedDocumentContext")
    w.child(w.child(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID",
            message.business_process)  # fmt: skip
    w.child(w.child(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE)
    exchanged = w.child(root, "rsm:ExchangedDocument")
    w.child(exchanged, "ram:ID", message.message_id)
    _write_datetime(w, exchanged, "ram:IssueDateTime", message.issued_at)
    _write_party(w, exchanged, "ram:SenderTradeParty", message.sender)
    if message.issuer is not None:
        _write_party(w, exchanged, "ram:IssuerTradeParty", message.issuer)
    for recipient in message.recipients:
        _write_party(w, exchanged, "ram:RecipientTradeParty", recipient)
    for event in message.events:
        ack = w.child(root, "rsm:AcknowledgementDocument")
        w.child(ack, "ram:TypeCode", "305" if event.code in TRANSMISSION_PHASE else "23")
        _write_datetime(w, ack, "ram:IssueDateTime", event.occurred_at or message.issued_at)
        ref = w.child(ack, "ram:ReferenceReferencedDocument")
        w.child(ref, "ram:IssuerAssignedID", event.invoice_number)
        w.child(ref, "ram:TypeCode", event.invoice_type_code)
        if event.invoice_issue_date is not None:
            formatted = w.child(ref, "ram:FormattedIssueDateTime")
            w.child(
                formatted,
                "qdt:DateTimeString",
                event.invoice_issue_date.strftime("%Y%m%d"),
                {"format": "102"},
            )
        w.child(ref, "ram:ProcessConditionCode", str(event.code))
        if event.seller_id:
            _write_party(w, ref, "ram:IssuerTradeParty", CdarParty(global_id=event.seller_id, role="SE"))
        if event.reason_code or event.reason_text:
            status = w.child(ref, "ram:SpecifiedDocumentStatus")
            w.optional(status, "ram:ReasonCode", event.reason_code or None)
            w.optional(status, "ram:Reason", event.reason_text or None)
            w.child(status, "ram:SequenceNumeric", "1")
        if event.collected:
            status = w.child(ref, "ram:SpecifiedDocumentStatus")
            w.child(status, "ram:SequenceNumeric", "2" if event.reason_code or event.reason_text else "1")
            for amount, rate in event.collected:
                characteristic = w.child(status, "ram:SpecifiedDocumentCharacteristic")
                w.child(characteristic, "ram:TypeCode", "MEN")
                w.amount(characteristic, "ram:ValueAmount", amount)
                w.amount(characteristic, "ram:ValuePercent", rate)
    return to_bytes(root)
