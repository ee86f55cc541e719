"""The open items and what is known about customers, indexed once per run.

Every lookup the engine makes is a dictionary access (by number key, RF reference, customer,
amount, IBAN, payer-name key or word), so a run costs about lines x (words in the remittance),
never lines x items. Items are sorted by their key first: the order the caller passes them in
never changes a result.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from facturier.domain.reconciliation.normalise import (
    compact_key,
    iban_key,
    name_tokens,
    number_keys,
)
from facturier.domain.reconciliation.types import CustomerHints, OpenItem


def _due(item: OpenItem) -> tuple[dt.date, dt.date]:
    return (item.due_date or item.issue_date, item.issue_date)


# a payer-name word shared by more customers than this says nothing about who paid
MAX_WORD_FREQUENCY = 50


class Postings:
    """Key -> item positions, light for keys that are nearly all unique (one int, a list only for repeats)."""

    __slots__ = ("_many", "first")

    def __init__(self) -> None:
        self.first: dict[str, int] = {}  # every key -> its first position (for a quick `in`)
        self._many: dict[str, list[int]] = {}

    def add(self, key: str, position: int) -> None:
        known = self.first.setdefault(key, position)
        if known != position:
            self._many.setdefault(key, [known]).append(position)

    def get(self, key: str) -> Sequence[int]:
        many = self._many.get(key)
        if many is not None:
            return many
        one = self.first.get(key)
        return () if one is None else (one,)

    def keys(self) -> Iterable[str]:
        return self.first.keys()


@dataclass
class Index:
    items: tuple[OpenItem, ...]
    by_compact: Postings
    by_loose: Postings
    by_rf: Postings
    by_customer: dict[tuple[str, str], list[int]]  # (customer, currency) -> positions
    by_amount: dict[tuple[str, Decimal], list[int]]
    customers_by_iban: dict[str, set[str]]
    customers_by_name: dict[str, set[str]]  # name key -> customers
    aliases: set[tuple[str, str]]  # (name key, customer) learned from manual matches
    customers_by_word: dict[str, list[str]]
    customer_words: dict[str, list[tuple[frozenset[str], str]]]  # every name and alias: (words, compact)
    number_prefixes: frozenset[str]  # first three characters of the compact numbers
    compact_lengths: tuple[int, int]
    _by_due: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    _by_open_amount: dict[tuple[str, str], tuple[list[Decimal], list[int]]] = field(default_factory=dict)
    by_rf_payload: Postings = field(default_factory=Postings)  # RF reference without "RFkk" -> positions

    def customer_items(self, customer: str, currency: str) -> list[int]:
        """The customer's items in that currency, oldest due date first."""
        mine = self._by_due.get((customer, currency))
        if mine is None:
            items = self.items
            mine = sorted(
                self.by_customer.get((customer, currency), []), key=lambda at: (_due(items[at]), at)
            )
            self._by_due[(customer, currency)] = mine
        return mine

    def customer_items_between(self, customer: str, currency: str, low: Decimal, high: Decimal) -> list[int]:
        """The customer's items in that currency whose open amount is within [low, high]."""
        known = self._by_open_amount.get((customer, currency))
        if known is None:
            items = self.items
            positions = sorted(
                self.by_customer.get((customer, currency), []), key=lambda at: items[at].open_amount
            )
            known = ([items[at].open_amount for at in positions], positions)
            self._by_open_amount[(customer, currency)] = known
        amounts, positions = known
        return positions[bisect_left(amounts, low) : bisect_right(amounts, high)]

    @classmethod
    def build(cls, items: Iterable[OpenItem], hints: Sequence[CustomerHints] = ()) -> Index:
        ordered = tuple(sorted(items, key=lambda item: item.key))
        by_compact, by_loose, by_rf, by_rf_payload = Postings(), Postings(), Postings(), Postings()
        by_customer: dict[tuple[str, str], list[int]] = defaultdict(list)
        by_amount: dict[tuple[str, Decimal], list[int]] = defaultdict(list)
        names: dict[str, str] = {}
        for position, item in enumerate(ordered):
            compact, loose = number_keys(item.number)
            if compact:
                by_compact.add(compact, position)
                by_loose.add(loose, position)
            if item.rf_reference:
                rf = item.rf_reference.replace(" ", "").upper()
                by_rf.add(rf, position)
                by_rf_payload.add(rf[4:], position)
            customer, currency = item.customer_key, item.currency
            by_customer[(customer, currency)].append(position)
            by_amount[(currency, item.open_amount)].append(position)
            if customer not in names:
                names[customer] = item.customer_name
        lengths = [len(key) for key in by_compact.keys()] or [0]

        customers_by_iban: dict[str, set[str]] = defaultdict(set)
        customers_by_name: dict[str, set[str]] = defaultdict(set)
        customer_words: dict[str, list[tuple[frozenset[str], str]]] = defaultdict(list)
        aliases: set[tuple[str, str]] = set()

        def add_name(customer: str, name: str) -> str:
            words = name_tokens(name)
            key = " ".join(sorted(words))
            if key and customer not in customers_by_name[key]:
                customers_by_name[key].add(customer)
                customer_words[customer].append((words, compact_key(name)))
            return key

        for customer in sorted(names):
            add_name(customer, names[customer])
        for hint in sorted(hints, key=lambda hint: hint.customer_key):
            for iban in sorted(hint.ibans):
                if iban_key(iban):
                    customers_by_iban[iban_key(iban)].add(hint.customer_key)
            for alias in sorted(hint.names):
                key = add_name(hint.customer_key, alias)
                if key:
                    aliases.add((key, hint.customer_key))

        word_customers: dict[str, list[str]] = defaultdict(list)
        for customer in sorted(customer_words):
            for word in sorted(frozenset().union(*(words for words, _ in customer_words[customer]))):
                word_customers[word].append(customer)
        customers_by_word = {
            word: customers
            for word, customers in word_customers.items()
            if len(customers) <= MAX_WORD_FREQUENCY
        }
        return cls(
            items=ordered,
            by_compact=by_compact,
            by_loose=by_loose,
            by_rf=by_rf,
            by_customer=dict(by_customer),
            by_amount=dict(by_amount),
            customers_by_iban=dict(customers_by_iban),
            customers_by_name=dict(customers_by_name),
            aliases=aliases,
            customers_by_word=customers_by_word,
            customer_words=dict(customer_words),
            number_prefixes=frozenset(key[:3] for key in by_compact.keys()),
            compact_lengths=(min(lengths), max(lengths)),
            by_rf_payload=by_rf_payload,
        )
