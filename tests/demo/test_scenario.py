"""The demo plan is pure and deterministic: same seed and day, same deals; nothing after today."""

import datetime as dt
import random

from facturier.demo.customers import CUSTOMERS
from facturier.demo.products import PRODUCTS
from facturier.demo.scenario import PATHS, PAYMENTS, Planner, allocate, business_day


def _plan(anchor: dt.date, seed: int = 7, count: int = 120):
    return Planner(random.Random(seed), anchor, CUSTOMERS, PRODUCTS).plan(count, PATHS, PAYMENTS)


def test_the_same_seed_and_day_give_the_same_plan():
    anchor = dt.date(2026, 11, 23)
    assert _plan(anchor) == _plan(anchor)
    assert _plan(anchor) != _plan(anchor, seed=8)


def test_no_step_is_after_the_anchor_day_or_on_a_weekend():
    anchor = dt.date(2026, 3, 1)  # a Sunday
    for deal in _plan(anchor):
        for step in deal.steps:
            assert step.day <= anchor
            assert step.day.weekday() < 5


def test_steps_of_a_deal_never_go_back_in_time():
    for deal in _plan(dt.date(2026, 11, 23)):
        keys = [step.key for step in deal.steps]
        assert [key[:2] for key in keys] == sorted(key[:2] for key in keys)


def test_every_path_and_payment_profile_appears_even_at_small_scale():
    labels = allocate(PAYMENTS, 12, random.Random(1))
    assert len(labels) == 12
    assert set(labels) >= {"on_time", "dispute_open", "credit_full"}


def test_weekend_days_move_to_monday_unless_monday_is_after_the_anchor():
    saturday = dt.date(2026, 11, 21)
    assert business_day(saturday, dt.date(2026, 12, 1)) == dt.date(2026, 11, 23)
    assert business_day(saturday, saturday) == dt.date(2026, 11, 20)


def test_disputes_credits_unpaid_invoices_and_deposits_always_unfold_before_today():
    # given plans drawn on many different days
    for offset in range(0, 60, 7):
        anchor = dt.date(2026, 11, 23) - dt.timedelta(days=offset)
        for deal in _plan(anchor, count=60):
            actions = [step.action for step in deal.steps]
            # then every deal that must be seen to its end has all its steps
            if deal.payment in ("dispute_open", "dispute_credit"):
                assert "dispute" in actions, deal
            if deal.payment in ("credit_full", "credit_partial"):
                assert deal.payment in actions, deal
            if deal.payment == "partial_open":
                assert "payment" in actions, deal
            if deal.path == "deposit":
                assert {"deposit", "deposit_payment", "invoice"} <= set(actions), deal
