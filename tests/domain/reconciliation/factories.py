"""Small builders for open items and bank lines (the defaults are a plain, unrelated case)."""

import datetime as dt
from decimal import Decimal

from facturier.domain.creditor_reference import from_invoice_number
from facturier.domain.reconciliation import BankLine, OpenItem

PAID_ON = dt.date(2026, 3, 2)


def item(
    key,
    number,
    amount,
    *,
    customer="c1",
    name="Boulangerie Martin SARL",
    currency="EUR",
    rf=False,
    issued=None,
):
    return OpenItem(
        key=key,
        number=number,
        customer_key=customer,
        customer_name=name,
        open_amount=Decimal(amount),
        currency=currency,
        issue_date=issued or dt.date(2026, 1, 15),
        due_date=(issued or dt.date(2026, 1, 15)) + dt.timedelta(days=30),
        rf_reference=from_invoice_number(number) if rf else "",
    )


def line(amount, remittance="", *, key="l1", currency="EUR", payer="", iban="", reference="", booked=PAID_ON):
    return BankLine(
        key=key,
        booking_date=booked,
        amount=Decimal(amount),
        currency=currency,
        remittance=remittance,
        structured_reference=reference,
        counterparty_name=payer,
        counterparty_iban=iban,
    )


def book():
    """Three customers with a few open invoices each."""
    return [
        item("i1", "FAC-2026-00042", "1200.00", rf=True),
        item("i2", "FAC-2026-00043", "80.00", customer="c2", name="Dupont Freres SA"),
        item("i3", "FAC-2026-00044", "50.00", customer="c2", name="Dupont Freres SA"),
        item("i4", "FAC-2026-00045", "310.40", customer="c2", name="Dupont Freres SA"),
        item("i5", "FAC-2026-00046", "99.00", customer="c3", name="Kavenor Transports"),
        item("i6", "FAC-2026-00047", "99.00", customer="c3", name="Kavenor Transports"),
        item("i7", "F70012", "455.10", customer="c3", name="Kavenor Transports"),
    ]
