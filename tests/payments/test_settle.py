"""`settle` (Python, for the lists) says what `with_settlement` (SQL, for the filters) says, row by row."""

from decimal import Decimal

import pytest
import time_machine

from facturier.invoicing.models import Document
from facturier.payments.selectors import (
    Settlement,
    settle,
    settlement_for,
    with_settled_amounts,
    with_settlement,
)
from tests.growth import ISSUED_ON, grow


@time_machine.travel(ISSUED_ON, tick=False)
def test_settle_gives_the_balance_and_settlement_the_database_computes(entity, product, owner):
    # given unpaid, partly paid and credited invoices, their credit notes, and draft quotes and orders
    grow(entity, product, owner, up_to=7)
    documents = Document.objects.filter(entity=entity).order_by("pk")
    # when the lists read the amounts only and settle in Python
    rows = list(with_settled_amounts(documents))
    settle(rows)
    # then every row has the balance and settlement of the SQL annotations
    expected = [(d.pk, d.balance, d.settlement) for d in with_settlement(documents)]
    assert [(d.pk, d.balance, d.settlement) for d in rows] == expected
    assert {settlement for _pk, _balance, settlement in expected} >= {"unpaid", "partially_paid"}


@pytest.mark.parametrize(
    ("payable", "paid", "credited", "expected"),
    [
        ("100", "0", "0", Settlement.UNPAID),
        ("0", "0", "0", Settlement.PAID),
        ("100", "40", "0", Settlement.PARTIALLY_PAID),
        ("100", "0", "100", Settlement.PAID),
        ("100", "60", "40", Settlement.PAID),
        ("100", "120", "0", Settlement.OVERPAID),
        ("-50", "0", "0", Settlement.OVERPAID),
    ],
)
def test_settlement_cases_in_order(payable, paid, credited, expected):
    assert settlement_for(Decimal(payable), Decimal(paid), Decimal(credited)) == expected
