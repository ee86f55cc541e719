"""The fast paths of the list pages write exactly what Babel and the status include write (issue 9)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from babel.numbers import format_currency
from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from facturier.web.templatetags.facturier_format import LOCALES, money, status_badges

CURRENCIES = ["EUR", "USD", "GBP", "CHF", "JPY", "XPF", "SEK", "KWD", "CAD", "XXX"]


@given(
    value=st.decimals(min_value=Decimal("-1e11"), max_value=Decimal("1e11"), places=3, allow_nan=False),
    currency=st.sampled_from(CURRENCIES),
    language=st.sampled_from(["fr", "en"]),
)
def test_money_writes_what_babel_writes(value, currency, language):
    with translation.override(language):
        assert money(value, currency) == format_currency(value, currency, locale=LOCALES[language])


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("status", "settlement", "overdue", "type_code", "sealed"),
    [("issued", "paid", False, "380", True), ("sent", "partially_paid", True, "380", True),
     ("draft", None, False, "380", False), ("issued", "unpaid", True, "381", True)],
)  # fmt: skip
def test_status_badges_write_what_the_status_include_writes(
    language, status, settlement, overdue, type_code, sealed
):
    document = SimpleNamespace(status=status, settlement=settlement, overdue=overdue, kind="invoice",
                               type_code=type_code, is_sealed=sealed, is_credit_note=type_code == "381")  # fmt: skip
    with translation.override(language):
        assert status_badges(document) == render_to_string(
            "web/includes/status.html", {"document": document}
        ).rstrip("\n")
