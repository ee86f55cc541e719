"""Every document the drafting services accept issues: its e-invoice breaks no official rule.

Hypothesis drafts documents for every kind of customer (French B2B and B2C, public sector, EU
reverse charge, export, La Réunion, Corsica, exempt with a reason) and seller (mainland in CII
EN16931, EXTENDED or UBL, La Réunion, without a VAT number), every VAT category and French rate,
foreign currencies, line discounts, document allowances and charges, deposits then the final
invoice, full and partial credit notes, corrective invoices, quotes converted to invoices and drafts
given to another customer. Each
is drafted through the real services and issued: issuing validates the XML with the full official
rule set of ../shared/conformance (XSD, EN 16931, BR-FR; PEPPOL BIS for a UBL seller's customers
reachable on PEPPOL). Either the drafting service refuses the document with an error naming the
field, or it issues. Counterexamples found are kept below as explicit examples (docs/every-draft-issues.md).
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from facturier.common.errors import BusinessError
from facturier.invoicing.models import Document, TypeCode
from facturier.invoicing.services import (
    credit_note_create,
    document_convert,
    document_create,
    document_update,
    invoice_issue,
)
from tests.invoicing.document_specs import (
    CUSTOMER_KINDS,
    FLOWS,
    SELLERS,
    AllowanceSpec,
    DocSpec,
    LineSpec,
    allowance_data,
    header,
    line_data,
    make_customer,
    seller_entity,
)
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")

FRENCH_RATES = ["20", "10", "5.5", "2.1", "8.5", "1.75", "1.05", "13", "0.9"]
_line = {
    "price": st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20000"), places=2).map(str),
    "quantity": st.sampled_from(["1", "2", "0.5", "3.25", "12", "150"]),
    "goods": st.booleans(), "discount": st.sampled_from(["0", "0", "5", "12.5", "100"]),
}  # fmt: skip
lines = st.one_of(
    # the product's category at a French rate (the customer's regime may change it), mostly
    st.builds(LineSpec, rate=st.sampled_from(FRENCH_RATES), category=st.just(None), **_line),
    st.builds(LineSpec, rate=st.sampled_from(FRENCH_RATES), category=st.just("S"), **_line),
    # a category without VAT, at 0 %
    st.builds(LineSpec, rate=st.just("0"), category=st.sampled_from(["Z", "E", "AE", "K", "G", "O"]), **_line),
    # anything at all, which the drafting service may refuse
    st.builds(LineSpec, rate=st.sampled_from([*FRENCH_RATES, "0", "19.6", "7", "3"]),
              category=st.sampled_from([None, "S", "Z", "E", "AE", "K", "G", "O", "L"]), **_line),
)  # fmt: skip
allowances = st.builds(
    AllowanceSpec,
    amount=st.sampled_from(["5.00", "10.00", "49.99"]),
    is_charge=st.booleans(),
    category=st.sampled_from(["S", "S", "Z", "E", "AE", "K", "G", "O", "M"]),
    rate=st.sampled_from(["20.00", "10.00", "5.50", "8.50", "0.00"]),
) | st.builds(AllowanceSpec, amount=st.none(), percent=st.sampled_from(["2", "10"]), is_charge=st.booleans())


@st.composite
def documents(draw: Any) -> DocSpec:
    kind = draw(st.sampled_from(CUSTOMER_KINDS))
    country = {"eu": st.sampled_from(["DE", "BE", "IT"]), "export": st.sampled_from(["US", "CH", "GB"])}
    return DocSpec(
        seller=draw(st.sampled_from(SELLERS)), customer=kind,
        country=draw(country[kind]) if kind in country else "",
        lines=tuple(draw(st.lists(lines, min_size=1, max_size=4))),
        allowances=tuple(draw(st.lists(allowances, max_size=2))),
        currency=draw(st.sampled_from(["EUR", "EUR", "USD", "GBP", "CHF"])),
        language=draw(st.sampled_from(["fr", "en"])), flow=draw(st.sampled_from(FLOWS)),
    )  # fmt: skip


class Refused(Exception):
    """The drafting service refused the document, naming the field: a correct outcome."""


def _draft(**kwargs: Any) -> Document:
    maker = credit_note_create if "invoice" in kwargs else document_create
    try:
        first_customer, via_quote = kwargs.pop("first_customer", None), kwargs.pop("via_quote", False)
        if first_customer is not None:  # drafted for another customer, then given to this one
            draft = document_create(**{**kwargs, "customer": first_customer})
            return document_update(document=draft, by=kwargs["by"], customer=kwargs["customer"])
        if via_quote:
            quote = document_create(**{**kwargs, "kind": "quote"})
            return document_convert(document=quote, to_kind="invoice", by=kwargs["by"])
        return maker(**kwargs)
    except BusinessError as error:
        if not error.field:
            pytest.fail(f"refused without naming the field: {error.code}: {error.message}")
        event(f"refused at draft: {error.code} ({error.field.split('[')[0]})")
        raise Refused from error


def _issue(document: Document, by: Any) -> Document:
    try:
        return invoice_issue(invoice=document, by=by)
    except BusinessError as error:
        findings = "\n".join(
            f"  {f['rule']} ({f['severity']}) {f['location']}: {f['message']}"
            for f in error.extra.get("findings", [])
            if f["severity"] != "warning"
        )
        pytest.fail(f"a drafted document did not issue: {error.code}: {error.message}\n{findings}")


def _scaled(spec: LineSpec, factor: str) -> LineSpec:
    return replace(spec, quantity=str((Decimal(spec.quantity) * Decimal(factor)).quantize(Decimal("0.001"))))


def issue_all(spec: DocSpec, entities: dict[str, Any], owner: Any, code: str) -> list[Document]:
    """Draft and issue what the spec describes; the documents issued, in order."""
    entity = seller_entity(spec.seller, entities, owner)
    buyer = make_customer(entity, spec, code, owner)
    common = {"entity": entity, "kind": "invoice", "customer": buyer, "by": owner, **header(spec)}
    drafted = [line_data(line, i + 1) for i, line in enumerate(spec.lines)]
    charges = [allowance_data(item) for item in spec.allowances]
    issued = []
    deposits = []
    if spec.flow == "deposit_then_final":
        deposit_lines = [line_data(_scaled(line, "0.3"), i + 1) for i, line in enumerate(spec.lines)]
        deposit = _draft(**common, lines=deposit_lines, type_code=TypeCode.DEPOSIT)
        deposits = [_issue(deposit, owner)]
        issued += deposits
    first = (
        make_customer(entity, replace(spec, customer="b2b"), f"{code}-1", owner)
        if spec.flow == "customer_changed"
        else None
    )
    invoice = _issue(_draft(**common, lines=drafted, allowances_charges=charges, deposits=deposits,
                            via_quote=spec.flow == "from_quote", first_customer=first), owner)  # fmt: skip
    issued.append(invoice)
    if spec.flow == "credit_full":
        issued.append(_issue(_draft(invoice=invoice, by=owner), owner))
    if spec.flow == "credit_partial":
        partial = [line_data(_scaled(spec.lines[0], "0.5"), 1)]
        issued.append(_issue(_draft(invoice=invoice, by=owner, lines=partial), owner))
    if spec.flow == "corrective":
        corrective = _draft(**common, lines=drafted, allowances_charges=charges, type_code=TypeCode.CORRECTIVE,
                            preceding_invoice=invoice)  # fmt: skip
        issued.append(_issue(corrective, owner))
    return issued


@pytest.fixture
def entities() -> dict[str, Any]:
    """The sellers created so far in this test (the database is rolled back after it)."""
    return {}


_CODES = itertools.count()


@pytest.mark.slow
@settings(
    max_examples=int(os.environ.get("EVERY_DRAFT_EXAMPLES", "500")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(spec=documents())
# BR-O-02: services to a business outside the EU (category O) carried the seller's VAT number
@example(spec=DocSpec(customer="export", country="US", currency="USD", language="en", flow="credit_partial",
                      lines=(LineSpec("1500", "3"), LineSpec("250"))))  # fmt: skip
# PEPPOL-EN16931-CL008: a UBL seller's customer known only by email was checked against PEPPOL BIS
@example(spec=DocSpec(seller="metro_ubl", customer="b2c"))
# BR-AE-03: a reverse-charge allowance for a consumer (no VAT number, no SIREN) is refused at draft
@example(spec=DocSpec(customer="b2c", allowances=(AllowanceSpec("5.00", category="AE", rate="0.00"),)))
# BR-O-11..14 (and BR-S-03, the VAT numbers being left out): a standard-rated allowance on lines
# outside the scope of VAT is refused at draft, naming the allowance
@example(spec=DocSpec(lines=(LineSpec("0.01", rate="0", category="O"),), allowances=(AllowanceSpec("5.00"),)))
# BR-FR-16, BR-S-05, BR-E-05: rates not in force in France, or a rate on a category without VAT
@example(spec=DocSpec(lines=(LineSpec("10", rate="3"), LineSpec("10", rate="20", category="E"))))
# BR-S-02: a company without a VAT number charged VAT: refused at draft; its exempt invoices issue
# with its SIREN as tax registration identifier (BT-32, BR-E-02)
@example(spec=DocSpec(seller="no_vat_number"))
@example(spec=DocSpec(seller="no_vat_number", customer="exempt", flow="credit_partial"))
# BR-IC-11, BR-IC-12: an intra-Community allowance on other lines had no delivery date and country
@example(spec=DocSpec(allowances=(AllowanceSpec("5.00", category="K", rate="0.00"),)))
# BR-AE-02: a draft given to a consumer kept its reverse-charge line (lines are checked again now)
@example(
    spec=DocSpec(customer="b2c", flow="customer_changed", lines=(LineSpec("100", rate="0", category="AE"),))
)
# BR-FR-15: category L (Canary Islands IGIC) was accepted; it is refused at draft now
@example(spec=DocSpec(lines=(LineSpec("0.01"), LineSpec("0.01", rate="0", category="L"))))
def test_every_document_the_drafting_services_accept_issues(entities, owner, spec):
    # given a document drafted through the services (a refusal names the field)
    # when it is issued, then its e-invoice breaks no official rule
    try:
        issued = issue_all(spec, entities, owner, f"G{next(_CODES)}")
    except Refused:
        return
    event(f"issued {spec.flow} for {spec.customer}")
    event(f"issued by {spec.seller}")
    assert all(document.is_sealed for document in issued)
