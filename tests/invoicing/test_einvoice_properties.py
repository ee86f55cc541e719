"""Whatever lines a user types (quantities, prices, discounts, rates, allowances), the e-invoice adds up.

Hypothesis draws documents; the official EN 16931 and BR-FR rules (BR-CO-10..17 totals, line and VAT
breakdown sums) must find no error in the CII and UBL we produce from them.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.invoicing.einvoice import full_report
from facturier.invoicing.services import AllowanceChargeData, LineData, document_create
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")

RATES = [Decimal("20"), Decimal("10"), Decimal("5.5"), Decimal("2.1")]
lines = st.lists(
    st.builds(
        LineData,
        description=st.just("Article"),
        quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("5000"), places=3),
        unit_price=st.decimals(min_value=Decimal("0"), max_value=Decimal("99999"), places=4),
        discount_percent=st.sampled_from([Decimal("0"), Decimal("5"), Decimal("12.5"), Decimal("33.33")]),
        vat_rate=st.sampled_from(RATES),
        accounting_category=st.sampled_from(["goods", "services"]),
    ),
    min_size=1,
    max_size=6,
)
allowances = st.lists(
    st.builds(
        AllowanceChargeData,
        reason=st.just("Ajustement"),
        amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2),
        is_charge=st.booleans(),
        vat_rate=st.sampled_from([Decimal("20.00"), Decimal("10.00")]),
    ),
    max_size=2,
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn_lines=lines, drawn_allowances=allowances)
def test_any_drafted_invoice_passes_the_official_rules(
    entity, customer, owner, drawn_lines, drawn_allowances
):
    # given a draft with whatever lines and document allowances/charges were drawn
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=drawn_lines,
                            allowances_charges=drawn_allowances)  # fmt: skip
    if draft.tax_exclusive <= 0:
        return  # an invoice pays something; negative totals are credit notes
    # then its CII and UBL break no rule
    for syntax, profile in (("cii", "EN16931"), ("ubl", None)):
        report = full_report(draft, syntax=syntax, profile=profile)
        assert [f"{f.rule_id}: {f.message}" for f in report.errors] == [], syntax
