"""Refunds and supplier payments leave as one pain.001.001.09 credit-transfer file."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from facturier.common.errors import Conflict, ValidationFailed
from facturier.inbox.models import ReceivedStatus
from facturier.inbox.services import einvoice_import
from facturier.payments.models import CreditTransferOrder, Payment
from facturier.payments.selectors import unallocated_credit
from facturier.payments.sepa_transfers import (
    credit_transfer_file_generate,
    refund_order,
    supplier_payment_order,
)
from facturier.payments.services import payment_record
from tests.inbox.builders import cii_bytes
from tests.sepa.conftest import assert_valid

DAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
IBAN = "DE89370400440532013000"


@pytest.fixture(autouse=True)
def inbox_dirs(settings, tmp_path):
    settings.FACTURIER_INBOX_ROOT = tmp_path / "inbox"
    settings.FACTURIER_CONFORMANCE_DIR = tmp_path / "no-conformance"


@pytest.fixture
def credit(entity, customer, owner):
    return payment_record(
        entity=entity, customer=customer, amount=Decimal("500.00"), received_on=DAY, by=owner
    )


@pytest.fixture
def supplier_invoice(entity, owner):
    (received,) = einvoice_import(entity=entity, by=owner, filename="s.xml", content=cii_bytes()).created
    received.status = ReceivedStatus.ACCEPTED
    received.save(update_fields=["status"])
    received.supplier.iban = "FR1420041010050500013M02606"
    received.supplier.save(update_fields=["iban"])
    return received


def test_a_refund_and_a_supplier_payment_make_one_valid_transfer_file(
    entity, customer, owner, credit, supplier_invoice, pain_schema
):
    # given a customer credit of 500 refunded for 120, and an accepted supplier invoice
    refund = refund_order(
        customer=customer, amount=Decimal("120.00"), iban=IBAN, execution_date=DAY, by=owner
    )
    supplier = supplier_payment_order(received_invoice=supplier_invoice, execution_date=DAY, by=owner)
    # then the refund is a negative payment: the customer's credit is 380
    assert Payment.objects.get(pk=refund.payment_id).amount == Decimal("-120.00")
    assert unallocated_credit(customer) == Decimal("380.00")
    # when the transfer file is generated
    sepa_file = credit_transfer_file_generate(entity=entity, execution_date=DAY, by=owner)
    content = bytes(sepa_file.content)
    # then it is valid pain.001.001.09 with both transfers and their sum
    assert_valid(pain_schema("pain.001.001.09"), content)
    assert sepa_file.transactions == 2
    assert sepa_file.control_sum == Decimal("120.00") + supplier.amount
    ids = etree.fromstring(content).xpath("//*[local-name()='EndToEndId']/text()")
    assert ids == [refund.end_to_end_id, supplier.end_to_end_id]
    # and generating again pays nobody twice
    assert credit_transfer_file_generate(entity=entity, execution_date=DAY, by=owner) is None


@pytest.mark.parametrize(
    ("amount", "iban", "code"),
    [(Decimal("0"), IBAN, "invalid_amount"), (Decimal("600.00"), IBAN, "over_allocation"),
     (Decimal("10.00"), "DE89370400440532013001", "invalid_iban")],
)  # fmt: skip
def test_bad_refunds_are_refused_and_nothing_is_written(customer, owner, credit, amount, iban, code):
    with pytest.raises(ValidationFailed) as error:
        refund_order(customer=customer, amount=amount, iban=iban, execution_date=DAY, by=owner)
    assert error.value.code == code
    assert not CreditTransferOrder.objects.exists()
    assert Payment.objects.count() == 1


def test_a_supplier_invoice_not_accepted_is_not_paid(supplier_invoice, owner):
    supplier_invoice.status = ReceivedStatus.NEEDS_REVIEW
    supplier_invoice.save(update_fields=["status"])
    with pytest.raises(Conflict):
        supplier_payment_order(received_invoice=supplier_invoice, execution_date=DAY, by=owner)
