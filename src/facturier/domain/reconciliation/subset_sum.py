"""Which few open items of one customer add up to a payment: a bounded subset-sum.

Depth-first over the amounts from the largest down, pruned when the running sum passes the upper
bound or when even the largest remaining amounts cannot reach the lower bound; the search stops
after `budget` steps or `limit` solutions, so one line never costs more than a few milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def subsets_within(
    amounts: Sequence[Decimal],
    low: Decimal,
    high: Decimal,
    *,
    min_size: int = 2,
    max_size: int = 5,
    limit: int = 3,
    budget: int = 20_000,
) -> list[tuple[int, ...]]:
    """Positions (ascending) of up to `limit` subsets of `min_size`..`max_size` amounts summing into [low, high]."""
    order = sorted(range(len(amounts)), key=lambda position: (-amounts[position], position))
    values = [amounts[position] for position in order]
    found: list[tuple[int, ...]] = []
    steps = 0
    chosen: list[int] = []

    def reach(start: int, slots: int) -> Decimal:
        # values are sorted from the largest: the most the next `slots` amounts can add
        return sum(values[start : start + slots], Decimal(0))

    def search(start: int, total: Decimal) -> None:
        nonlocal steps
        if len(found) >= limit or steps >= budget:
            return
        if len(chosen) >= min_size and low <= total <= high:
            found.append(tuple(sorted(order[at] for at in chosen)))
        if len(chosen) == max_size:
            return
        for at in range(start, len(values)):
            steps += 1
            if steps >= budget or len(found) >= limit:
                return
            following = total + values[at]
            if following > high:
                continue  # smaller amounts further on may still fit
            if following + reach(at + 1, max_size - len(chosen) - 1) < low:
                return  # sorted descending: later starts reach even less
            chosen.append(at)
            search(at + 1, following)
            chosen.pop()

    search(0, Decimal(0))
    return found
