from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.reconciliation.subset_sum import subsets_within

amounts = st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("900.00"), places=2), max_size=25)


def test_finds_the_invoices_that_add_up_to_the_payment():
    found = subsets_within(
        [Decimal("80.00"), Decimal("50.00"), Decimal("310.40")], Decimal("360.40"), Decimal("360.40")
    )
    assert found == [(1, 2)]


@given(
    amounts, st.decimals(min_value=Decimal("1.00"), max_value=Decimal("3000.00"), places=2), st.integers(2, 5)
)
def test_every_subset_found_is_within_the_bounds(values, target, largest):
    for subset in subsets_within(values, target - 1, target + 5, max_size=largest):
        assert 2 <= len(subset) <= largest
        assert list(subset) == sorted(set(subset))
        assert target - 1 <= sum(values[at] for at in subset) <= target + 5


@given(st.lists(st.integers(1, 500), min_size=2, max_size=12), st.data())
def test_a_planted_pair_is_found_when_the_search_is_small(values, data):
    first, second = data.draw(st.lists(st.integers(0, len(values) - 1), min_size=2, max_size=2, unique=True))
    target = Decimal(values[first] + values[second])
    found = subsets_within([Decimal(v) for v in values], target, target, max_size=2, limit=1000, budget=10**6)
    assert tuple(sorted((first, second))) in found
