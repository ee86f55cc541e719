"""Property tests of the pure progress computation: exact to the cent whatever the steps."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facturier.domain.calculation import LineInput, compute_totals
from facturier.domain.construction.progress import (
    LineProgress,
    ProgressError,
    cumulative_amount,
    line_worth,
    progress_ratio,
    retention_of,
    round_half_up,
    situation_deltas,
)

quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100000"), places=4)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=6)
percents = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=4)
vat_rates = st.sampled_from([Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1")])


def _steps(values: list[Decimal]) -> list[Fraction]:
    """Increasing cumulative ratios ending at 100 %."""
    return [Fraction(v) / 100 for v in sorted(values)] + [Fraction(1)]


@settings(deadline=None)  # exact fractions of large amounts: slow on a busy machine, never wrong
@given(st.lists(st.tuples(quantities, prices), min_size=1, max_size=6), st.lists(percents, max_size=8))
def test_situations_add_up_to_the_contract_at_100_percent_exactly(lines, steps):
    worths = [line_worth(q, p) for q, p in lines]
    ratios = _steps(steps)
    billed = [Decimal(0)] * len(worths)
    previous = [Fraction(0)] * len(worths)
    for ratio in ratios:
        deltas = situation_deltas(
            [LineProgress(w, prev, ratio) for w, prev in zip(worths, previous, strict=True)]
        )
        for index, delta in enumerate(deltas):
            assert delta.amount >= 0
            assert delta.amount.as_tuple().exponent == -2
            billed[index] += delta.amount
            assert billed[index] == delta.cumulative  # what was billed is what is done so far
        previous = [ratio] * len(worths)
    assert billed == worths
    assert sum(billed) == sum(worths)


@settings(deadline=None)  # exact fractions of large amounts: slow on a busy machine, never wrong
@given(
    st.lists(st.tuples(quantities, prices, vat_rates), min_size=1, max_size=5), st.lists(percents, max_size=6)
)
def test_vat_is_rounded_per_line_then_per_category(lines, steps):
    """Each situation invoice is computed as EN 16931 does (line amounts two decimals, VAT per category
    on the sum of its lines): the situations' net amounts add up to the contract, the retention is at
    most 5 % of each invoice with VAT (VAT itself at most 20 %: 2 × 5 % of the net bounds it)."""
    worths = [line_worth(q, p) for q, p, _ in lines]
    previous = [Fraction(0)] * len(worths)
    withheld = []
    total_net = Decimal(0)
    for ratio in _steps(steps):
        deltas = situation_deltas(
            [LineProgress(w, prev, ratio) for w, prev in zip(worths, previous, strict=True)]
        )
        previous = [ratio] * len(worths)
        billable = [(d.amount, rate) for d, (_, _, rate) in zip(deltas, lines, strict=True) if d.amount > 0]
        if not billable:
            continue
        totals = compute_totals(
            [LineInput(quantity=Decimal(1), unit_price=amount, vat_category="S", vat_rate=rate)
             for amount, rate in billable], [])  # fmt: skip
        assert totals.line_total == sum(amount for amount, _ in billable)
        for breakdown in totals.vat_breakdown:
            exact = breakdown.taxable_amount * breakdown.rate / 100
            assert breakdown.tax_amount == exact.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        total_net += totals.line_total
        withheld.append(retention_of(totals.tax_inclusive, Decimal("5")))
    assert total_net == sum(worths)
    assert all(0 <= r <= Decimal("0.05") * total_net * 2 + Decimal("0.01") for r in withheld)


@settings(deadline=None)  # exact fractions of large amounts: slow on a busy machine, never wrong
@given(quantities, prices, percents, percents)
def test_cumulative_rounding_never_loses_a_cent(quantity, price, first, second):
    worth = line_worth(quantity, price)
    a, b = sorted([Fraction(first) / 100, Fraction(second) / 100])
    deltas = situation_deltas([LineProgress(worth, Fraction(0), a)])
    more = situation_deltas([LineProgress(worth, a, b)])
    rest = situation_deltas([LineProgress(worth, b, Fraction(1))])
    assert deltas[0].amount + more[0].amount + rest[0].amount == worth


def test_round_half_up_on_the_exact_value():
    assert round_half_up(Fraction(1, 200)) == Decimal("0.01")
    assert round_half_up(Fraction(-1, 200)) == Decimal("-0.01")
    assert round_half_up(Fraction(1, 300)) == Decimal("0.00")
    assert line_worth(Decimal("3"), Decimal("0.335")) == Decimal("1.01")  # 1.005 -> 1.01


def test_progress_by_quantity_and_by_percent():
    assert progress_ratio(quantity=Decimal("120"), done=Decimal("40")) == Fraction(1, 3)
    assert progress_ratio(quantity=Decimal("120"), percent=Decimal("65")) == Fraction(13, 20)
    assert cumulative_amount(Decimal("100.00"), Fraction(1, 3)) == Decimal("33.33")
    with pytest.raises(ProgressError) as caught:
        progress_ratio(quantity=Decimal("1"))
    assert caught.value.code == "progress_required"


@pytest.mark.parametrize(
    ("previous", "current", "correction", "code"),
    [
        (Fraction(0), Fraction(101, 100), False, "progress_above_total"),
        (Fraction(1, 2), Fraction(3, 10), False, "progress_decreasing"),
        (Fraction(0), Fraction(-1, 100), False, "progress_negative"),
    ],
)
def test_bad_progress_is_refused(previous, current, correction, code):
    with pytest.raises(ProgressError) as caught:
        situation_deltas([LineProgress(Decimal("10.00"), Fraction(0), Fraction(0)),
                          LineProgress(Decimal("100.00"), previous, current)], correction=correction)  # fmt: skip
    assert caught.value.code == code
    assert caught.value.index == 1


def test_an_explicit_correction_may_lower_progress():
    [delta] = situation_deltas(
        [LineProgress(Decimal("100.00"), Fraction(1, 2), Fraction(3, 10))], correction=True
    )
    assert (delta.cumulative, delta.previous, delta.amount) == (
        Decimal("30.00"),
        Decimal("50.00"),
        Decimal("-20.00"),
    )


def test_retention_rate_and_amount():
    assert retention_of(Decimal("12000.00"), Decimal("5")) == Decimal("600.00")
    assert retention_of(Decimal("10.10"), Decimal("5")) == Decimal("0.51")  # 0.505 -> 0.51
    assert retention_of(Decimal("10.10"), Decimal("0")) == Decimal("0.00")
    with pytest.raises(ProgressError):
        retention_of(Decimal("100"), Decimal("5.01"))
