"""What a bank line says about itself: the invoices it quotes and who paid it.

References come from the remittance text, the structured reference and the end-to-end id:
an RF creditor reference, an invoice number (exact, or reformatted: case, spaces, separators,
leading zeros) or, when nothing certain was found, a number one typo away (a character
replaced, added, dropped, or two neighbours swapped). The typo search generates the bounded set
of variants of the words that look like invoice numbers and looks each up in the index; it never
compares the line with every item.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from facturier.domain.reconciliation.index import Index
from facturier.domain.reconciliation.normalise import (
    compact_key,
    iban_key,
    name_key,
    name_tokens,
    reference_windows,
    rf_candidates,
    rf_payloads,
)
from facturier.domain.reconciliation.types import BankLine

# how a line quotes an item, strongest first
RF = "rf_reference"
EXACT = "reference_exact"
NORMALISED = "reference_normalised"
FUZZY = "reference_fuzzy"
REFERENCE_RANK = {RF: 0, EXACT: 1, NORMALISED: 2, FUZZY: 3}

# how the payer relates to a customer
IBAN = "iban_known"
NAME = "name_match"
ALIAS = "name_alias"
SIMILAR = "name_similar"

_DIGITS = "0123456789"
NAME_SIMILARITY = 0.6
MIN_CUT_NAME = 12  # a payer name cut short by the bank identifies a customer from this many characters


@dataclass
class Quote:
    kind: str
    text: str  # what the payer wrote


@dataclass
class LineEvidence:
    references: dict[int, Quote] = field(default_factory=dict)  # item position -> best quote
    names: dict[str, tuple[str, float]] = field(default_factory=dict)  # customer -> (kind, similarity)
    iban_customers: frozenset[str] = frozenset()  # customers known to pay from the line's IBAN
    requoted: set[int] = field(default_factory=set)  # items whose quote changed since the last look
    windows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # per text, computed once
    payer_cache: dict[str, Any] = field(default_factory=dict)  # the engine's per-customer payer weight

    def payer_customers(self) -> list[str]:
        return sorted(self.iban_customers | self.names.keys())

    def quote(self, position: int, kind: str, text: str) -> None:
        known = self.references.get(position)
        if known is None or REFERENCE_RANK[kind] < REFERENCE_RANK[known.kind]:
            self.references[position] = Quote(kind, text)
            self.requoted.add(position)


def _texts(line: BankLine) -> list[str]:
    return [text for text in (line.structured_reference, line.remittance, line.end_to_end_id) if text]


def _in_currency(index: Index, positions: Sequence[int], currency: str) -> Iterator[int]:
    return (position for position in positions if index.items[position].currency == currency)


def find_references(line: BankLine, index: Index, evidence: LineEvidence) -> None:
    for text in _texts(line):
        for rf in rf_candidates(text):
            for position in _in_currency(index, index.by_rf.get(rf), line.currency):
                evidence.quote(position, RF, rf)
            # an RF Facturier did not store, but built from an invoice number
            for position in _in_currency(index, index.by_compact.get(rf[4:]), line.currency):
                evidence.quote(position, EXACT, rf)
        for payload in rf_payloads(text):
            for position in _in_currency(index, index.by_compact.get(payload), line.currency):
                evidence.quote(position, NORMALISED, payload)
        evidence.windows[text] = list(reference_windows(text))
        for compact, loose in evidence.windows[text]:
            for position in _in_currency(index, index.by_compact.get(compact), line.currency):
                evidence.quote(position, EXACT, compact)
            for position in _in_currency(index, index.by_loose.get(loose), line.currency):
                evidence.quote(position, NORMALISED, compact)


def _variants(word: str) -> Iterator[str]:
    """Strings one typo away from `word`: a digit replaced, two neighbours swapped, a character too many,
    or a digit left out (one put back next to a digit of the word)."""
    for at in range(len(word)):
        yield word[:at] + word[at + 1 :]
        if at + 1 < len(word) and word[at] != word[at + 1]:
            yield word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        if word[at].isdigit():
            head, tail = word[:at], word[at + 1 :]
            for digit in _DIGITS:
                if digit != word[at]:
                    yield head + digit + tail
    for at in range(len(word) + 1):
        if (at and word[at - 1].isdigit()) or (at < len(word) and word[at].isdigit()):
            head, tail = word[:at], word[at:]
            for digit in _DIGITS:
                yield head + digit + tail


def _typed_words(line: BankLine, evidence: LineEvidence) -> Iterator[str]:
    """The compact words the typo search tries: reference windows, and the payload of every word shaped
    like an RF reference (`RFkk` + an invoice number: a typo there breaks the check digits)."""
    for text in _texts(line):
        for compact, _loose in evidence.windows.get(text) or reference_windows(text):
            yield compact
        yield from rf_payloads(text)


def find_mistyped_references(
    line: BankLine, index: Index, evidence: LineEvidence, payers: set[str], low: Decimal, high: Decimal
) -> None:
    """Numbers one typo away, kept when the item is the payer's or owes about the line's amount.

    Invoice numbers are sequential, so most typos land on some other real invoice: only the payer
    or the amount can tell which one was meant.
    """
    shortest, longest = index.compact_lengths
    seen: set[str] = set()
    known = index.by_compact.first
    for compact in _typed_words(line, evidence):
        if compact in seen or not shortest - 1 <= len(compact) <= longest + 1:
            continue
        seen.add(compact)
        if compact[:3] not in index.number_prefixes:
            continue  # the typo search is for words shaped like our numbers
        for variant in _variants(compact):
            if variant not in known:
                continue
            for position in index.by_compact.get(variant):
                item = index.items[position]
                if item.currency == line.currency and (
                    item.customer_key in payers or low <= item.open_amount <= high
                ):
                    evidence.quote(position, FUZZY, compact)
    _find_mistyped_rf(line, index, evidence, payers, low, high)


def _find_mistyped_rf(
    line: BankLine, index: Index, evidence: LineEvidence, payers: set[str], low: Decimal, high: Decimal
) -> None:
    """A stored RF reference (an imported open item's, not built from a number) one typo away."""
    if not index.by_rf_payload.first:
        return
    for text in _texts(line):
        for payload in rf_payloads(text):
            for variant in _variants(payload):
                for position in _in_currency(index, index.by_rf_payload.get(variant), line.currency):
                    item = index.items[position]
                    if item.customer_key in payers or low <= item.open_amount <= high:
                        evidence.quote(position, FUZZY, payload)


def _similarity(payer: frozenset[str], compact: str, known: tuple[frozenset[str], str]) -> float:
    """Share of words in common; a name or word the bank cut short counts when it starts the customer's."""
    customer, customer_compact = known
    if len(compact) >= MIN_CUT_NAME and customer_compact.startswith(compact):
        return 1.0
    common = len(payer & customer)
    for word in payer - customer:
        if len(word) >= 3 and any(other.startswith(word) for other in customer - payer):
            common += 1
    return common / max(len(payer), len(customer))


def find_payers(line: BankLine, index: Index, evidence: LineEvidence, owing: Iterable[str] = ()) -> None:
    """Customers known by the line's IBAN, or by its payer's name (`owing`: customers owing the amount)."""
    if line.counterparty_iban:
        customers = index.customers_by_iban.get(iban_key(line.counterparty_iban), set())
        evidence.iban_customers = frozenset(customers)
    if not line.counterparty_name:
        return
    key = name_key(line.counterparty_name)
    exact = index.customers_by_name.get(key, set())
    for customer in exact:
        kind = ALIAS if (key, customer) in index.aliases else NAME
        evidence.names[customer] = (kind, 1.0)
    if exact:
        return
    words = name_tokens(line.counterparty_name)
    candidates = {customer for word in words for customer in index.customers_by_word.get(word, ())}
    candidates.update(owing)
    compact = compact_key(line.counterparty_name)
    for customer in sorted(candidates):
        best = max(_similarity(words, compact, known) for known in index.customer_words[customer])
        if best >= NAME_SIMILARITY:
            evidence.names[customer] = (SIMILAR, round(best, 2))
