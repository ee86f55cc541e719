"""The payments pages: record from the invoice page, the list, allocate/unallocate/reverse, apply credit,
the printable statement of account; other companies' payments stay invisible."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.invoicing.services import invoice_issue
from facturier.payments.models import Payment
from facturier.payments.selectors import Settlement, settlement_of
from facturier.payments.services import payment_record
from tests.web.conftest import page_messages

DAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60


def test_a_payment_recorded_on_the_invoice_page_is_shown_there_with_its_allocation(owner_client, invoice):
    url = reverse("web:document-action", kwargs={"pk": invoice.pk, "action": "payment"})
    response = owner_client.post(url, {"amount": "1000,00", "received_on": "2026-11-20", "reference": "VIR 7",
                                       "method": "cheque"}, follow=True)  # fmt: skip
    assert response.status_code == 200
    payment = Payment.objects.get()
    assert payment.method == "cheque"
    page = response.content.decode()
    assert 'id="invoice-payments"' in page
    assert "VIR 7" in page
    assert reverse("web:payment-detail", kwargs={"pk": payment.pk}) in page


def test_recording_allocating_unallocating_and_reversing_from_the_payment_pages(
    owner_client, invoice, customer
):
    # record 3,500 for the customer
    response = owner_client.post(reverse("web:payment-create"), {
        "customer": customer.pk, "amount": "3500,00", "received_on": "2026-11-20", "method": "transfer",
        "reference": "VIR 8", "payer": "MARTIN",
    })  # fmt: skip
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:payment-detail", kwargs={"pk": payment.pk})
    # its page offers the customer's open invoice
    page = owner_client.get(response["Location"]).content.decode()
    assert invoice.number in page
    # allocate the invoice's balance
    owner_client.post(reverse("web:payment-allocate", kwargs={"pk": payment.pk}),
                      {"target": f"document:{invoice.pk}", "amount": "3204,60"})  # fmt: skip
    assert settlement_of(invoice).settlement == Settlement.PAID
    # more than what is left is refused with a message, nothing written
    response = owner_client.post(reverse("web:payment-allocate", kwargs={"pk": payment.pk}),
                                 {"target": f"document:{invoice.pk}", "amount": "500,00"})  # fmt: skip
    assert response.status_code == 200
    # unallocate
    allocation = payment.allocations.get()
    owner_client.post(
        reverse("web:payment-unallocate", kwargs={"pk": payment.pk, "allocation_pk": allocation.pk})
    )
    assert settlement_of(invoice).settlement == Settlement.UNPAID
    # reverse
    response = owner_client.post(reverse("web:payment-reverse", kwargs={"pk": payment.pk}), {"reason": "bounced"},
                                 follow=True)  # fmt: skip
    payment.refresh_from_db()
    assert payment.is_reversed
    assert payment.reversal_reason == "bounced"
    assert page_messages(response)[-1] == "Paiement contrepassé."


def test_the_list_shows_and_filters_payments(owner_client, invoice, entity, customer, owner):
    payment_record(entity=entity, customer=customer, amount=Decimal("50.00"), received_on=DAY, by=owner,
                   reference="CHQ-1")  # fmt: skip
    page = owner_client.get(reverse("web:payment-list")).content.decode()
    assert "CHQ-1" in page
    assert (
        "CHQ-1" not in owner_client.get(reverse("web:payment-list"), {"state": "allocated"}).content.decode()
    )
    assert "CHQ-1" in owner_client.get(reverse("web:payment-list"), {"q": "chq"}).content.decode()


def test_the_customers_credit_is_applied_from_the_invoice_page(
    owner_client, invoice, entity, customer, owner
):
    payment_record(entity=entity, customer=customer, amount=Decimal("200.00"), received_on=DAY, by=owner)
    page = owner_client.get(reverse("web:document-detail", kwargs={"pk": invoice.pk})).content.decode()
    assert 'id="apply-credit"' in page
    owner_client.post(reverse("web:invoice-apply-credit", kwargs={"pk": invoice.pk}))
    assert settlement_of(invoice).paid == Decimal("200.00")


def test_the_statement_of_account_is_a_printable_page(owner_client, invoice, entity, customer, owner):
    payment_record(entity=entity, customer=customer, amount=Decimal("1000.00"), received_on=DAY, by=owner,
                   reference="VIR 9", allocations=[(invoice, Decimal("1000.00"))])  # fmt: skip
    response = owner_client.get(reverse("web:customer-statement", kwargs={"pk": customer.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "data-print" in page
    assert "VIR 9" in page
    assert invoice.number in page
    assert "2\u202f204,60\xa0€" in page


def test_other_companies_and_sales_people_cannot_reach_payments(
    client, outsider, invoice, entity, customer, owner, member_client
):
    payment = payment_record(
        entity=entity, customer=customer, amount=Decimal("50.00"), received_on=DAY, by=owner
    )
    client.force_login(outsider)
    assert client.get(reverse("web:payment-detail", kwargs={"pk": payment.pk})).status_code == 404
    assert client.get(reverse("web:customer-statement", kwargs={"pk": customer.pk})).status_code == 404
    sales = member_client("sales")
    assert (
        sales.post(reverse("web:payment-reverse", kwargs={"pk": payment.pk}), {"reason": "x"}).status_code
        == 404
    )
    assert sales.get(reverse("web:payment-create")).status_code == 404


@pytest.fixture
def member_client(client, entity, owner):
    from django.contrib.auth import get_user_model

    from facturier.accounts.roles import Role
    from facturier.accounts.services import membership_set

    def sign_in(role: str):
        user = get_user_model().objects.create_user(f"user-{role}", f"{role}@example.fr", "pw-member-123")
        membership_set(entity=entity, user=user, role=Role(role), by=owner)
        client.force_login(user)
        return client

    return sign_in


def test_the_dashboard_counts_the_imported_open_items(owner_client, entity, customer):
    from facturier.payments.open_items import open_items_import

    csv = (
        "invoice_number,customer_name,customer_siren,customer_iban,issue_date,due_date,amount,currency,rf_reference\n"
        "OLD-001,Boulangerie Martin SARL,443061841,,2026-08-01,2026-08-31,1200.00,EUR,\n"
    )
    open_items_import(entity=entity, content=csv, by=None)
    board = owner_client.get(reverse("web:dashboard")).context["board"]
    assert board.outstanding == Decimal("1200.00")
    assert board.overdue == Decimal("1200.00")
    assert board.overdue_count == 1
