"""Which rate bills an entry: customer+person > person > task > customer > role > default."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.timesheets.rates import EntryFacts, InvalidRule, Level, RateRule, level_of, resolve_rate

FACTS = EntryFacts(customer="c1", person="p1", project="pr1", task="Audit", role="Senior")
ALL_LEVELS = [
    RateRule(Decimal(150), customer="c1", person="p1", ref="customer+person"),
    RateRule(Decimal(140), person="p1", ref="person"),
    RateRule(Decimal(130), task="audit", ref="task"),
    RateRule(Decimal(120), customer="c1", ref="customer"),
    RateRule(Decimal(110), role=" senior ", ref="role"),
    RateRule(Decimal(100), ref="default"),
]


@given(st.permutations(ALL_LEVELS))
def test_the_most_specific_rule_wins_whatever_the_order_of_the_card(rules):
    chosen = resolve_rate(list(rules), FACTS)
    assert chosen is not None
    assert chosen.ref == "customer+person"


@pytest.mark.parametrize("dropped", range(len(ALL_LEVELS) - 1))
def test_without_the_more_specific_rules_the_next_level_wins(dropped):
    # given the card without every rule more specific than `dropped`
    rules = ALL_LEVELS[dropped:]
    assert resolve_rate(rules, FACTS).ref == ALL_LEVELS[dropped].ref


def test_a_project_rule_beats_a_company_rule_of_the_same_level():
    rules = [RateRule(Decimal(90), ref="company"), RateRule(Decimal(95), project="pr1", ref="project")]
    assert resolve_rate(rules, FACTS).ref == "project"


def test_rules_for_another_person_customer_or_project_do_not_apply():
    rules = [
        RateRule(Decimal(1), person="p2"),
        RateRule(Decimal(2), customer="c2", person="p1"),
        RateRule(Decimal(3), project="pr2"),
        RateRule(Decimal(4), task="Design"),
    ]
    assert resolve_rate(rules, FACTS) is None


def test_a_rule_naming_task_and_role_is_not_ranked():
    with pytest.raises(InvalidRule):
        level_of(RateRule(Decimal(1), task="a", role="b"))
    assert level_of(RateRule(Decimal(1))) == Level.DEFAULT
