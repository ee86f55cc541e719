import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.payment_terms import PRESETS, PaymentTerms, parse_terms, within_legal_limit

ANY_TERMS = st.builds(
    PaymentTerms,
    days=st.integers(min_value=0, max_value=120),
    end_of_month=st.booleans(),
) | st.builds(
    PaymentTerms, days=st.integers(min_value=0, max_value=120), end_of_month_then_days=st.just(True)
)
ISSUE_DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


def is_last_day_of_month(day: date) -> bool:
    return day.day == calendar.monthrange(day.year, day.month)[1]


def test_net_terms_add_calendar_days():
    # given net 30 / when issued on 15 January / then due on 14 February
    assert PaymentTerms(30).due_date(date(2025, 1, 15)) == date(2025, 2, 14)


def test_due_on_receipt_is_the_issue_date():
    assert PRESETS["receipt"].due_date(date(2025, 3, 31)) == date(2025, 3, 31)


def test_days_end_of_month_adds_the_days_then_goes_to_the_month_end():
    # given "45 jours fin de mois" / when issued on 10 January 2025 (+45 = 24 February)
    # then due on 28 February 2025
    assert PRESETS["45eom"].due_date(date(2025, 1, 10)) == date(2025, 2, 28)
    # and in a leap year on 29 February
    assert PRESETS["45eom"].due_date(date(2024, 1, 10)) == date(2024, 2, 29)


def test_end_of_month_then_days_goes_to_the_month_end_then_adds_the_days():
    # given "fin de mois 45 jours" / when issued on 10 January 2025 (end of month 31 January)
    # then due 45 days later, on 17 March 2025
    assert PRESETS["eom45"].due_date(date(2025, 1, 10)) == date(2025, 3, 17)


def test_thirty_days_end_of_month_from_the_last_day_of_a_month():
    # given 31 January + 30 days = 2 March / then due 31 March
    assert PRESETS["30eom"].due_date(date(2025, 1, 31)) == date(2025, 3, 31)


@given(terms=ANY_TERMS, issued=ISSUE_DATES)
def test_due_date_is_never_before_the_issue_date(terms, issued):
    assert terms.due_date(issued) >= issued


@given(days=st.integers(min_value=0, max_value=120), issued=ISSUE_DATES)
def test_end_of_month_terms_fall_on_the_last_day_of_a_month_no_earlier_than_the_net_date(days, issued):
    # given "N jours fin de mois" / then the due date is a month end, at most 30 days after net N
    due = PaymentTerms(days, end_of_month=True).due_date(issued)
    net = issued + timedelta(days=days)
    assert is_last_day_of_month(due)
    assert net <= due <= net + timedelta(days=30)
    assert (due.year, due.month) == (net.year, net.month)


@given(days=st.integers(min_value=0, max_value=120), issued=ISSUE_DATES)
def test_end_of_month_then_days_is_n_days_after_a_month_end(days, issued):
    due = PaymentTerms(days, end_of_month_then_days=True).due_date(issued)
    assert is_last_day_of_month(due - timedelta(days=days))


@pytest.mark.parametrize(
    ("code", "french", "english"),
    [
        ("receipt", "Paiement à réception", "Due on receipt"),
        ("net30", "30 jours net", "Net 30 days"),
        ("45eom", "45 jours fin de mois", "45 days end of month"),
        ("eom45", "fin de mois 45 jours", "end of month + 45 days"),
        ("0eom", "fin de mois", "end of month"),
    ],
)
def test_terms_are_described_in_french_and_english(code, french, english):
    terms = parse_terms(code)
    assert terms.describe() == french
    assert terms.describe("fr") == french
    assert terms.describe("en") == english
    assert terms.describe("en-GB") == english


def test_describing_in_an_unsupported_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        PRESETS["net30"].describe("de")


def test_presets_hold_the_expected_terms():
    assert set(PRESETS) == {"receipt", "net15", "net30", "net45", "net60", "45eom", "30eom", "eom45"}
    assert PRESETS["net60"] == PaymentTerms(60)
    assert PRESETS["30eom"] == PaymentTerms(30, end_of_month=True)
    assert PRESETS["eom45"] == PaymentTerms(45, end_of_month_then_days=True)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("net30", PaymentTerms(30)),
        (" NET20 ", PaymentTerms(20)),
        ("net0", PaymentTerms(0)),
        ("60eom", PaymentTerms(60, end_of_month=True)),
        ("eom30", PaymentTerms(30, end_of_month_then_days=True)),
        ("receipt", PaymentTerms(0)),
    ],
)
def test_parse_terms_reads_presets_and_codes(code, expected):
    assert parse_terms(code) == expected


@pytest.mark.parametrize("code", ["", "net", "30", "net-5", "net30days", "eom", "net1000", "fin de mois"])
def test_parse_terms_refuses_unknown_codes(code):
    with pytest.raises(ValueError, match="unknown payment terms"):
        parse_terms(code)


@given(terms=ANY_TERMS)
def test_the_code_of_terms_parses_back_to_the_same_terms(terms):
    assert parse_terms(terms.code) == terms


def test_terms_cannot_be_negative_or_both_end_of_month_variants():
    with pytest.raises(ValueError, match="negative"):
        PaymentTerms(-1)
    with pytest.raises(ValueError, match="either"):
        PaymentTerms(30, end_of_month=True, end_of_month_then_days=True)


@pytest.mark.parametrize(
    ("terms", "legal"),
    [
        (PaymentTerms(60), True),
        (PaymentTerms(61), False),
        (PaymentTerms(45, end_of_month=True), True),
        (PaymentTerms(46, end_of_month=True), False),
        (PaymentTerms(45, end_of_month_then_days=True), True),
        (PaymentTerms(60, end_of_month=True), False),
        (PaymentTerms(0), True),
    ],
)
def test_french_legal_ceiling_is_sixty_days_or_forty_five_days_end_of_month(terms, legal):
    # given the Code de commerce L441-10 limits / then each term is judged accordingly
    assert within_legal_limit(terms) is legal


def test_all_presets_are_within_the_legal_ceiling():
    assert all(within_legal_limit(terms) for terms in PRESETS.values())


@pytest.mark.parametrize(
    ("terms", "legal"),
    [
        (PaymentTerms(45), True),
        (PaymentTerms(46), False),
        (PaymentTerms(15, end_of_month=True), True),
        (PaymentTerms(16, end_of_month=True), False),
        (PaymentTerms(45, end_of_month=True), False),
    ],
)
def test_periodic_invoices_are_capped_at_forty_five_days_from_issue(terms, legal):
    assert within_legal_limit(terms, periodic_invoice=True) is legal


@given(terms=ANY_TERMS, issued=ISSUE_DATES)
def test_periodic_terms_judged_legal_are_due_within_forty_five_days_whatever_the_issue_date(terms, issued):
    if within_legal_limit(terms, periodic_invoice=True):
        assert terms.due_date(issued) - issued <= timedelta(days=45)
