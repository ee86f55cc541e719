"""OFX bank and credit-card statements: 1.x (SGML, leaf tags left open) and 2.x (XML).

OFX 1 text is decoded with the header's CHARSET (1252, ISO-8859-1) unless it is valid UTF-8; OFX 2 goes
through the project's hardened XML parser. Investment statements are not bank statements and are refused.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from lxml import etree

from facturier.domain.banking._text import (
    MAX_LINES_PER_FILE,
    decode_text,
    join_text,
    looks_like_iban,
    make_date,
    normalise_iban,
    parse_amount,
)
from facturier.domain.banking.camt import load_xml
from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine

_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]{1,64})\s*>([^<]*)")
_MAX_DEPTH = 64
_LEAVES = frozenset(
    "NAME MEMO CHECKNUM REFNUM FITID TRNAMT DTPOSTED DTUSER DTAVAIL TRNTYPE CURDEF ACCTID BANKID BRANCHID "
    "ACCTTYPE ACCTKEY BALAMT DTASOF DTSTART DTEND CURSYM CURRATE CODE SEVERITY MESSAGE TRNUID SRVRTID "
    "CORRECTFITID CORRECTACTION SIC PAYEEID EXTDNAME INV401KSOURCE DTSERVER LANGUAGE".split()
)
"""Elements that never hold others: an empty one (``<MEMO>`` then the next tag) must not swallow its siblings."""
_CHARSETS = {"1252": "cp1252", "ISO-8859-1": "latin-1", "8859-1": "latin-1", "UTF-8": "utf-8", "NONE": ""}


@dataclass
class _Node:
    tag: str
    text: str = ""
    children: list[_Node] = field(default_factory=list)

    def find(self, path: str) -> _Node | None:
        node: _Node | None = self
        for part in path.split("/"):
            if node is None:
                return None
            node = next((c for c in node.children if c.tag == part), None)
        return node

    def text_of(self, path: str) -> str:
        node = self.find(path)
        return " ".join(node.text.split()) if node is not None else ""

    def iter(self, tag: str) -> list[_Node]:
        found, stack = [], [self]
        while stack:
            node = stack.pop()
            if node.tag == tag:
                found.append(node)
            stack.extend(reversed(node.children))
        return found


def is_ofx(head: bytes) -> bool:
    head = head.lstrip(b"\xef\xbb\xbf\r\n\t ").upper()
    return head.startswith(b"OFXHEADER") or b"<OFX>" in head or b"<?OFX " in head


def parse_ofx(data: bytes) -> list[ParsedStatement]:
    raw = bytes(data).lstrip(b"\xef\xbb\xbf\r\n\t ")
    if raw.startswith(b"<?xml") or b"<?OFX " in raw[:2048].upper():
        try:
            root = _from_xml(raw)
        except StatementError as exc:
            if exc.code != "malformed":
                raise
            root = _from_sgml(raw)  # some banks send OFX 2 headers over an SGML (unclosed tags) body
        fmt = "ofx2"
    else:
        root, fmt = _from_sgml(raw), "ofx1"
    statements = []
    total = 0
    # ORIGCURRENCY only informs: TRNAMT is then in CURDEF. CURRENCY means TRNAMT is in that currency.
    for rs in root.iter("STMTRS") + root.iter("CCSTMTRS"):
        statement = _statement(rs, fmt)
        total += len(statement.lines)
        if total > MAX_LINES_PER_FILE:
            raise StatementError(f"The file holds over {MAX_LINES_PER_FILE} movements.", code="too_large")
        statements.append(statement)
    if not statements:
        status = next((s for s in root.iter("STATUS") if s.text_of("CODE") not in ("", "0")), None)
        detail = (
            f" (the bank answered error {status.text_of('CODE')}: {status.text_of('MESSAGE')})"
            if status
            else ""
        )
        raise StatementError(
            f"This OFX file holds no bank or credit-card statement{detail}.", code="no_statement"
        )
    return statements


def _from_xml(raw: bytes) -> _Node:
    element = load_xml(raw)

    def convert(el: etree._Element, depth: int) -> _Node:
        node = _Node(tag=str(etree.QName(el).localname).upper(), text=(el.text or "").strip())
        if depth < _MAX_DEPTH:
            node.children = [convert(child, depth + 1) for child in el if isinstance(child.tag, str)]
        return node

    root = convert(element, 0)
    if root.tag != "OFX":
        raise StatementError("This XML file is not an OFX document.", code="unknown_format")
    return root


def _from_sgml(raw: bytes) -> _Node:
    start = raw.upper().find(b"<OFX>")
    if start < 0:
        raise StatementError("This OFX file has no <OFX> body.", code="malformed")
    header = raw[:start].decode("latin-1")
    headers = dict(re.findall(r"([A-Z]+):\s*([^\r\n]*)", header))
    charset = _CHARSETS.get(headers.get("CHARSET", "").strip().upper(), "cp1252")
    if headers.get("ENCODING", "").strip().upper() == "UTF-8":
        charset = "utf-8"
    text = decode_text(raw[start:], declared=charset or "cp1252")
    root = _Node("#document")
    stack = [root]
    for match in _TOKEN.finditer(text):
        closing, tag, content = match.group(1), match.group(2).upper(), match.group(3)
        if closing:
            if any(n.tag == tag for n in stack[1:]):
                while stack[-1].tag != tag:
                    stack.pop()
                stack.pop()
            continue
        node = _Node(tag, content.strip())
        stack[-1].children.append(node)
        if not node.text and tag not in _LEAVES:  # an aggregate
            if len(stack) > _MAX_DEPTH:
                raise StatementError("The OFX file nests too deep.", code="malformed")
            stack.append(node)
    ofx = root.find("OFX")
    if ofx is None:
        raise StatementError("This OFX file has no <OFX> body.", code="malformed")
    if "</OFX>" not in text[-4096:].upper():
        raise StatementError("The OFX file ends before its closing </OFX> tag: truncated?", code="truncated")
    return ofx


def _date(text: str, *, what: str) -> dt.date:
    value = text.strip()
    if len(value) < 8 or not value[:8].isdigit():
        raise StatementError(f"Invalid OFX {what}: {value[:30]!r}.", code="malformed")
    return make_date(int(value[:4]), int(value[4:6]), int(value[6:8]), what=f"OFX {what}")


def _amount(text: str, *, what: str) -> Decimal:
    value = text.strip().replace(" ", "")
    negative = value.startswith("-")
    value = value.lstrip("+-")
    if "," in value and "." in value:
        value = value.replace(",", "") if value.rfind(".") > value.rfind(",") else value.replace(".", "")
    amount = parse_amount(value, what=f"OFX {what}")
    return -amount if negative else amount


def _statement(rs: _Node, fmt: str) -> ParsedStatement:
    currency = rs.text_of("CURDEF").upper()
    acct = rs.find("BANKACCTFROM") or rs.find("CCACCTFROM")
    account = acct.text_of("ACCTID") if acct is not None else ""
    iban = normalise_iban(account) if looks_like_iban(account) else ""
    number = (
        ""
        if iban
        else join_text(*(acct.text_of(t) for t in ("BANKID", "BRANCHID", "ACCTID")) if acct else "")
    )
    tranlist = rs.find("BANKTRANLIST")
    lines = []
    for trn in tranlist.iter("STMTTRN") if tranlist is not None else []:
        lines.append(_line(trn, currency))
    closing = None
    balance = rs.text_of("LEDGERBAL/BALAMT")
    if balance:
        closing = _amount(balance, what="balance")
    start = tranlist.text_of("DTSTART") if tranlist is not None else ""
    end = tranlist.text_of("DTEND") if tranlist is not None else ""
    return ParsedStatement(
        format=fmt,
        account_iban=iban,
        account_number=number,
        currency=currency,
        statement_id="",
        period_start=_date(start, what="start date") if start else None,
        period_end=_date(end, what="end date") if end else None,
        opening_balance=None,
        closing_balance=closing,
        lines=tuple(lines),
    )


def _line(trn: _Node, currency: str) -> StatementLine:
    posted = trn.text_of("DTPOSTED")
    if not posted:
        raise StatementError("An OFX transaction has no posting date (DTPOSTED).", code="malformed")
    amount_text = trn.text_of("TRNAMT")
    if not amount_text:
        raise StatementError("An OFX transaction has no amount (TRNAMT).", code="malformed")
    avail = trn.text_of("DTAVAIL")
    name = trn.text_of("NAME") or trn.text_of("PAYEE/NAME")
    memo = trn.text_of("MEMO")
    to = trn.find("BANKACCTTO") or trn.find("CCACCTTO")
    counter = to.text_of("ACCTID") if to is not None else ""
    return StatementLine(
        booking_date=_date(posted, what="posting date"),
        amount=_amount(amount_text, what="amount"),
        currency=(trn.text_of("CURRENCY/CURSYM") or currency).upper(),
        value_date=_date(avail, what="availability date") if avail else None,
        bank_reference=trn.text_of("FITID"),
        counterparty_name=name,
        counterparty_iban=normalise_iban(counter) if looks_like_iban(counter) else "",
        bank_transaction_code=trn.text_of("TRNTYPE"),
        remittance=memo,
        description=join_text(name, trn.text_of("CHECKNUM"), trn.text_of("REFNUM")),
    )
