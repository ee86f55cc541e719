"""References one typo away: a digit dropped (not only a leading zero), two digits swapped, a digit replaced,
in an invoice number or an RF creditor reference. Policy (docs/reconciliation.md): such a match is only a
proposal, never automatic, unless the amount agrees (exact or cents within the write-off tolerance) and the
payer is known (IBAN, name or learned alias); the company's automatic threshold does not change that."""

import datetime as dt
from decimal import Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from facturier.domain.creditor_reference import from_invoice_number
from facturier.domain.reconciliation import OpenItem, Rules, Status, reconcile
from facturier.domain.reconciliation.normalise import number_keys

from .factories import book, item, line

EAGER = Rules(auto_threshold=0.6, propose_threshold=0.5)  # a company that lets the engine decide a lot


def codes(match):
    return [reason.code for reason in match.reasons]


def keys(match):
    return [allocation.item_key for allocation in match.allocations]


def test_a_dropped_digit_inside_the_number_is_found_and_only_proposed():
    # FAC-2026-00042 written "FAC-2026-0042" was already found by the loose key (a leading zero);
    # "FAC-202-00042" drops the 6 of the year: only the typo search finds it
    [match] = reconcile([line("1200.00", "Facture FAC-202-00042")], book())
    assert match.status is Status.PROPOSED
    assert keys(match) == ["i1"]
    assert "reference_fuzzy" in codes(match)


def test_a_dropped_digit_with_the_amount_and_the_payer_is_reconciled():
    [match] = reconcile([line("1200.00", "FAC-202-00042", payer="BOULANGERIE MARTIN SARL")], book())
    assert match.status is Status.AUTO
    assert keys(match) == ["i1"]


def test_a_typo_is_never_automatic_on_the_amount_alone_even_with_a_low_threshold():
    [match] = reconcile([line("1200.00", "FAC-202-00042")], book(), rules=EAGER)
    assert match.status is Status.PROPOSED
    assert keys(match) == ["i1"]


def test_a_typo_with_a_merely_similar_payer_name_is_only_proposed():
    [match] = reconcile(
        [line("1200.00", "FAC-2026-00024", payer="BOULANGERIES MARTINEZ")], book(), rules=EAGER
    )
    assert match.status is Status.PROPOSED


def test_a_typo_with_the_payer_but_bank_fees_taken_is_only_proposed():
    [match] = reconcile([line("1196.00", "FAC-2026-00024", payer="Boulangerie Martin")], book())
    assert match.status is Status.PROPOSED
    assert keys(match) == ["i1"]


def test_an_rf_reference_with_two_digits_swapped_or_one_dropped_is_proposed():
    reference = from_invoice_number("FAC-2026-00042")  # RF..FAC202600042
    swapped = reference[:-2] + reference[-1] + reference[-2]  # ...00024: check digits now wrong
    dropped = reference[:8] + reference[9:]  # a digit of 2026 left out
    for typed in (swapped, dropped):
        [match] = reconcile([line("1200.00", reference=typed)], book())
        assert match.status is Status.PROPOSED, typed
        assert keys(match) == ["i1"], typed


def test_a_stored_rf_reference_of_an_imported_item_mistyped_is_proposed():
    # an open item brought from the previous tool with its own RF reference (not built from its number)
    imported = OpenItem(key="o1", number="ANC-17", customer_key="c9", customer_name="Zorbal Optique",
                        open_amount=Decimal("640.00"), currency="EUR", issue_date=dt.date(2026, 1, 5),
                        rf_reference="RF71 4567 8912 3")  # fmt: skip
    assert imported.rf_reference.replace(" ", "")[4:] == "456789123"
    [match] = reconcile([line("640.00", "Paiement RF71 4567 8192 3")], [*book(), imported])
    assert match.status is Status.PROPOSED
    assert keys(match) == ["o1"]


def _typos(number: str, data) -> str:
    """One typo of `number`'s digits: one dropped, two different neighbours swapped, or one replaced."""
    digits = [at for at, char in enumerate(number) if char.isdigit()]
    at = data.draw(st.sampled_from(digits))
    kind = data.draw(st.sampled_from(["drop", "swap", "replace"]))
    if kind == "drop":
        return number[:at] + number[at + 1 :]
    if kind == "swap":
        assume(at + 1 < len(number) and number[at + 1].isdigit() and number[at] != number[at + 1])
        return number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != number[at]]))
    return number[:at] + digit + number[at + 1 :]


@settings(max_examples=150, deadline=None)
@given(
    sequence=st.integers(min_value=1, max_value=99_999),
    others=st.lists(st.integers(min_value=1, max_value=99_999), max_size=6),
    amount=st.decimals(min_value=Decimal("10.00"), max_value=Decimal("9000.00"), places=2),
    with_payer=st.booleans(),
    data=st.data(),
)
def test_a_mistyped_reference_is_automatic_only_with_the_amount_and_the_payer(
    sequence, others, amount, with_payer, data
):
    number = f"FAC-2026-{sequence:05d}"
    typed = _typos(number, data)
    items = [item("target", number, str(amount), customer="c1", name="Boulangerie Martin SARL")]
    # other customers' invoices, other amounts: sometimes the typo is one of their real numbers
    for position, other in enumerate(dict.fromkeys(others)):
        if f"FAC-2026-{other:05d}" != number:
            items.append(item(f"o{position}", f"FAC-2026-{other:05d}", str(amount + 7 + position),
                              customer=f"c{position + 2}", name=f"Client {position} Optique"))  # fmt: skip
    payer = "BOULANGERIE MARTIN" if with_payer else ""
    [match] = reconcile([line(str(amount), f"Reglement {typed}", payer=payer)], items, rules=EAGER)
    # a dropped leading zero is a reformatting (the loose key), not a typo
    exact = number_keys(typed)[1] in {number_keys(candidate.number)[1] for candidate in items}
    if match.status is Status.AUTO:
        # settled by itself: always the right invoice, and only with the payer (or an exact quote)
        assert keys(match) == ["target"]
        assert with_payer or exact
    if not exact:
        # the typo never lands on a wrong automatic match, and the right invoice is at least proposed
        assert match.status is not Status.UNMATCHED or "ambiguous" in codes(match)
        if match.status is Status.PROPOSED:
            assert keys(match) == ["target"]
        if not with_payer:
            assert match.status is not Status.AUTO
