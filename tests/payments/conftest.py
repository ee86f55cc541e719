"""Fixtures of the payments tests."""

from tests.payments.online_fixtures import invoice, online, paypal, paypal_account, stripe, stripe_account  # noqa: F401
