"""The demo's construction contract: three situations (30 %, 65 %, 100 % of the works on the whole),
issued and validated, the retention withheld on each, dates counted from the anchor."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from facturier.construction.models import ConstructionContract, ContractStatus
from facturier.construction.selectors import contract_summary
from facturier.demo.loader import load_demo
from facturier.invoicing.models import Status

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.mark.parametrize(
    "instant", [dt.datetime(2027, 1, 1, 8, tzinfo=dt.UTC), dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC)]
)
def test_the_demo_has_a_contract_billed_by_three_situations(instant):
    with time_machine.travel(instant, tick=False):
        result = load_demo(scale=0.05)
    contract = ConstructionContract.objects.get(entity=result.entity)
    today = instant.date()
    assert contract.reference == f"MT-{today:%Y}-001"
    situations = list(contract.situations.order_by("number"))
    assert [s.date for s in situations] == [today - dt.timedelta(days=d) for d in (75, 45, 10)]
    summary = contract_summary(contract)
    assert summary.invoiced == summary.worth == sum(s.amount for s in situations)
    for situation in situations:
        document = situation.document
        assert document.status in (Status.ISSUED, Status.SENT)
        assert document.issue_date <= today
        assert situation.retention == (document.tax_inclusive * Decimal("0.05")).quantize(Decimal("0.01"))
        assert document.payable == document.tax_inclusive - situation.retention
    # progress on the whole: about 30 %, 65 %, 100 %
    shares = [sum(s.amount for s in situations[: i + 1]) * 100 / summary.worth for i in range(3)]
    assert Decimal(30) < shares[0] < Decimal(32)
    assert Decimal(64) < shares[1] < Decimal(65)
    assert shares[2] == 100
    assert contract.status == ContractStatus.ACCEPTED
    assert summary.withheld > 0
