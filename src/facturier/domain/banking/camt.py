"""ISO 20022 cash management: camt.053 statements, camt.054 notifications (and camt.052 reports).

Versions 001.02 to 001.08 are read (other 001.NN versions too: the parts used here did not change).
An entry (`Ntry`) gives one line; a batch entry whose transaction details (`TxDtls`) each carry their own
amount gives one line per transaction, so each customer payment of a batch can be matched on its own.
R-transactions (returns, rejects, reversals) keep their ISO reason code in `return_reason`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from facturier.domain.banking._text import MAX_LINES_PER_FILE, MAX_STATEMENT_BYTES, join_text, normalise_iban
from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.safe_xml import parse_xml

_NAMESPACE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:(camt\.05[234])\.001\.([0-9]{2})$")
_CONTAINERS = {"camt.053": ("BkToCstmrStmt", "Stmt"), "camt.054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
               "camt.052": ("BkToCstmrAcctRpt", "Rpt")}  # fmt: skip
_OPENING = ("OPBD", "PRCD", "ITBD")
_CLOSING = ("CLBD",)
_SKIPPED_STATUSES = {"PDNG", "INFO", "FUTR"}
_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")
_CLOSED = re.compile(rb"</([A-Za-z_][\w.-]*:)?(Document|OFX)\s*>\s*$")


def is_camt(head: bytes) -> bool:
    """Whether the start of a file looks like an ISO 20022 camt message."""
    return b"urn:iso:std:iso:20022:tech:xsd:camt.05" in head.replace(b"\x00", b"")


class _N:
    """One element as plain Python data: lookups on it are dict gets (lxml lookups cost microseconds each)."""

    __slots__ = ("ccy", "kids", "text")

    def __init__(self, text: str | None, ccy: str | None, kids: dict[str, list[_N]]) -> None:
        self.text, self.ccy, self.kids = text, ccy, kids


_UNUSED = frozenset(
    ["PstlAdr", "CtctDtls", "OrgId", "PrvtId", "RltdDts", "RltdPric", "RltdQties", "Purp", "Tax", "FinInstrmId",
     "CorpActn", "SfkpgAcct", "CshDpst", "CardTx", "NtryDtlsCardTx", "TechInptChanl", "RfrdDocInf", "RfrdDocAmt",
     "Invcr", "Invcee", "GrnshmtRmt", "TaxRmt", "RltdRmtInf", "AcctOwnr", "Svcr", "SplmtryData", "Intrst",
     "Avlbty", "CdtLine", "TxsSummry", "AddtlStmtInf", "RptgSrc"]
)  # fmt: skip
"""Parts of a camt entry no StatementLine field comes from: not converted (real files are full of them)."""


_LOCAL_NAMES: dict[object, str] = {}  # tag -> local name, "" for comments and unused parts (tags repeat)
_MAX_CACHED_TAGS = 4096  # a hostile file with endless distinct tags does not grow the cache


def _local_name(tag: object) -> str:
    local = _LOCAL_NAMES.get(tag)
    if local is None:
        local = tag.rpartition("}")[2] if isinstance(tag, str) else ""
        local = "" if local in _UNUSED else local
        if len(_LOCAL_NAMES) < _MAX_CACHED_TAGS:
            _LOCAL_NAMES[tag] = local
    return local


def _convert(el: etree._Element, skip: str = "") -> _N:
    kids: dict[str, list[_N]] = {}
    names = _LOCAL_NAMES
    for child in el:
        tag = child.tag
        local = names.get(tag)
        if local is None:
            local = _local_name(tag)
        if local and tag != skip:
            found = kids.get(local)
            if found is None:
                kids[local] = [_convert(child)]
            else:
                found.append(_convert(child))
    return _N(el.text, el.get("Ccy"), kids)


@lru_cache(maxsize=1024)
def _steps(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


class _Reader:
    """Lookups by paths of local names (the namespace was checked once, on the root)."""

    def find(self, el: _N | None, path: str) -> _N | None:
        for step in _steps(path):
            if el is None:
                return None
            found = el.kids.get(step)
            el = found[0] if found else None
        return el

    def findall(self, el: _N | None, path: str) -> list[_N]:
        *parents, last = _steps(path)
        for step in parents:
            if el is None:
                return []
            found = el.kids.get(step)
            el = found[0] if found else None
        return list(el.kids.get(last, ())) if el is not None else []

    def text(self, el: _N | None, *paths: str) -> str:
        """The text of the first of `paths` present under `el`, whitespace collapsed, or ""."""
        for path in paths:
            found = self.find(el, path)
            if found is not None:
                value = found.text
                if value and not value.isspace():
                    return " ".join(value.split())
        return ""

    def texts(self, el: _N | None, path: str) -> list[str]:
        return [" ".join(t.text.split()) for t in self.findall(el, path) if t.text and t.text.strip()]

    def date(self, el: _N | None, *paths: str) -> dt.date | None:
        for path in paths:
            value = self.text(el, path)
            if value:
                return _iso_date(value)
        return None

    def amount(self, el: _N | None, path: str = "Amt") -> tuple[Decimal, str] | None:
        found = self.find(el, path)
        if found is None or not (found.text or "").strip():
            return None
        return _decimal(found.text or ""), (found.ccy or "").strip().upper()


def _iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise StatementError(f"Invalid date in camt message: {value[:40]!r}.", code="malformed") from exc


def _decimal(text: str) -> Decimal:
    value = text.strip()
    if not re.fullmatch(r"-?[0-9]{1,18}(\.[0-9]{1,6})?", value):
        raise StatementError(f"Invalid amount in camt message: {value[:40]!r}.", code="malformed")
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise StatementError(f"Invalid amount in camt message: {value[:40]!r}.", code="malformed") from exc


def _sign(indicator: str, *, what: str) -> int:
    if indicator == "CRDT":
        return 1
    if indicator == "DBIT":
        return -1
    raise StatementError(
        f"{what} has no valid credit/debit indicator ({indicator[:10]!r}).", code="malformed"
    )


def _refuse_unsafe(data: bytes) -> None:
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(
            f"The file is {len(data)} bytes, over the {MAX_STATEMENT_BYTES} bytes a statement may have.",
            code="too_large",
        )
    head = bytes(data).replace(b"\x00", b"")  # also catches UTF-16 encoded declarations
    if any(marker in head for marker in _FORBIDDEN_MARKUP):
        raise StatementError(
            "DOCTYPE and ENTITY declarations are not allowed in a bank statement.", code="forbidden_xml"
        )


def _xml_error(message: str, data: bytes) -> StatementError:
    if "encoding" in message.lower() or "unreadable" in message:
        code = "encoding"
    elif not _CLOSED.search(bytes(data[-256:]).replace(b"\x00", b"")):
        code = "truncated"  # the document does not end with its root's end tag
    else:
        code = "malformed"
    return StatementError(f"The XML statement cannot be read: {message}", code=code)


def load_xml(data: bytes) -> etree._Element:
    """Parse untrusted statement XML through the project's hardened parser, mapping its errors."""
    _refuse_unsafe(data)
    try:
        return parse_xml(bytes(data), max_bytes=MAX_STATEMENT_BYTES)
    except InvoiceParseError as exc:
        raise _xml_error(str(exc), data) from exc


def _stream(data: bytes) -> etree.iterparse:
    """The hardening of `domain/formats/safe_xml.py` (no DTD, no entity, no network, libxml2's default depth
    and text limits; DOCTYPE/ENTITY refused beforehand by `_refuse_unsafe`), in streaming form: entries are
    read and dropped one at a time, so memory follows the lines kept, not libxml2's tree of the whole file."""
    return etree.iterparse(
        io.BytesIO(bytes(data)),
        events=("end",),
        tag=["{*}Ntry", "{*}Stmt", "{*}Ntfctn", "{*}Rpt"],
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=True,
        remove_comments=True,
        remove_pis=True,
    )


class _Message:
    """What the root element says: the message, its version, where its statements are."""

    def __init__(self, root: etree._Element) -> None:
        qname = etree.QName(root)
        match = _NAMESPACE.match(qname.namespace or "")
        if match is None or qname.localname != "Document":
            raise StatementError(
                "This XML file is not an ISO 20022 camt.052/053/054 message.", code="unknown_format"
            )
        message, version = match.group(1), match.group(2)
        self.root = root
        self.format = f"{message}.001.{version}"
        self.wrapper, self.child = _CONTAINERS[message]
        self.container_tag = f"{{{qname.namespace}}}{self.child}"
        self.entry_tag = f"{{{qname.namespace}}}Ntry"

    def is_statement(self, el: etree._Element | None) -> bool:
        """Whether `el` is a statement of the message body (001.01 suffixes the body: BkToCstmrAcctRptV01)."""
        if el is None or el.tag != self.container_tag:
            return False
        body = el.getparent()
        return (
            body is not None
            and body.getparent() is self.root
            and str(body.tag).rpartition("}")[2].startswith(self.wrapper)
        )


def parse_camt(data: bytes) -> list[ParsedStatement]:
    _refuse_unsafe(data)
    r = _Reader()
    message: _Message | None = None
    current: _Open | None = None
    statements: list[ParsedStatement] = []
    count = 0
    events = _stream(data)
    try:
        for _, el in events:
            if message is None:
                message = _Message(el.getroottree().getroot())
            parent = el.getparent()
            if el.tag == message.entry_tag and message.is_statement(parent):
                if current is None or current.element is not parent:
                    current = _Open(r, parent, message)
                current.add(_convert(el))
                count += 1
                if count > MAX_LINES_PER_FILE:
                    raise StatementError(
                        f"The file holds over {MAX_LINES_PER_FILE} movements.", code="too_large"
                    )
                el.clear()
                parent.remove(el)
            elif message.is_statement(el):
                if current is None or current.element is not el:
                    current = _Open(r, el, message)
                statements.append(current.finish())
                current = None
                el.clear()
                if parent is not None:
                    parent.remove(el)
    except etree.XMLSyntaxError as exc:
        raise _xml_error(str(exc), data) from exc
    except (ValueError, LookupError) as exc:  # bad encoding declaration, unknown codec
        if isinstance(exc, StatementError):
            raise
        raise StatementError(f"The XML statement cannot be read: {exc}", code="encoding") from exc
    if message is None:
        message = _Message(events.root)
    if not statements:
        raise StatementError(
            f"The {message.format} message holds no {message.child} (statement).", code="no_statement"
        )
    return statements


class _Open:
    """A statement being read: its header as plain data, then its entries one at a time."""

    def __init__(self, r: _Reader, element: etree._Element, message: _Message) -> None:
        self.r, self.element, self.format = r, element, message.format
        # At the first entry's end the header (Id, Acct, Bal...: before the entries in every version) is complete.
        stmt = _convert(element, skip=message.entry_tag)
        acct = r.find(stmt, "Acct")
        self.iban = normalise_iban(r.text(acct, "Id/IBAN"))
        self.other = r.text(acct, "Id/Othr/Id", "Id/PrtryAcct/Id")
        self.currency = r.text(acct, "Ccy").upper()
        self.opening: Decimal | None = None
        self.closing: Decimal | None = None
        for bal in r.findall(stmt, "Bal"):
            code = r.text(bal, "Tp/CdOrPrtry/Cd")
            amount = r.amount(bal)
            if amount is None:
                continue
            value = amount[0] * _sign(r.text(bal, "CdtDbtInd"), what="A balance")
            if code in _OPENING and self.opening is None:
                self.opening = value
            elif code in _CLOSING and self.closing is None:
                self.closing = value
            self.currency = self.currency or amount[1]
        self.created = r.date(stmt, "CreDtTm")
        self.period_start = r.date(stmt, "FrToDt/FrDtTm")
        self.period_end = r.date(stmt, "FrToDt/ToDtTm")
        self.statement_id = r.text(stmt, "Id")
        self.lines: list[StatementLine] = []

    def add(self, entry: _N) -> None:
        if not self.currency:  # notifications may give the currency on the amounts only
            first = self.r.amount(entry)
            self.currency = first[1] if first else ""
        self.lines.extend(_entry(self.r, entry, self.currency, self.created))

    def finish(self) -> ParsedStatement:
        return ParsedStatement(
            format=self.format,
            account_iban=self.iban,
            account_number="" if self.iban else self.other,
            currency=self.currency,
            statement_id=self.statement_id,
            period_start=self.period_start,
            period_end=self.period_end,
            opening_balance=self.opening,
            closing_balance=self.closing,
            lines=tuple(self.lines),
        )


def _transaction_code(r: _Reader, el: _N | None) -> str:
    domain = r.text(el, "BkTxCd/Domn/Cd")
    if domain:
        return "-".join(
            p
            for p in (domain, r.text(el, "BkTxCd/Domn/Fmly/Cd"), r.text(el, "BkTxCd/Domn/Fmly/SubFmlyCd"))
            if p
        )
    return r.text(el, "BkTxCd/Prtry/Cd")


def _charges(r: _Reader, entry: _N) -> Decimal | None:
    chrgs = r.find(entry, "Chrgs")
    if chrgs is None:
        return None
    total = r.amount(chrgs, "TtlChrgsAndTaxAmt")
    if total is not None:
        return total[0]
    amounts = [r.amount(rec) for rec in r.findall(chrgs, "Rcrd")] or [r.amount(chrgs)]
    found = [a[0] for a in amounts if a is not None]
    return sum(found, Decimal(0)) if found else None


def _entry(r: _Reader, entry: _N, currency: str, created: dt.date | None) -> list[StatementLine]:
    status = r.text(entry, "Sts/Cd", "Sts")
    if status in _SKIPPED_STATUSES:
        return []
    amount = r.amount(entry)
    if amount is None:
        raise StatementError("An entry (Ntry) has no amount.", code="malformed")
    sign = _sign(r.text(entry, "CdtDbtInd"), what="An entry")
    booking = r.date(entry, "BookgDt/Dt", "BookgDt/DtTm")
    value_date = r.date(entry, "ValDt/Dt", "ValDt/DtTm")
    booking = booking or value_date or created
    if booking is None:
        raise StatementError("An entry (Ntry) has no booking date.", code="malformed")
    ccy = amount[1] or currency
    entry_ref = r.text(entry, "NtryRef") or r.text(entry, "AcctSvcrRef")
    entry_code = _transaction_code(r, entry)
    entry_info = r.text(entry, "AddtlNtryInf")
    charges = _charges(r, entry)
    details = r.findall(entry, "NtryDtls/TxDtls")
    tx_amounts = [_tx_amount(r, tx) for tx in details] if len(details) > 1 else []
    signed = [
        a[0] * (_sign(r.text(tx, "CdtDbtInd"), what="A transaction") if r.text(tx, "CdtDbtInd") else sign)
        for tx, a in zip(details, tx_amounts, strict=False)
        if a is not None and a[1] in ("", ccy)
    ]
    # A batch is split only when its transactions add up to the entry, in the entry's currency.
    split = len(details) > 1 and len(signed) == len(details) and sum(signed, Decimal(0)) == amount[0] * sign
    if not split:
        tx = details[0] if details else None
        return [
            _line(r, tx, booking=booking, value_date=value_date, amount=amount[0] * sign, currency=ccy,
                  reference=entry_ref or r.text(tx, "Refs/AcctSvcrRef"), code=entry_code, info=entry_info,
                  charges=charges, sign=sign, reversal=r.text(entry, "RvslInd").lower() == "true")
        ]  # fmt: skip
    lines = []
    for tx, tx_amount in zip(details, signed, strict=True):
        lines.append(
            _line(r, tx, booking=booking, value_date=value_date, amount=tx_amount, currency=ccy,
                  reference=r.text(tx, "Refs/AcctSvcrRef"), code=entry_code or _transaction_code(r, tx),
                  info=entry_info, charges=None, sign=1 if tx_amount >= 0 else -1,
                  reversal=r.text(entry, "RvslInd").lower() == "true")
        )  # fmt: skip
    return lines


def _tx_amount(r: _Reader, tx: _N) -> tuple[Decimal, str] | None:
    return r.amount(tx, "Amt") or r.amount(tx, "AmtDtls/TxAmt/Amt")


def _party(r: _Reader, tx: _N | None, role: str) -> tuple[str, str, str]:
    parties = r.find(tx, "RltdPties")
    name = r.text(parties, f"{role}/Nm", f"{role}/Pty/Nm", f"{role}/Agt/FinInstnId/Nm")
    acct = r.find(parties, f"{role}Acct")
    iban = normalise_iban(r.text(acct, "Id/IBAN")) or r.text(acct, "Id/Othr/Id")
    agents = r.find(tx, "RltdAgts")
    bic = r.text(agents, f"{role}Agt/FinInstnId/BICFI", f"{role}Agt/FinInstnId/BIC")
    return name, iban, bic


def _line(
    r: _Reader,
    tx: _N | None,
    *,
    booking: dt.date,
    value_date: dt.date | None,
    amount: Decimal,
    currency: str,
    reference: str,
    code: str,
    info: str,
    charges: Decimal | None,
    sign: int,
    reversal: bool,
) -> StatementLine:
    # The other party: the payer of a credit, the payee of a debit; a return reverses the roles.
    returned = reversal or r.find(tx, "RtrInf") is not None
    mine, other = ("Dbtr", "Cdtr") if (sign > 0) != returned else ("Cdtr", "Dbtr")
    name, iban, bic = _party(r, tx, mine)
    if not (name or iban):
        name, iban, bic = _party(r, tx, other)
    end_to_end = r.text(tx, "Refs/EndToEndId")
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
    structured = r.text(tx, "RmtInf/Strd/CdtrRefInf/Ref")
    return_reason = r.text(tx, "RtrInf/Rsn/Cd", "RtrInf/RtrRsn/Cd", "RtrInf/Rsn/Prtry", "RtrInf/RtrRsn/Prtry")
    if not return_reason and reversal:
        return_reason = r.text(tx, "RtrInf/AddtlInf")
    return StatementLine(
        booking_date=booking,
        amount=amount,
        currency=currency,
        value_date=value_date,
        bank_reference=reference,
        end_to_end_id=end_to_end,
        structured_reference=structured,
        remittance=join_text(*r.texts(tx, "RmtInf/Ustrd")),
        counterparty_name=name,
        counterparty_iban=iban,
        counterparty_bic=bic,
        bank_transaction_code=code,
        return_reason=return_reason,
        charges=charges,
        description=join_text(info, r.text(tx, "AddtlTxInf")),
    )
