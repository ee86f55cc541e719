"""Automatic reconciliation: speed, memory and quality on a generated statement with ground truth.

Usage: python bench/reconciliation.py [--items 100000] [--lines 10000] [--seed 11] [--no-memory]

Generates open items for many customers (Facturier numbers with RF references, and numbers imported
from a previous tool), what the engine has learned about part of the customers (IBANs), and a
statement with every kind of line: exact and reformatted references, typos (swapped or wrong
digits), RF references, grouped payments, partial payments, bank fees, cents short, overpayments,
payer name or IBAN only, truncated remittance, ambiguous payments (a customer with two open items
of the same amount), unrelated lines and a payment in the wrong currency; with noise (upper case,
truncation, names cut short by the bank). Seeded: the same arguments give the same figures.

Prints the matching time (index included, file parsing excluded), the peak memory traced during a
second identical run, precision and recall of the automatic matches and of the proposals, and a
table per kind of line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import string
import time
import tracemalloc
from collections import Counter, defaultdict
from decimal import Decimal

from facturier.domain import creditor_reference
from facturier.domain.reconciliation import (
    BankLine,
    CustomerHints,
    Match,
    OpenItem,
    Status,
    learn,
    reconcile,
)
from facturier.domain.reconciliation.index import Index

TRADES = (
    "Boulangerie Garage Cabinet Atelier Transports Pharmacie Hotel Restaurant Menuiserie Plomberie "
    "Boucherie Librairie Imprimerie Agence Studio Conseil Informatique Batiment Jardins Optique"
).split()
SURNAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
    "Muller Lefevre Faure Andre Mercier Blanc Guerin Boyer Garnier Chevalier Francois Legrand Gauthier"
).split()
LEGAL = ["SARL", "SAS", "SA", "EURL", "", "", ""]
SYLLABLES = "ka ro li ven tor bel mi sa do ra lu ne pi co fa gu ter val mon ber lor nat sim par".split()
UNRELATED_PAYERS = [
    "URSSAF ILE DE FRANCE",
    "DGFIP REMBOURSEMENT",
    "AMAZON PAYMENTS EUROPE",
    "MUTUELLE GENERALE",
    "STRIPE PAYOUT",
    "EDF SA",
    "LOYER PARKING",
    "",
]
KINDS = {  # share of the statement
    "exact": 0.19,
    "new_payer": 0.02,  # a payer the engine has never seen (a parent company), no reference
    "reformatted": 0.10,
    "typo": 0.07,
    "rf": 0.10,
    "grouped": 0.07,
    "partial": 0.05,
    "fees": 0.05,
    "cents_short": 0.04,
    "overpayment": 0.02,
    "name_only": 0.08,
    "iban_only": 0.03,
    "truncated": 0.04,
    "ambiguous": 0.05,
    "unrelated": 0.08,
    "wrong_currency": 0.01,
}
AMBIGUOUS = "ambiguous"


def _brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _iban(rng: random.Random) -> str:
    return "FR76" + "".join(rng.choice(string.digits) for _ in range(23))


def generate_items(
    rng: random.Random, count: int
) -> tuple[list[OpenItem], dict[str, str], list[CustomerHints]]:
    customers: dict[str, str] = {}
    names: set[str] = set()
    while len(customers) < count // 4:
        form = rng.choice(LEGAL)
        if rng.random() < 0.5:
            name = f"{_brand(rng)} {rng.choice(TRADES)} {form}"
        else:
            name = f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {_brand(rng)} {form}"
        name = " ".join(name.split())
        if name.upper() not in names:
            names.add(name.upper())
            customers[f"c{len(customers):06d}"] = name
    keys = sorted(customers)
    items: list[OpenItem] = []
    sequence = Counter[str]()
    while len(items) < count:
        customer = (
            rng.choice(keys) if rng.random() < 0.7 else rng.choice(keys[: len(keys) // 50])
        )  # big accounts
        issue = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 420))
        if rng.random() < 0.85:  # issued by Facturier, RF printed
            series = f"FAC-{issue.year}"
            sequence[series] += 1
            number = f"{series}-{sequence[series]:06d}"
            rf = creditor_reference.from_invoice_number(number)
        else:  # imported from the previous tool
            sequence["OLD"] += 1
            number = f"{rng.choice(['F', 'INV', 'FA'])}{sequence['OLD'] + 70000}"
            rf = ""
        amount = (
            Decimal(rng.choice([49, 99, 150, 250, 500, 1200]))
            if rng.random() < 0.15
            else Decimal(rng.randint(2000, 500000)) / 100
        )
        currency = "EUR" if rng.random() < 0.97 else rng.choice(["USD", "GBP"])
        items.append(
            OpenItem(
                key=f"item:{len(items):06d}",
                number=number,
                customer_key=customer,
                customer_name=customers[customer],
                open_amount=amount,
                currency=currency,
                issue_date=issue,
                due_date=issue + dt.timedelta(days=30),
                rf_reference=rf,
            )
        )
    hints = [
        CustomerHints(customer, ibans=frozenset({_iban(rng)})) for customer in keys if rng.random() < 0.4
    ]
    return items, customers, hints


def _reformat(rng: random.Random, number: str) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return number.lower()
    if choice == 1:
        return number.replace("-", " ")
    if choice == 2:  # leading zeros dropped
        head, _, tail = number.rpartition("-")
        return f"{head}-{int(tail)}" if head and tail.isdigit() else number.replace("-", "")
    return number.replace("-", "/")


def _typo(rng: random.Random, number: str) -> str:
    digits = [at for at, char in enumerate(number) if char.isdigit()]
    at = rng.choice(digits[-5:])
    if (
        rng.random() < 0.5
        and at + 1 < len(number)
        and number[at + 1].isdigit()
        and number[at] != number[at + 1]
    ):
        return number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    return number[:at] + rng.choice([d for d in string.digits if d != number[at]]) + number[at + 1 :]


def _payer_name(rng: random.Random, name: str) -> str:
    variant = rng.random()
    if variant < 0.4:
        return name.upper()
    if variant < 0.6:
        return name.upper()[:18]  # the bank cut it short
    if variant < 0.7:
        return " ".join(word for word in name.split() if word not in LEGAL)
    return name


def _remittance(rng: random.Random, reference: str) -> str:
    text = rng.choice(
        ["Facture {}", "{}", "Paiement facture n {}", "REGLEMENT {} MERCI", "Fact. {} / commande"]
    )
    text = text.format(reference)
    return text.upper() if rng.random() < 0.3 else text


def generate_statement(  # noqa: C901 - one branch per kind of line keeps the generator readable
    rng: random.Random,
    items: list[OpenItem],
    customers: dict[str, str],
    hints: list[CustomerHints],
    count: int,
) -> tuple[list[BankLine], dict[str, object], dict[str, str], list[BankLine], dict[str, object]]:
    """The statement, its truth and kinds, and next month's lines from this month's new payers (and their truth)."""
    known_iban = {hint.customer_key: next(iter(hint.ibans)) for hint in hints}
    by_customer: dict[str, list[OpenItem]] = defaultdict(list)
    for item in items:
        if item.currency == "EUR":
            by_customer[item.customer_key].append(item)
    used: set[str] = set()
    lines: list[BankLine] = []
    truth: dict[str, object] = {}
    kinds: dict[str, str] = {}
    booking = dt.date(2026, 3, 2)
    eur = [item for item in items if item.currency == "EUR"]

    def fresh(predicate=lambda item: True) -> OpenItem:  # type: ignore[no-untyped-def]
        while True:
            item = rng.choice(eur)
            if item.key not in used and predicate(item):
                used.add(item.key)
                return item

    def payer(item: OpenItem, *, name: bool = True) -> dict[str, str]:
        fields = {"counterparty_iban": known_iban.get(item.customer_key) or _iban(rng)}
        if name:
            fields["counterparty_name"] = _payer_name(rng, item.customer_name)
        return fields

    plan = [kind for kind, share in KINDS.items() for _ in range(round(share * count))]
    plan = (plan + ["exact"] * count)[:count]
    rng.shuffle(plan)
    extra: list[OpenItem] = []
    follow_ups: list[BankLine] = []
    follow_truth: dict[str, object] = {}
    for number, kind in enumerate(plan):
        key = f"line:{number:06d}"
        expected: object = None
        if kind in {"exact", "reformatted", "typo", "partial", "fees", "cents_short", "overpayment"}:
            item = fresh()
            reference = {"exact": item.number, "reformatted": _reformat(rng, item.number)}.get(
                kind, item.number
            )
            if kind == "typo":
                reference = _typo(rng, item.number)
            amount = item.open_amount
            if kind == "partial":
                amount = (item.open_amount * Decimal(rng.randint(20, 70)) / 100).quantize(Decimal("0.01"))
            elif kind == "fees":
                amount = item.open_amount - Decimal(rng.randint(150, 500)) / 100
            elif kind == "cents_short":
                amount = item.open_amount - Decimal(rng.randint(1, 99)) / 100
            elif kind == "overpayment":
                amount = item.open_amount + Decimal(rng.randint(10, 100))
            fields = payer(item, name=rng.random() < 0.8)
            line = BankLine(key, booking, amount, "EUR", _remittance(rng, reference), **fields)
            expected = frozenset({item.key})
        elif kind == "rf":
            item = fresh(lambda item: bool(item.rf_reference))
            if rng.random() < 0.6:
                line = BankLine(key, booking, item.open_amount, "EUR", structured_reference=item.rf_reference)
            else:
                printed = creditor_reference.printed(item.rf_reference)
                line = BankLine(key, booking, item.open_amount, "EUR", f"Ref {printed}", **payer(item))
            expected = frozenset({item.key})
        elif kind == "grouped":
            customer = rng.choice([c for c, mine in by_customer.items() if len(mine) >= 3])
            group = [i for i in by_customer[customer] if i.key not in used][: rng.randint(2, 4)]
            if len(group) < 2:
                group = [fresh()]
            used.update(item.key for item in group)
            amount = sum((item.open_amount for item in group), Decimal(0))
            style = rng.random()
            if style < 0.7:
                remittance = "Factures " + " ".join(item.number for item in group)
            elif style < 0.85:
                remittance = ("Factures " + " ".join(item.number for item in group))[:30]
            else:
                remittance = "Reglement releve"
            line = BankLine(key, booking, amount, "EUR", remittance, **payer(group[0]))
            expected = frozenset(item.key for item in group)
        elif kind in {"name_only", "iban_only", "truncated"}:

            def alone(item: OpenItem) -> bool:
                return [i.open_amount for i in by_customer[item.customer_key]].count(item.open_amount) == 1

            item = fresh(alone)
            if kind == "name_only":
                line = BankLine(
                    key,
                    booking,
                    item.open_amount,
                    "EUR",
                    "VIREMENT",
                    counterparty_name=_payer_name(rng, item.customer_name),
                )
            elif kind == "iban_only":
                item_iban = known_iban.get(item.customer_key)
                if item_iban is None:
                    hints.append(CustomerHints(item.customer_key, ibans=frozenset({_iban(rng)})))
                    item_iban = next(iter(hints[-1].ibans))
                    known_iban[item.customer_key] = item_iban
                line = BankLine(
                    key, booking, item.open_amount, "EUR", "VIR SEPA", counterparty_iban=item_iban
                )
            else:
                text = _remittance(rng, item.number)
                line = BankLine(
                    key,
                    booking,
                    item.open_amount,
                    "EUR",
                    text[: text.upper().index(item.number[:6]) + 6],
                    **payer(item),
                )
            expected = frozenset({item.key})
        elif kind == AMBIGUOUS:
            item = fresh()
            twin = OpenItem(
                key=f"item:twin{number:06d}",
                number=f"FAC-2026-T{number:05d}",
                customer_key=item.customer_key,
                customer_name=item.customer_name,
                open_amount=item.open_amount,
                currency="EUR",
                issue_date=item.issue_date,
                due_date=item.due_date,
            )
            extra.append(twin)
            by_customer[item.customer_key].append(twin)
            line = BankLine(
                key, booking, item.open_amount, "EUR", "Virement", counterparty_name=item.customer_name
            )
            expected = AMBIGUOUS
        elif kind == "new_payer":

            def alone_in_customer(item: OpenItem) -> bool:
                return [i.open_amount for i in by_customer[item.customer_key]].count(item.open_amount) == 1

            item = fresh(alone_in_customer)
            payer_name, payer_iban = f"{_brand(rng).upper()} HOLDING", _iban(rng)
            line = BankLine(
                key,
                booking,
                item.open_amount,
                "EUR",
                "VIR SEPA",
                counterparty_name=payer_name,
                counterparty_iban=payer_iban,
            )
            expected = frozenset({item.key})
            later = [
                other
                for other in by_customer[item.customer_key]
                if other.key not in used and alone_in_customer(other) and other.issue_date <= booking
            ]
            if later:
                used.add(later[0].key)
                follow_key = f"next:{number:06d}"
                follow_ups.append(
                    BankLine(
                        follow_key,
                        booking + dt.timedelta(days=30),
                        later[0].open_amount,
                        "EUR",
                        "VIR SEPA",
                        counterparty_name=payer_name if rng.random() < 0.5 else "",
                        counterparty_iban=payer_iban,
                    )
                )
                follow_truth[follow_key] = frozenset({later[0].key})
        elif kind == "wrong_currency":
            item = fresh()
            line = BankLine(
                key,
                booking,
                item.open_amount,
                "USD",
                f"Invoice {item.number}",
                counterparty_name=item.customer_name,
            )
        else:  # unrelated
            text = rng.choice(
                ["Remboursement", "CB 4973 0812 {}", "LOYER {}-03", "PRLV SEPA {}", "COTISATION"]
            )
            amount = Decimal(rng.randint(100, 900000)) / 100
            line = BankLine(
                key,
                booking,
                amount,
                "EUR",
                text.format(rng.randint(1000, 99999)),
                counterparty_name=rng.choice(UNRELATED_PAYERS),
            )
        lines.append(line)
        truth[key] = expected
        kinds[key] = kind
    items.extend(extra)
    return lines, truth, kinds, follow_ups, follow_truth


def _learning(
    lines: list[BankLine],
    matches: list[Match],
    truth: dict[str, object],
    items: list[OpenItem],
    hints: list[CustomerHints],
    follow_ups: list[BankLine],
    follow_truth: dict[str, object],
) -> None:
    """The clerk matches by hand what was not reconciled automatically; next month's run learns from it."""
    customer_of = {item.key: item.customer_key for item in items}
    learned = {hint.customer_key: hint for hint in hints}
    for line, match in zip(lines, matches, strict=True):
        expected = truth[line.key]
        if not isinstance(expected, frozenset):
            continue
        if match.status is Status.AUTO and frozenset(a.item_key for a in match.allocations) == expected:
            continue
        customer = customer_of[next(iter(sorted(expected)))]
        known = [learned[customer]] if customer in learned else []
        learned[customer] = learn(line, customer, known)

    def automatic(matches: list[Match]) -> int:
        return sum(
            match.status is Status.AUTO
            and frozenset(a.item_key for a in match.allocations) == follow_truth[line.key]
            for line, match in zip(follow_ups, matches, strict=True)
        )

    before = automatic(reconcile(follow_ups, items, hints=hints))
    after = automatic(reconcile(follow_ups, items, hints=list(learned.values())))
    print(
        f"learning: next month, {len(follow_ups)} payments from this month's new payers: "
        f"{before} reconciled automatically without learning, {after} after learning from the manual matches"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-memory", action="store_true", help="skip the second, traced run")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    items, customers, hints = generate_items(rng, options.items)
    lines, truth, kinds, follow_ups, follow_truth = generate_statement(
        rng, items, customers, hints, options.lines
    )
    print(
        f"{len(items)} open items, {len(customers)} customers, {len(hints)} with a known IBAN; {len(lines)} lines"
    )

    load = os.getloadavg()[0]
    print(f"load average before matching: {load:.1f} on {os.cpu_count()} CPUs (other work slows the figures)")
    started, cpu_started = time.perf_counter(), time.process_time()
    matches = reconcile(lines, items, hints=hints)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(
        f"matching: {elapsed:.2f} s wall, {cpu:.2f} s CPU ({len(lines) / cpu:,.0f} lines per CPU second), "
        "index included"
    )
    gc.disable()  # as reconcile() does
    cpu_started = time.process_time()
    Index.build(items, hints)
    print(f"  of which building the index of open items: {time.process_time() - cpu_started:.2f} s CPU")
    gc.enable()
    if not options.no_memory:
        tracemalloc.start()
        reconcile(lines, items, hints=hints)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak memory traced during matching: {peak / 2**20:.1f} MiB")

    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    totals = Counter[str]()
    for line, match in zip(lines, matches, strict=True):
        expected = truth[line.key]
        is_matchable = isinstance(expected, frozenset)
        got = frozenset(allocation.item_key for allocation in match.allocations)
        outcome = match.status.value
        if match.status is not Status.UNMATCHED:
            outcome += "_ok" if is_matchable and got == expected else "_wrong"
        per_kind[kinds[line.key]][outcome] += 1
        totals[outcome] += 1
        totals["matchable"] += is_matchable
        if not is_matchable and match.status is Status.AUTO:
            totals["auto_on_unmatchable"] += 1
    auto = totals["auto_ok"] + totals["auto_wrong"]
    proposed = totals["proposed_ok"] + totals["proposed_wrong"]
    matchable = totals["matchable"]

    def share(part: int, whole: int) -> str:
        return f"{100 * part / whole:.2f} %" if whole else "n/a"

    print(f"matchable lines: {matchable}; ambiguous, unrelated or wrong currency: {len(lines) - matchable}")
    print(
        f"auto: {auto} lines, precision {share(totals['auto_ok'], auto)}, recall {share(totals['auto_ok'], matchable)}"
    )
    print(f"proposed: {proposed} lines, precision {share(totals['proposed_ok'], proposed)}")
    print(
        "auto or proposed correctly: "
        f"{share(totals['auto_ok'] + totals['proposed_ok'], matchable)} of the matchable lines"
    )
    print(f"share of matchable lines reconciled automatically: {share(totals['auto_ok'], matchable)}")
    print(
        f"ambiguous, unrelated or wrong-currency lines reconciled automatically: {totals['auto_on_unmatchable']}"
    )
    _learning(lines, matches, truth, items, hints, follow_ups, follow_truth)
    columns = ["auto_ok", "auto_wrong", "proposed_ok", "proposed_wrong", "unmatched"]
    print(f"\n{'kind':<16}{'lines':>7}" + "".join(f"{column:>15}" for column in columns))
    for kind in KINDS:
        counts = per_kind[kind]
        print(f"{kind:<16}{sum(counts.values()):>7}" + "".join(f"{counts[column]:>15}" for column in columns))


if __name__ == "__main__":
    main()
