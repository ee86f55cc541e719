"""The pure approval engine: rule matching, plans, progress, approvers and supplier pre-checks."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.approvals.approvers import Delegation, candidates, shortfall
from facturier.domain.approvals.prechecks import (
    AMOUNT_UNUSUAL,
    BANK_DETAILS_CHANGED,
    DUPLICATE_AMOUNT_DATE,
    DUPLICATE_NUMBER,
    MISSING_PURCHASE_ORDER,
    SupplierInvoice,
    prechecks,
)
from facturier.domain.approvals.rules import Facts, LevelSpec, Rule, plan_for, progress

LEAD = LevelSpec(roles=frozenset({"approver"}), label="team lead")
DIRECTOR = LevelSpec(users=frozenset({"dir"}), label="finance director")
RULES = [
    Rule(name="a-lead", levels=(LEAD,), currency="EUR"),
    Rule(name="b-director", levels=(DIRECTOR,), min_amount=Decimal("10000"), currency="EUR"),
]
amounts = st.decimals(min_value=Decimal("-1e7"), max_value=Decimal("1e7"), places=2, allow_nan=False)


def facts(amount: Decimal, **kw: str) -> Facts:
    return Facts(amount=amount, currency=kw.pop("currency", "EUR"), document_type="invoice", **kw)


@given(amounts)
def test_the_director_is_added_exactly_from_the_threshold(amount: Decimal) -> None:
    plan = plan_for(RULES, facts(amount))
    expected = [LEAD, DIRECTOR] if amount >= 10000 else [LEAD]
    assert [level.spec for level in plan.levels] == expected


def test_thresholds_are_inclusive_below_and_exclusive_above() -> None:
    small = Rule(name="small", levels=(LEAD,), max_amount=Decimal("1000"), currency="EUR")
    assert small.matches(facts(Decimal("999.99")))
    assert not small.matches(facts(Decimal("1000")))


def test_amount_rules_never_match_another_currency() -> None:
    assert plan_for(RULES, facts(Decimal("50000"), currency="USD")).levels == ()


def test_an_exception_replaces_the_general_circuit() -> None:
    vip = Rule(name="vip", levels=(DIRECTOR,), parties=frozenset({"c1"}), exception=True)
    plan = plan_for([*RULES, vip], facts(Decimal("5"), party_id="c1"))
    assert [level.rule for level in plan.levels] == ["vip"]
    assert [level.rule for level in plan_for([*RULES, vip], facts(Decimal("5"), party_id="c2")).levels] == [
        "a-lead"
    ]


def test_conditions_on_type_cost_centre_country_and_entity() -> None:
    rule = Rule(
        name="r", levels=(LEAD,), document_types=frozenset({"credit_note"}),
        cost_centres=frozenset({"CC1"}), countries=frozenset({"FR"}), entities=frozenset({"e"}),
    )  # fmt: skip
    good = Facts(Decimal(1), "EUR", "credit_note", entity_id="e", country="FR", cost_centre="CC1")
    assert rule.matches(good)
    for change in (
        {"document_type": "invoice"},
        {"cost_centre": "CC2"},
        {"country": "DE"},
        {"entity_id": "x"},
    ):
        assert not rule.matches(Facts(**{**good.__dict__, **change}))


@given(st.lists(st.integers(min_value=1, max_value=3), min_size=1, max_size=4), st.data())
def test_progress_walks_levels_in_order(required: list[int], data: st.DataObject) -> None:
    approvals = [data.draw(st.integers(min_value=0, max_value=need)) for need in required]
    state = progress(required, approvals, rejected=False, skipped=frozenset())
    first_short = next((i for i, (n, g) in enumerate(zip(required, approvals, strict=True)) if g < n), None)
    assert state.level == first_short
    assert state.approved == (first_short is None)
    assert progress(required, approvals, rejected=True, skipped=frozenset()).rejected


def test_an_escalated_level_is_skipped() -> None:
    assert progress([1, 1], [0, 0], rejected=False, skipped=frozenset({0})).level == 1


MEMBERS = {"u1": "approver", "u2": "approver", "dir": "admin", "sales": "sales"}
DAY = dt.date(2024, 2, 29)


def test_candidates_by_role_and_name_without_authors() -> None:
    assert candidates(LEAD, MEMBERS, day=DAY) == {"u1", "u2"}
    assert candidates(LEAD, MEMBERS, day=DAY, excluded=frozenset({"u1"})) == {"u2"}
    assert candidates(DIRECTOR, MEMBERS, day=DAY) == {"dir"}
    assert candidates(DIRECTOR, {"u1": "approver"}, day=DAY) == frozenset()  # no longer a member


def test_delegation_applies_only_within_its_dates() -> None:
    away = [Delegation("dir", "u1", dt.date(2024, 2, 28), dt.date(2024, 3, 1))]
    assert candidates(DIRECTOR, MEMBERS, delegations=away, day=DAY) == {"u1"}
    assert candidates(DIRECTOR, MEMBERS, delegations=away, day=dt.date(2024, 3, 2)) == {"dir"}
    assert candidates(DIRECTOR, MEMBERS, delegations=away, day=dt.date(2024, 2, 27)) == {"dir"}


def test_shortfall_counts_missing_approvers() -> None:
    both = LevelSpec(roles=frozenset({"approver"}), required=2)
    assert shortfall(both, frozenset({"u1", "u2"})) == 0
    assert shortfall(both, frozenset({"u1"})) == 1


def _inv(number: str, amount: str, day: int, iban: str = "", po: str = "PO") -> SupplierInvoice:
    return SupplierInvoice(number, Decimal(amount), dt.date(2024, 1, day), iban, po)


def test_prechecks_find_each_suspicion() -> None:
    history = [_inv("A1", "100", 1, "FR76 1"), _inv("A2", "110", 2, "FR761"), _inv("A3", "90", 3, "FR761")]
    assert prechecks(_inv("A4", "100", 4, "FR761"), history) == []
    codes = [f.code for f in prechecks(_inv("a 2", "90", 3, "DE89", po=""), history)]
    assert codes == [DUPLICATE_NUMBER, DUPLICATE_AMOUNT_DATE, BANK_DETAILS_CHANGED, MISSING_PURCHASE_ORDER]
    assert [f.code for f in prechecks(_inv("A9", "300.01", 9, "FR761"), history)] == [AMOUNT_UNUSUAL]
    assert prechecks(_inv("A9", "300", 9, "FR761"), history) == []


@given(st.lists(st.decimals(min_value=1, max_value=10000, places=2), min_size=0, max_size=2))
def test_a_short_history_never_flags_the_amount(amounts_seen: list[Decimal]) -> None:
    history = [_inv(f"N{i}", str(a), 1) for i, a in enumerate(amounts_seen)]
    assert AMOUNT_UNUSUAL not in {f.code for f in prechecks(_inv("X", "999999", 2), history)}
